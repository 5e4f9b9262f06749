"""``veerkracht rapport GEMEENTE``: the signalling report as HTML (offline) and PDF."""

from __future__ import annotations

from pathlib import Path

import typer

from veerkracht.cli._common import STORE_OPTION, settings_for

DEFAULT_OUT = Path("veerkracht-uitvoer")


def rapport(
    gemeente: str = typer.Argument(..., help="Gemeentenaam of GM-code, bv. Amsterdam of GM0363."),
    van: int = typer.Option(2017, "--van", help="Beginjaar."),
    tot: int = typer.Option(2019, "--tot", help="Eindjaar."),
    indeling: int | None = typer.Option(
        None, "--indeling", help="Buurtindeling (jaar); standaard die van het eindjaar."
    ),
    uit: Path = typer.Option(DEFAULT_OUT, "--uit", help="Map voor het rapport."),
    pdf: bool = typer.Option(True, "--pdf/--geen-pdf", help="Ook een PDF maken (WeasyPrint)."),
    store: Path | None = STORE_OPTION,
) -> None:
    """Signaleringsrapport in HTML en PDF: samenvatting, kaarten, grafieken, methode, bronnen."""
    from veerkracht.cli import console
    from veerkracht.maps.static import render_processes, start_workers
    from veerkracht.report import build_report
    from veerkracht.signals import prepare, signals_for_gemeente
    from veerkracht.store import Store

    start_workers(render_processes())  # matplotlib loads while signals are computed
    settings = settings_for(store)
    with Store(settings.store_path, must_exist=True) as st:
        gm, indeling = prepare(st, gemeente, van, tot, indeling)
        result = signals_for_gemeente(st, gemeente, van, tot, edition=indeling)
        folder = uit / f"{gm.code.lower()}_{van}_{tot}"
        with console.status(f"Rapport voor {gm.name} maken (kaarten, grafieken, PDF)…"):
            files = build_report(st, result, folder, pdf=pdf)
    counts = {c["label"]: c["n"] for c in files.content.counts}
    console.print(
        f"Rapport {gm.name} ({van}–{tot}, buurtindeling {result.edition}): "
        f"{counts.get('Probleem', 0)} buurten 'Probleem' van {len(result.table)}."
    )
    console.print(f"  HTML: {files.html}", highlight=False)
    if files.pdf:
        console.print(f"  PDF:  {files.pdf}", highlight=False)
    console.print(f"  {len(files.maps)} kaarten (PNG, 300 dpi) in {folder}", highlight=False)


def register(app: typer.Typer) -> None:
    app.command(name="rapport")(rapport)

"""``veerkracht rapport GEMEENTE``: the signalling report as HTML (offline) and PDF."""

from __future__ import annotations

from pathlib import Path

import typer

from veerkracht.cli._common import (
    OWN_DATA_EDITION_OPTION,
    OWN_DATA_OPTION,
    OWN_DATA_TITLE_OPTION,
    REFERENCE_OPTION,
    STORE_OPTION,
    console,
    own_data_overlay_from_file,
    settings_for,
)
from veerkracht.cli.signalen import print_view_summary
from veerkracht.settings import DEFAULT_OUT_DIR


def report_command(
    gemeente: str = typer.Argument(..., help="Gemeentenaam of GM-code, bv. Amsterdam of GM0363."),
    start_year: int | None = typer.Option(
        None, "--van", help="Beginjaar (standaard: gekozen bij het meest recente eindjaar)."
    ),
    end_year: int | None = typer.Option(
        None, "--tot", help="Eindjaar (standaard: het meest recente jaar met gegevens)."
    ),
    edition: int | None = typer.Option(
        None, "--indeling", help="Buurtindeling (jaar); standaard die van het eindjaar."
    ),
    out_dir: Path = typer.Option(DEFAULT_OUT_DIR, "--uit", help="Map voor het rapport."),
    pdf: bool = typer.Option(True, "--pdf/--geen-pdf", help="Ook een PDF maken (WeasyPrint)."),
    appendix: bool = typer.Option(
        False,
        "--bijlage/--geen-bijlage",
        help="Ook een bijlage met alle details per buurt (redenen, catalogus, vertaling).",
    ),
    reference: str | None = REFERENCE_OPTION,
    own_data: Path | None = OWN_DATA_OPTION,
    own_data_edition: int | None = OWN_DATA_EDITION_OPTION,
    own_data_title: str | None = OWN_DATA_TITLE_OPTION,
    store: Path | None = STORE_OPTION,
) -> None:
    """Signaleringsrapport in HTML en PDF (hooguit 15 pagina's): bestuurskaart, samenvatting,
    buurten die aandacht vragen, kaarten, grafieken, methode, bronnen."""
    # lazy: --help loads every command module (these at top: 9.2 s, 3040 modules; now 0.3 s)
    from veerkracht.pipeline import open_view
    from veerkracht.report import build_report, start_report_workers

    start_report_workers()  # matplotlib and esda load while the signals are computed
    settings = settings_for(store)
    st, view = open_view(
        settings.store_path, gemeente, start_year, end_year, edition=edition, reference=reference
    )
    with st:
        gm = view.gemeente
        folder = out_dir / f"{gm.code.lower()}_{view.start}_{view.end}"
        overlays = None
        if own_data is not None:
            overlay = own_data_overlay_from_file(
                st, own_data, own_data_edition, own_data_title, view
            )
            overlays = [overlay]
        with console.status(f"Rapport voor {gm.name} maken (kaarten, grafieken, PDF)…"):
            files = build_report(st, view, folder, pdf=pdf, appendix=appendix, overlays=overlays)
    print_view_summary(view, brief=True)
    counts = view.result.class_counts()
    console.print(
        f"Rapport {gm.name} ({view.start}–{view.end}, buurtindeling {view.edition}): "
        f"{counts.get('PRO', 0)} buurten 'Probleem' van {len(view.result.table)}.",
        markup=False,
    )
    console.print(f"  HTML: {files.html}", highlight=False)
    if files.pdf:
        console.print(f"  PDF:  {files.pdf}", highlight=False)
    for path in (files.appendix_html, files.appendix_pdf):
        if path is not None:
            console.print(f"  Bijlage: {path}", highlight=False)
    console.print(f"  {len(files.maps)} kaarten (PNG, 300 dpi) in {folder}", highlight=False)


def register(app: typer.Typer) -> None:
    app.command(name="rapport")(report_command)

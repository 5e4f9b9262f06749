"""``veerkracht overzicht``: the national overview of every gemeente in the store."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from veerkracht.cli._common import (
    ALL_END_OPTION,
    ALL_START_OPTION,
    PROCESSES_OPTION,
    STORE_OPTION,
    console,
    gemeente_progress,
    settings_for,
)
from veerkracht.errors import NoDataError, ParameterError
from veerkracht.settings import DEFAULT_OUT_DIR


def overview_command(
    start_year: int | None = ALL_START_OPTION,
    end_year: int | None = ALL_END_OPTION,
    out_dir: Path = typer.Option(DEFAULT_OUT_DIR, "--uit", help="Map voor tabel en kaart."),
    process_count: int = PROCESSES_OPTION,
    store: Path | None = STORE_OPTION,
) -> None:
    """Landelijk overzicht: signalen van elke gemeente (t.o.v. Nederland), CSV, XLSX en kaart."""

    # lazy: --help loads every command module (these at top: 9.2 s, 3040 modules; now 0.3 s)
    from veerkracht import overview as ovm
    from veerkracht.maps.national import render_national_map
    from veerkracht.store import Store

    if process_count < 0:
        raise ParameterError(
            "--processen",
            process_count,
            "mag niet negatief zijn",
            fix="Bijvoorbeeld --processen 2.",
        )
    if start_year is not None and end_year is not None and end_year <= start_year:
        raise ParameterError(
            "--tot",
            end_year,
            f"moet later zijn dan --van ({start_year})",
            fix="Bijvoorbeeld --van 2016 --tot 2020.",
        )
    settings = settings_for(store)
    processes = process_count or os.cpu_count() or 1
    with gemeente_progress(console) as progress:
        task = progress.add_task("Gemeenten voorbereiden (perioden, vertalen)", total=None)

        def started(n: int) -> None:
            progress.update(
                task, total=n, description=f"Signalen per gemeente ({processes} processen)"
            )

        def finished(summary: ovm.GemeenteSummary) -> None:
            status = "klaar" if summary.ok else "overgeslagen"
            progress.update(task, advance=1, description=f"{summary.name}: {status}")

        ov = ovm.overview(
            settings.store_path,
            start_year,
            end_year,
            processes=processes,
            on_start=started,
            on_done=finished,
        )
    if not ov.done:
        raise NoDataError(
            "geen enkele gemeente in de store heeft genoeg buurtcijfers voor een signaal"
            + (f" ({ov.skipped_text()})" if ov.skipped else ""),
            fix="Importeer eerst data met 'veerkracht data importeren MAP'.",
        )
    files = ovm.write_tables(ov, out_dir)
    with Store(settings.store_path, read_only=True) as st:
        shapes = ovm.gemeente_shapes(st, [g.code for g in (*ov.done, *ov.skipped)])
    files += render_national_map(ov, shapes, out_dir)

    console.print(
        f"[bold]Landelijk overzicht[/], {ov.period_text()}: {len(ov.done)} gemeenten "
        f"berekend in {ov.seconds:.0f} s met {ov.processes} proces(sen).",
        highlight=False,
    )
    for fig in ov.figures():
        console.print(f"  [bold]{fig['tekst']}[/]", highlight=False)
        console.print(f"    Definitie: {fig['definitie']}", highlight=False)
    console.print(ov.skipped_text(), highlight=False)
    for g in ov.skipped:
        console.print(f"  {g.name} ({g.code}): {g.reason}", highlight=False)
    top = ov.table().head(10)
    if len(top):
        console.print("Rangorde (meeste buurten 'Probleem', dan 'Kwetsbaar'), eerste 10:")
        for row in top.itertuples(index=False):
            console.print(f"  {row[0]:>3}. {row[2]} ({row[1]})", highlight=False)
    for path in files:
        console.print(f"Geschreven: {path}", highlight=False)


def register(app: typer.Typer) -> None:
    app.command(name="overzicht")(overview_command)

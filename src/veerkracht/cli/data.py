"""``veerkracht data …``: import, fetch and inspect the store."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from veerkracht.cli._common import STORE_OPTION, fmt, settings_for

app = typer.Typer(no_args_is_help=True)


def _progress() -> Progress:
    from veerkracht.cli import console

    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[file]}"),
        console=console,
        transient=False,
    )


@app.command("importeren")
def importeren(
    map_: Path = typer.Argument(..., metavar="MAP", help="Map met gedownloade bestanden."),
    store: Path | None = STORE_OPTION,
) -> None:
    """Lees alle herkende bestanden in MAP in de store; toont wat is overgeslagen en waarom."""
    from veerkracht.cli import console
    from veerkracht.ingest import candidate_files, import_folder
    from veerkracht.store import Store

    settings = settings_for(store)
    files, _ = candidate_files(map_) if map_.is_dir() else ([], [])
    with Store(settings.store_path) as st, _progress() as progress:
        task = progress.add_task("Importeren", total=len(files), file="")

        def advance(path: Path) -> None:
            progress.update(task, advance=1, file=path.name)

        report = import_folder(st, map_, progress=advance)
        progress.update(task, file="klaar")

    table = Table(title=f"Geïmporteerd in {settings.store_path}")
    for col in ("Bestand", "Dataset", "Status", "Waarden", "Geometrieën", "Perioden", "Ontbreekt"):
        table.add_column(col)
    for r in report.imported:
        missing = "; ".join(f"{p}: {len(v)} variabelen" for p, v in r.missing.items())
        table.add_row(
            r.file_name, r.dataset_key, r.status, fmt(r.n_values), fmt(r.n_geometries),
            ", ".join(map(str, r.periods)), missing,
        )
    console.print(table)
    if report.skipped:
        skipped = Table(title="Overgeslagen")
        skipped.add_column("Bestand")
        skipped.add_column("Reden")
        for s in report.skipped:
            skipped.add_row(str(s.file.relative_to(map_) if s.file.is_relative_to(map_) else s.file), s.reason)
        console.print(skipped)


@app.command("status")
def status(store: Path | None = STORE_OPTION) -> None:
    """Toon wat er in de store staat: datasets, perioden, indelingen, dekking, vertaalfouten."""
    from veerkracht.cli import console
    from veerkracht.status import store_status
    from veerkracht.store import Store

    settings = settings_for(store)
    with Store(settings.store_path, read_only=True) as st:
        for table in store_status(st):
            console.print(table)

"""Options and helpers shared by the sub-commands."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from veerkracht.numbers import count as fmt  # noqa: F401 - the one Dutch formatter, for the CLI
from veerkracht.settings import get_settings

# Piped into a file or CI log, rich would wrap at 80 columns and cut file names short.
console = Console(width=None if Console().is_terminal else 160)
err_console = Console(stderr=True)

STORE_OPTION = typer.Option(
    None,
    "--store",
    help="Pad naar de store (standaard in uw gebruikersmap; of VEERKRACHT_STORE).",
)

REFERENCE_OPTION = typer.Option(
    None,
    "--referentie",
    help="Vergelijk met: gemeente (relatief, standaard), nederland (absoluut) of "
    "regio:GM…,GM… (een lijst gemeenten).",
)

#: runs over every gemeente (atlas, national overview): no years = each one's own default
ALL_START_OPTION = typer.Option(
    None, "--van", help="Beginjaar (standaard: per gemeente de meest recente periode)."
)
ALL_END_OPTION = typer.Option(
    None, "--tot", help="Eindjaar (standaard: per gemeente de meest recente periode)."
)
OWN_DATA_OPTION = typer.Option(
    None,
    "--eigen-data",
    help="CSV/XLSX met eigen gegevens (buurtcode, postcode, adres of coördinaten), bv. de "
    "complexen van de corporatie: als symbolen met een eigen legenda op de kaart.",
)
OWN_DATA_EDITION_OPTION = typer.Option(
    None,
    "--eigen-data-indeling",
    help="Buurtindeling (jaar) van de buurtcodes of grenzen in --eigen-data; standaard die "
    "van de kaart.",
)
OWN_DATA_TITLE_OPTION = typer.Option(
    None, "--eigen-data-titel", help="Naam in de legenda, bv. 'Complexen 2024'."
)
PROCESSES_OPTION = typer.Option(
    0, "--processen", help="Aantal processen; 0 = alle processorkernen."
)


def gemeente_progress(console: object):
    """The progress bar of a run over many gemeenten: count, time so far, time left."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("nog"),
        TimeRemainingColumn(),  # from the pace of the last 30 s
        console=console,
        transient=True,
    )


def settings_for(store: Path | None):
    return get_settings(store)


def own_data_overlay_from_file(st, path: Path, edition: int | None, title: str | None, view):
    """The file's rows placed in the view's buurten as one map overlay; unplaceable rows are
    listed with row number and reason, not drawn.

    The same placement as the web app and Python (:func:`veerkracht.own_data.place_own_data`),
    for every command that draws maps (kaart, bestuurskaart, rapport).
    """
    # lazy: --help loads every command module (these at top: 9.2 s, 3040 modules; now 0.3 s)
    from veerkracht.maps.layers import own_data_overlay
    from veerkracht.own_data import own_data_points, place_own_data

    placement = place_own_data(
        st,
        path,
        gemeente=view.result.gemeente.code,
        edition=edition or view.result.edition,
    )
    overlay = own_data_overlay(own_data_points(st, placement), title or path.stem)
    console.print(
        f"Eigen gegevens ({path.name}, buurtindeling {placement.edition}): "
        f"{placement.n_placed} van {placement.n_rows} rijen geplaatst; op de kaart als "
        f"'{overlay.label}'.",
        markup=False,
    )
    if placement.unplaced:
        table = Table(title="Niet te plaatsen (niet op de kaart)")
        for column in ("Rij", "Waarde", "Reden"):
            table.add_column(column)
        for u in placement.unplaced:
            table.add_row(str(u.row), u.key, u.reason)
        console.print(table)
    for note in placement.notes:
        console.print(f"  {note}", markup=False)
    return overlay


def with_own_data(st, mapset, path: Path, edition: int | None, title: str | None, view):
    """The map set with the file's rows as its overlay (see :func:`own_data_overlay_from_file`)."""
    overlay = own_data_overlay_from_file(st, path, edition, title, view)
    return replace(mapset, overlays=[overlay])

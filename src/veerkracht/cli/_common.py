"""Options and helpers shared by the sub-commands."""

from __future__ import annotations

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



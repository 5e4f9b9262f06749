"""Options and helpers shared by the sub-commands."""

from __future__ import annotations

from pathlib import Path

import typer

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


def settings_for(store: Path | None):
    from veerkracht.settings import get_settings

    return get_settings(store)


def fmt(n: float | int) -> str:
    """Dutch number formatting: 14.574 and 0,30 (see :mod:`veerkracht.numbers`)."""
    from veerkracht.numbers import count

    return count(n)

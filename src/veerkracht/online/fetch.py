"""Fetch a gemeente's sources from the official services and save them as files.

Each dataset is saved as a file in the download folder (``--naar``); importing them is
the next stage (:mod:`veerkracht.download`, through ``ingest.import_jobs``). One job
builder per source (``kwb_jobs`` …); :mod:`veerkracht.sources.registry` says which source
uses which builder and runs them (``fetch_sources``).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from veerkracht.codes import is_gemeente_code
from veerkracht.errors import ParameterError
from veerkracht.gemeenten import Gemeente, matching_codes
from veerkracht.http import HttpClient
from veerkracht.online import cbs_odata, leefbaarometer, pdok
from veerkracht.settings import Settings

_YEARS_FIX = "Bijvoorbeeld --jaren 2017,2019 of 2017-2019."


#: One fetch job: its name in messages, and what saves the file(s).
Job = tuple[str, Callable[[], Path | list[Path]]]


@dataclass(frozen=True)
class FetchContext:
    """What every job builder needs: where to ask, for which gemeente and years, where
    to save."""

    client: HttpClient
    settings: Settings
    gemeente_code: str
    years: list[int]
    folder: Path


def parse_years(text: str) -> list[int]:
    """``"2017,2019"`` or ``"2017-2019"`` → sorted years."""
    years: set[int] = set()
    for part in (p.strip() for p in text.split(",") if p.strip()):
        try:
            if "-" in part:
                start, end = (int(x) for x in part.split("-", 1))
                if end < start or end - start > 50:
                    raise ValueError(part)
                years.update(range(start, end + 1))
            else:
                years.add(int(part))
        except ValueError as exc:
            raise ParameterError("--jaren", text, "geen jaartallen", fix=_YEARS_FIX) from exc
    if not years:
        raise ParameterError("--jaren", text, "geen jaartallen", fix=_YEARS_FIX)
    return sorted(years)


def gemeente_at_cbs(
    text: str, *, known: dict[str, str], client: HttpClient, settings: Settings, year: int | None
) -> Gemeente:
    """A gemeente by code or name: names the store knows (``known``) first, else CBS's list
    of gemeenten in ``year``; matched by :func:`veerkracht.gemeenten.matching_codes`."""
    if is_gemeente_code(text):
        code = text.strip().upper()
        return Gemeente(code, known.get(code, code))
    wanted = text.strip()
    for catalogue in (known, None):
        names = (
            catalogue if catalogue is not None
            else cbs_odata.gemeente_list(client, settings, year)
        )
        match = matching_codes(names, wanted)
        if len(match) == 1:
            return Gemeente(match[0], names[match[0]])
        if catalogue is None:
            close = difflib.get_close_matches(wanted, list(names.values()), n=3)
            raise ParameterError(
                "--gemeente", text, "onbekende gemeente bij CBS",
                fix=(f"Bedoelt u: {', '.join(close)}? " if close else "")
                + "Geef de naam zoals CBS die schrijft, of de code (GM0363).",
            )
    raise AssertionError("unreachable")  # pragma: no cover


def check_kwb_years(years: list[int]) -> None:
    """Every year must have a KWB table (``sources/cbs_kwb.toml``)."""
    tables = cbs_odata.kwb_tables()
    bad = [y for y in years if y not in tables]
    if bad:
        raise ParameterError(
            "--jaren", ",".join(map(str, bad)), "geen KWB-tabel voor dit jaar",
            fix=f"KWB is er voor {min(tables)}–{max(tables)}.",
        )


def kwb_jobs(c: FetchContext) -> list[Job]:
    """One KWB table per year (the table id per year is in ``sources/cbs_kwb.toml``)."""
    check_kwb_years(c.years)
    tables = cbs_odata.kwb_tables()
    gm = c.gemeente_code
    return [
        (f"kwb {year}", lambda t=tables[year], y=year: cbs_odata.save(
            cbs_odata.fetch_table(c.client, c.settings, t, gm),
            c.folder / f"kwb_{y}_{t}_{gm}.json"))
        for year in c.years
    ]


def health_jobs(c: FetchContext) -> list[Job]:
    table, gm = cbs_odata.HEALTH_TABLE, c.gemeente_code
    return [("gezondheid", lambda: cbs_odata.save(
        cbs_odata.fetch_table(c.client, c.settings, table, gm),
        c.folder / f"gezondheid_{table}_{gm}.json"))]


def crime_jobs(c: FetchContext) -> list[Job]:
    table, gm, years = cbs_odata.CRIME_YEAR_TABLE, c.gemeente_code, c.years
    return [("criminaliteit", lambda: cbs_odata.save(
        cbs_odata.fetch_table(
            c.client, c.settings, table, gm, extra_filter=cbs_odata.period_filter(years),
            base_v3=cbs_odata.dataderden_base(c.settings),
            feed_v3=cbs_odata.dataderden_feed(c.settings)),
        c.folder / f"criminaliteit_{table}_{gm}_{years[0]}-{years[-1]}.json"))]


def boundary_jobs(c: FetchContext) -> list[Job]:
    gm = c.gemeente_code
    return [
        (f"grenzen {year}", lambda y=year: pdok.save(
            pdok.fetch_boundaries(c.client, c.settings.pdok_ogc, y, gm),
            c.folder / pdok.boundary_file_name(y, gm)))
        for year in c.years
    ]


def leefbaarometer_jobs(c: FetchContext) -> list[Job]:
    s = c.settings
    return [("leefbaarometer", lambda: leefbaarometer.fetch(
        c.client, s.leefbaarometer_downloads, s.leefbaarometer_wfs, c.gemeente_code, c.folder))]

"""Fetch a gemeente's sources from the official services and save them as files.

Each dataset is saved as a file in the download folder (``--naar``); importing them is
the next stage (:mod:`veerkracht.download`, through ``ingest.import_jobs``). A source that
a service does not offer for a year is listed as skipped with the reason; losing the
network stops everything at once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from veerkracht.codes import is_gemeente_code
from veerkracht.errors import NetworkError, ParameterError
from veerkracht.gemeenten import Gemeente, matching_codes
from veerkracht.http import HttpClient, NoConnectionError
from veerkracht.online import cbs_odata, leefbaarometer, pdok
from veerkracht.settings import Settings
from veerkracht.sources.base import Skipped

log = logging.getLogger(__name__)

#: Source codes accepted by ``--bronnen`` (Dutch, user-facing).
SOURCES = ("kwb", "gezondheid", "grenzen", "leefbaarometer", "criminaliteit")
DEFAULT_SOURCES = ("kwb", "gezondheid", "grenzen", "leefbaarometer")
_YEARS_FIX = "Bijvoorbeeld --jaren 2017,2019 of 2017-2019."


@dataclass
class FetchResult:
    files: list[Path] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


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


def parse_sources(text: str | None) -> list[str]:
    if not text:
        return list(DEFAULT_SOURCES)
    chosen = [s.strip().lower() for s in text.split(",") if s.strip()]
    unknown = [s for s in chosen if s not in SOURCES]
    if unknown or not chosen:
        raise ParameterError(
            "--bronnen", text, f"onbekende bron(nen): {', '.join(unknown) or '(leeg)'}",
            fix=f"Kies uit: {', '.join(SOURCES)}.",
        )
    return chosen


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
            import difflib

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


def fetch_sources(
    client: HttpClient,
    settings: Settings,
    *,
    gemeente_code: str,
    years: list[int],
    sources: list[str],
    folder: Path,
) -> FetchResult:
    """Fetch and save every requested dataset; returns saved files and what was skipped."""
    result = FetchResult()
    tables = cbs_odata.kwb_tables()
    jobs: list[tuple[str, Callable[[], Path | list[Path]]]] = []
    gm = gemeente_code
    if "kwb" in sources:
        check_kwb_years(years)
        for year in years:
            table = tables[year]
            jobs.append((f"kwb {year}", lambda t=table, y=year: cbs_odata.save(
                cbs_odata.fetch_table(client, settings, t, gm),
                folder / f"kwb_{y}_{t}_{gm}.json")))
    if "gezondheid" in sources:
        table = cbs_odata.HEALTH_TABLE
        jobs.append(("gezondheid", lambda: cbs_odata.save(
            cbs_odata.fetch_table(client, settings, table, gm),
            folder / f"gezondheid_{table}_{gm}.json")))
    if "criminaliteit" in sources:
        table = cbs_odata.CRIME_YEAR_TABLE
        jobs.append(("criminaliteit", lambda: cbs_odata.save(
            cbs_odata.fetch_table(
                client, settings, table, gm, extra_filter=cbs_odata.period_filter(years),
                base_v3=cbs_odata.dataderden_base(settings),
                feed_v3=cbs_odata.dataderden_feed(settings)),
            folder / f"criminaliteit_{table}_{gm}_{years[0]}-{years[-1]}.json")))
    if "grenzen" in sources:
        for year in years:
            jobs.append((f"grenzen {year}", lambda y=year: pdok.save(
                pdok.fetch_boundaries(client, settings.pdok_ogc, y, gm),
                folder / pdok.boundary_file_name(y, gm))))
    if "leefbaarometer" in sources:
        jobs.append(("leefbaarometer", lambda: leefbaarometer.fetch(
            client, settings.leefbaarometer_downloads, settings.leefbaarometer_wfs, gm, folder)))

    for name, job in jobs:
        try:
            done = job()
            result.files.extend(done if isinstance(done, list) else [done])
        except NoConnectionError:
            raise  # without a network every next request fails the same way
        except NetworkError as exc:
            log.warning("%s: %s", name, exc.message)
            reason = exc.message + (f" ({exc.fix})" if exc.fix else "")
            result.skipped.append(Skipped(Path(f"({name})"), reason))  # no [..]: rich markup
    return result

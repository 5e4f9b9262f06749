"""Every source veerkracht reads or fetches, in one explicit list.

One entry per source, like one module per rule with a stable code in PDOK's
geopackage-validator: a stable key, the Dutch label users see, the readers that
recognise and read its files (``READERS`` of ``sources/<module>.py``), the job builder
that saves it from the official service (``online/fetch.py``, if it can be fetched), the
Dutch code of ``data ophalen --bronnen`` and the store tables its files fill.

Import (``detect``/``read``, :mod:`veerkracht.ingest`) and fetch (``fetch_sources``,
:mod:`veerkracht.download`) go through this list only; no reader is reachable outside
it (``tests/sources/test_registry.py``). Add a source: its reader module (+ ``.toml`` of
columns) and one ``Source(...)`` below, with its place in ``DETECTION_ORDER``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from veerkracht.errors import InputFileError, NetworkError, ParameterError, UnknownDatasetError
from veerkracht.http import HttpClient, NoConnectionError
from veerkracht.online import fetch
from veerkracht.online.fetch import FetchContext, Job
from veerkracht.settings import Settings
from veerkracht.sources import (
    boundaries,
    cbs_crime,
    cbs_health,
    cbs_kwb,
    cbs_ses_woa,
    leefbaarometer,
    own_data,
    woonzorgwijzer,
)
from veerkracht.sources.base import FileSample, Reader, Skipped, SourceTable
from veerkracht.sources.validation import check_file

log = logging.getLogger(__name__)

#: what a file of a source fills in the store (``store/_schema.sql``)
VALUES = ("value_rows", "variables", "regions")
GEOMETRY = ("geometries", "regions", "crosswalks", "value_rows", "variables")


@dataclass(frozen=True)
class Source:
    """One source: how its files are recognised and read, and how it is fetched."""

    key: str  # stable, e.g. "cbs_kwb"
    label: str  # Dutch, shown to users
    readers: tuple[Reader, ...]
    tables: tuple[str, ...]
    fetch_code: str = ""  # Dutch code for ``--bronnen``; "" = not fetched online
    fetch: Callable[[FetchContext], list[Job]] | None = None
    fetch_by_default: bool = False


#: in the order ``data ophalen`` fetches them
SOURCES: tuple[Source, ...] = (
    Source("cbs_kwb", "CBS Kerncijfers wijken en buurten", cbs_kwb.READERS, VALUES,
           "kwb", fetch.kwb_jobs, fetch_by_default=True),
    Source("cbs_gezondheid", "GGD/CBS/RIVM Gezondheidsmonitor", cbs_health.READERS, VALUES,
           "gezondheid", fetch.health_jobs, fetch_by_default=True),
    Source("cbs_misdrijven", "Geregistreerde misdrijven (Politie/CBS)", cbs_crime.READERS,
           VALUES, "criminaliteit", fetch.crime_jobs),
    Source("gebiedsindelingen", "Wijk- en buurtgrenzen (CBS/PDOK, eigen indelingen)",
           boundaries.READERS, GEOMETRY, "grenzen", fetch.boundary_jobs,
           fetch_by_default=True),
    Source("leefbaarometer", "Leefbaarometer (BZK)", leefbaarometer.READERS, VALUES,
           "leefbaarometer", fetch.leefbaarometer_jobs, fetch_by_default=True),
    Source("cbs_ses_woa", "CBS Sociaal-economische status (SES-WOA)", cbs_ses_woa.READERS,
           VALUES),
    Source("woonzorgwijzer", "WoonZorgwijzer", woonzorgwijzer.READERS, VALUES),
    Source("eigen_data", "Eigen gegevens", own_data.READERS, VALUES),
)

#: which source's readers try a file first: the most specific first (KWB's CSV reader
#: accepts the most, so it comes last)
DETECTION_ORDER = (
    "cbs_gezondheid",
    "cbs_ses_woa",
    "gebiedsindelingen",
    "leefbaarometer",
    "cbs_misdrijven",
    "woonzorgwijzer",
    "eigen_data",
    "cbs_kwb",
)

_BY_KEY = {s.key: s for s in SOURCES}
#: every reader, in detection order
READERS: tuple[Reader, ...] = tuple(r for key in DETECTION_ORDER for r in _BY_KEY[key].readers)
#: codes accepted by ``--bronnen`` (Dutch, user-facing), and the ones fetched without it
FETCH_CODES = tuple(s.fetch_code for s in SOURCES if s.fetch is not None)
DEFAULT_FETCH_CODES = tuple(s.fetch_code for s in SOURCES if s.fetch_by_default)


def source_of(reader: Reader) -> Source:
    """The source a reader belongs to."""
    return next(s for s in SOURCES if reader in s.readers)


def reader(code: str) -> Reader | None:
    """The reader with a stable code (as in a manifest's ``bron``), or None."""
    return next((r for r in READERS if r.code == code), None)


def detect(path: str | Path) -> Reader:
    """The reader for a file, recognised by content; raises UnknownDatasetError."""
    path = Path(path)
    if not path.exists():
        raise InputFileError(path, "bestand bestaat niet", fix="Controleer het pad.")
    if path.is_file() and path.stat().st_size == 0:
        raise InputFileError(path, "het bestand is leeg", fix="Download het bestand opnieuw.")
    sample = FileSample(path)
    for candidate in READERS:
        try:
            if candidate.sniff(sample):
                return candidate
        except (OSError, UnicodeError, ValueError):
            continue
    raise UnknownDatasetError(
        path,
        "onbekend bestand: geen enkele lezer herkent de inhoud",
        fix="Zie README, 'Ondersteunde bronnen', of geef de dataset aan in een manifest "
        "(veerkracht.toml in de map).",
    )


def read(path: str | Path, reader_code: str | None = None) -> SourceTable:
    """Read a file with the named reader, or the one that recognises its content."""
    path = Path(path)
    check_file(path)  # the file rules (size, lines, archives, encoding) come first
    if reader_code is None:
        chosen = detect(path)
    else:
        chosen = reader(reader_code)
        if chosen is None:
            known = ", ".join(r.code for r in READERS)
            raise InputFileError(path, f"onbekende lezer '{reader_code}'", fix=f"Kies uit: {known}")
    return chosen.read(path)


def parse_sources(text: str | None) -> list[str]:
    """``--bronnen`` → fetch codes; none given: the default ones."""
    if not text:
        return list(DEFAULT_FETCH_CODES)
    chosen = [s.strip().lower() for s in text.split(",") if s.strip()]
    unknown = [s for s in chosen if s not in FETCH_CODES]
    if unknown or not chosen:
        raise ParameterError(
            "--bronnen", text, f"onbekende bron(nen): {', '.join(unknown) or '(leeg)'}",
            fix=f"Kies uit: {', '.join(FETCH_CODES)}.",
        )
    return chosen


@dataclass
class FetchResult:
    files: list[Path] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def fetch_sources(
    client: HttpClient,
    settings: Settings,
    *,
    gemeente_code: str,
    years: list[int],
    sources: list[str],
    folder: Path,
) -> FetchResult:
    """Fetch and save every requested source (fetch codes); returns the saved files and
    what was skipped. A source a service does not offer for a year is skipped with the
    reason; losing the network stops everything at once."""
    context = FetchContext(client, settings, gemeente_code, years, folder)
    jobs = [
        job
        for s in SOURCES
        if s.fetch is not None and s.fetch_code in sources
        for job in s.fetch(context)
    ]
    result = FetchResult()
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

"""Every source veerkracht reads or fetches, in one explicit list.

One entry per source, like one module per rule with a stable code in PDOK's
geopackage-validator: a stable key, the Dutch label users see, the module whose
``READERS`` recognise and read its files (``sources/<module>.py``), the job builder that
saves it from the official service (if it can be fetched), the Dutch code of
``data ophalen --bronnen`` and the store tables its files fill.

Import (``detect``/``read``, :mod:`veerkracht.ingest`) and fetch (``fetch_sources``,
:mod:`veerkracht.download`) go through this list only; no reader is reachable outside
it (``tests/sources/test_registry.py``). Add a source: its reader module (+ ``.toml`` of
columns) and one ``Source(...)`` below, with its place in ``DETECTION_ORDER``.

Cheap to import, on purpose: the CLI builds the ``--bronnen`` help from ``FETCH_CODES``
here, and every ``veerkracht … --help`` must stay free of pandas, httpx and the readers
(``tests/test_package.py``). So a source names its reader module and its fetch job by
dotted name (``"veerkracht.sources.cbs_kwb"``, ``"veerkracht.online.fetch:kwb_jobs"``),
resolved with :func:`importlib.import_module` on first use (``Source.readers``,
``Source.fetch``, ``all_readers``). ``tests/sources/test_registry.py`` resolves every name,
so a typo fails a test rather than a user's run.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from veerkracht.errors import InputFileError, NetworkError, ParameterError, UnknownDatasetError

if TYPE_CHECKING:
    from veerkracht.http import HttpClient
    from veerkracht.online.fetch import FetchContext, Job
    from veerkracht.settings import Settings
    from veerkracht.sources.base import Reader, Skipped, SourceTable

log = logging.getLogger(__name__)

#: what a file of a source fills in the store (``store/_schema.sql``)
VALUES = ("value_rows", "variables", "regions")
GEOMETRY = ("geometries", "regions", "crosswalks", "value_rows", "variables")


def resolve(name: str) -> Any:
    """``"package.module"`` → that module; ``"package.module:name"`` → its attribute."""
    module, _, attribute = name.partition(":")
    found = importlib.import_module(module)
    return getattr(found, attribute) if attribute else found


@dataclass(frozen=True)
class Source:
    """One source: how its files are recognised and read, and how it is fetched."""

    key: str  # stable, e.g. "cbs_kwb"
    label: str  # Dutch, shown to users
    reader_module: str  # dotted name of the module with its ``READERS``
    tables: tuple[str, ...]
    fetch_code: str = ""  # Dutch code for ``--bronnen``; "" = not fetched online
    fetch_job: str = ""  # "module:function" that builds its fetch jobs; "" = none
    fetch_by_default: bool = False

    @property
    def readers(self) -> tuple[Reader, ...]:
        """The readers of its files (imports the reader module on first use)."""
        return resolve(self.reader_module).READERS

    @property
    def fetch(self) -> Callable[[FetchContext], list[Job]] | None:
        """Its fetch-job builder (imported on first use), or None when not fetched."""
        return resolve(self.fetch_job) if self.fetch_job else None


_FETCH = "veerkracht.online.fetch"

#: in the order ``data ophalen`` fetches them
SOURCES: tuple[Source, ...] = (
    Source("cbs_kwb", "CBS Kerncijfers wijken en buurten", "veerkracht.sources.cbs_kwb",
           VALUES, "kwb", f"{_FETCH}:kwb_jobs", fetch_by_default=True),
    Source("cbs_gezondheid", "GGD/CBS/RIVM Gezondheidsmonitor",
           "veerkracht.sources.cbs_health", VALUES, "gezondheid", f"{_FETCH}:health_jobs",
           fetch_by_default=True),
    Source("cbs_misdrijven", "Geregistreerde misdrijven (Politie/CBS)",
           "veerkracht.sources.cbs_crime", VALUES, "criminaliteit", f"{_FETCH}:crime_jobs"),
    Source("gebiedsindelingen", "Wijk- en buurtgrenzen (CBS/PDOK, eigen indelingen)",
           "veerkracht.sources.boundaries", GEOMETRY, "grenzen", f"{_FETCH}:boundary_jobs",
           fetch_by_default=True),
    Source("leefbaarometer", "Leefbaarometer (BZK)", "veerkracht.sources.leefbaarometer",
           VALUES, "leefbaarometer", f"{_FETCH}:leefbaarometer_jobs", fetch_by_default=True),
    Source("cbs_ses_woa", "CBS Sociaal-economische status (SES-WOA)",
           "veerkracht.sources.cbs_ses_woa", VALUES),
    Source("woonzorgwijzer", "WoonZorgwijzer", "veerkracht.sources.woonzorgwijzer", VALUES),
    Source("eigen_data", "Eigen gegevens", "veerkracht.sources.own_data", VALUES),
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
#: the reader modules in detection order (what a worker process preloads)
READER_MODULES = tuple(_BY_KEY[key].reader_module for key in DETECTION_ORDER)
#: codes accepted by ``--bronnen`` (Dutch, user-facing), and the ones fetched without it
FETCH_CODES = tuple(s.fetch_code for s in SOURCES if s.fetch_job)
DEFAULT_FETCH_CODES = tuple(s.fetch_code for s in SOURCES if s.fetch_by_default)


@cache
def all_readers() -> tuple[Reader, ...]:
    """Every reader, in detection order (imports every reader module: pandas and all)."""
    return tuple(r for key in DETECTION_ORDER for r in _BY_KEY[key].readers)


def source_of(reader: Reader) -> Source:
    """The source a reader belongs to."""
    return next(s for s in SOURCES if reader in s.readers)


def reader(code: str) -> Reader | None:
    """The reader with a stable code (as in a manifest's ``bron``), or None."""
    return next((r for r in all_readers() if r.code == code), None)


def detect(path: str | Path) -> Reader:
    """The reader for a file, recognised by content; raises UnknownDatasetError."""
    # lazy: base imports pandas and openpyxl (0.5 s); the registry stays cheap for --help
    from veerkracht.sources.base import FileSample

    path = Path(path)
    if not path.exists():
        raise InputFileError(path, "bestand bestaat niet", fix="Controleer het pad.")
    if path.is_file() and path.stat().st_size == 0:
        raise InputFileError(path, "het bestand is leeg", fix="Download het bestand opnieuw.")
    sample = FileSample(path)
    for candidate in all_readers():
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
    # lazy: validation loads pandas and its rules (0.5 s); the registry stays cheap for --help
    from veerkracht.sources.validation import check_file

    path = Path(path)
    check_file(path)  # the file rules (size, lines, archives, encoding) come first
    if reader_code is None:
        chosen = detect(path)
    else:
        chosen = reader(reader_code)
        if chosen is None:
            known = ", ".join(r.code for r in all_readers())
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
    # lazy: http and online.fetch load httpx (0.2 s); the registry stays cheap for --help
    from veerkracht.http import NoConnectionError
    from veerkracht.online.fetch import FetchContext
    from veerkracht.sources.base import Skipped

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

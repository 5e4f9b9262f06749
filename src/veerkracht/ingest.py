"""Stage 1: files -> store. Import a folder of downloaded files, whatever their names.

Each file's dataset is recognised from its content (``sources.detect``); a small
manifest ``veerkracht.toml`` in the folder can name the reader or year for a file
or skip it. Every file is imported in its own transaction; files that cannot be
read are listed with the reason and leave the store untouched.
"""

from __future__ import annotations

import logging
import os
import tomllib
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa

from veerkracht._pool import bounded_map
from veerkracht.errors import InputFileError, VeerkrachtError
from veerkracht.numbers import count
from veerkracht.sources.base import Skipped, file_hash
from veerkracht.sources.registry import READER_MODULES, all_readers, detect
from veerkracht.sources.registry import reader as reader_by_code
from veerkracht.sources.validation import (
    check_content,
    check_file,
    check_stored,
    collecting_unparsed,
)
from veerkracht.sources.validation.years import check_manifest_year
from veerkracht.store import ImportResult, Store
from veerkracht.store._duck import write_failure
from veerkracht.store._rows import StoreRows, rows_from_table

if TYPE_CHECKING:
    from veerkracht.sources.base import Reader

log = logging.getLogger(__name__)

MANIFEST = "veerkracht.toml"
MAX_MANIFEST_BYTES = 1024**2
#: Files that are documentation, not data.
_DOC_SUFFIXES = {".md", ".txt", ".pdf", ".html", ".xml"}
#: Parts of a shapefile: read through their .shp.
_SHAPEFILE_PARTS = {".shx", ".prj", ".cpg", ".sbn", ".sbx", ".qmd", ".qix"}


@dataclass
class ImportReport:
    imported: list[ImportResult] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    #: set when the store itself failed (disk full): the run stopped there
    store_failure: str = ""

    @property
    def n_values(self) -> int:
        return sum(r.n_values for r in self.imported)

    @property
    def errors(self) -> list[Skipped]:
        """Data files refused or skipped for an error: the import is not complete."""
        return [s for s in self.skipped if s.error]

    @property
    def complete(self) -> bool:
        return not self.errors and not self.store_failure


#: Keys of a file entry in veerkracht.toml.
_MANIFEST_KEYS = {"bron", "jaar", "overslaan"}


def _manifest(folder: Path) -> dict[str, dict]:
    path = folder / MANIFEST
    if not path.exists():
        return {}
    size = path.stat().st_size
    if size > MAX_MANIFEST_BYTES:  # read whole below: a real manifest has a few lines

        raise InputFileError(
            path,
            f"het manifest is {count(size // 1024)} kB, meer dan de grens van "
            f"{count(MAX_MANIFEST_BYTES // 1024)} kB",
            fix='Zet in veerkracht.toml alleen [bestanden."naam.csv"] met bron, jaar of overslaan.',
        )
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise InputFileError(
            path,
            f"ongeldig manifest: {exc}",
            fix="Zie README, 'Ondersteunde bronnen': [bestanden.\"naam.csv\"] met jaar = 2019.",
        ) from exc
    except UnicodeDecodeError as exc:
        raise InputFileError(
            path, "het manifest is geen UTF-8-tekst", fix="Sla veerkracht.toml op als UTF-8."
        ) from exc
    entries = data.get("bestanden", {})
    if not isinstance(entries, dict):
        raise InputFileError(
            path,
            "'bestanden' moet een tabel per bestand zijn",
            fix='Schrijf [bestanden."naam.csv"] met daaronder bron, jaar of overslaan.',
        )
    return entries


def manifest_problem(name: str, entry: object) -> str | None:
    """Why a file's entry in veerkracht.toml cannot be used, in Dutch (None: it can)."""
    where = f'{MANIFEST} [bestanden."{name}"]'
    if not isinstance(entry, dict):
        return f"{where} is geen tabel. Oplossing: schrijf bron, jaar of overslaan eronder."
    unknown = sorted(set(entry) - _MANIFEST_KEYS)
    if unknown:
        return (
            f"{where}: onbekende sleutel(s) {', '.join(unknown)}. "
            f"Oplossing: gebruik {', '.join(sorted(_MANIFEST_KEYS))}."
        )
    if "jaar" in entry and (problem := check_manifest_year(entry["jaar"])):
        return f"{where}: {problem}. Oplossing: schrijf het jaar als getal, bijv. jaar = 2019."
    if "overslaan" in entry and not isinstance(entry["overslaan"], bool):
        return f"{where}: overslaan = {entry['overslaan']!r}. Oplossing: schrijf overslaan = true."
    if "bron" in entry:
        codes = [r.code for r in all_readers()]
        if entry["bron"] not in codes:
            return (
                f"{where}: onbekende bron {entry['bron']!r}. "
                f"Oplossing: kies uit {', '.join(codes)}."
            )
    return None


def _walk_files(folder: Path) -> tuple[list[Path], list[Skipped]]:
    """Every file under ``folder``; folders that cannot be read are reported, not skipped
    in silence."""
    files: list[Path] = []
    unreadable: list[Skipped] = []

    def failed(exc: OSError) -> None:
        where = Path(exc.filename) if exc.filename else folder
        unreadable.append(
            Skipped(
                where,
                f"map niet leesbaar ({exc.strerror or type(exc).__name__}); de bestanden "
                "erin zijn niet geïmporteerd. Oplossing: geef leesrechten (chmod +rx) of "
                "verplaats de bestanden.",
            )
        )

    for root, _dirs, names in os.walk(folder, onerror=failed):
        for name in names:
            path = Path(root) / name
            if path.is_file():
                files.append(path)
    return sorted(files), unreadable


def candidate_files(folder: Path) -> tuple[list[Path], list[Skipped]]:
    """Data files under ``folder`` (recursively) and the files left aside, with reasons."""
    found, skipped = _walk_files(folder)
    files = []
    for path in found:
        suffix = path.suffix.lower()
        if path.name == MANIFEST or path.name.startswith("."):
            continue
        if suffix in _DOC_SUFFIXES or path.name.lower().endswith(".shp.xml"):
            skipped.append(Skipped(path, "documentatie, geen data", error=False))
        elif suffix in _SHAPEFILE_PARTS or (suffix == ".dbf" and path.with_suffix(".shp").exists()):
            owner = path.with_suffix(".shp")
            if not owner.exists() and path.with_suffix(".dbf").exists():
                owner = path.with_suffix(".dbf")
            skipped.append(Skipped(path, f"hulpbestand bij {owner.name}", error=False))
        else:
            files.append(path)
    return files, skipped


@dataclass
class _Read:
    """What a worker hands back: a table to import, or why the file cannot be read."""

    path: Path
    digest: str
    reader: str = ""
    dataset_key: str = ""
    rows: StoreRows | None = None  # what the file adds, in the store's shape
    error: str = ""
    known: bool = False


def _choose_reader(path: Path, reader: str | None) -> Reader:
    chosen = reader_by_code(reader) if reader else detect(path)
    if chosen is None:
        raise InputFileError(path, f"onbekende lezer '{reader}' in {MANIFEST}")
    return chosen


def _read_validated(path: Path, reader: str | None, year: int | None) -> tuple[Reader, StoreRows]:
    """Check the file, read it and check what was read (rules in sources.validation)."""
    check_file(path)  # bounds what a reader may cost, before it opens the file
    chosen = _choose_reader(path, reader)
    with collecting_unparsed() as unparsed:
        table = chosen.read(path, year=year) if year else chosen.read(path)
    # the store's rows are made here too: CPU work the single writer need not do
    rows = rows_from_table(table)
    del table  # the long values now live in ``rows``: free the reader's copy first
    # arrow's allocator keeps freed blocks for reuse; hand them back before the checks
    # and the write (bench_import_memory.py: ~100 MB less at the peak)
    pa.default_memory_pool().release_unused()
    check_content(rows, unparsed=unparsed)
    return chosen, rows


def _read_file(path: Path, reader: str | None, year: int | None, known: frozenset[str]) -> _Read:
    """Detect and read one file; runs in a worker process, so errors come back as text."""
    digest = ""
    try:
        digest = file_hash(path)
        if digest in known:
            chosen = _choose_reader(path, reader)
            return _Read(path, digest, chosen.code, chosen.dataset.key, known=True)
        chosen, rows = _read_validated(path, reader, year)
        return _Read(path, digest, chosen.code, chosen.dataset.key, rows=rows)
    except VeerkrachtError as exc:
        return _Read(path, digest, error=_reason(exc))
    except Exception as exc:  # one bad file must not stop the others
        log.debug("unexpected error reading %s", path, exc_info=True)
        return _Read(path, digest, error=unexpected_reason("het lezen", exc))


def _reason(exc: VeerkrachtError) -> str:
    return exc.message + (f" (Oplossing: {exc.fix})" if exc.fix else "")


def unexpected_reason(step: str, exc: BaseException) -> str:
    """A Dutch sentence for an error no rule foresaw; the library's text only as detail."""
    if isinstance(exc, MemoryError):
        return (
            f"te weinig geheugen bij {step}. Oplossing: splits het bestand of importeer het "
            "op een machine met meer geheugen."
        )
    if isinstance(exc, PermissionError):
        return (
            f"geen toegang bij {step} (technisch: {exc}). Oplossing: geef leesrechten op "
            "het bestand (chmod +r)."
        )
    if isinstance(exc, OSError):
        return (
            f"het bestand kon niet worden gelezen bij {step} (technisch: "
            f"{type(exc).__name__}: {exc}). Oplossing: controleer of het bestand compleet is "
            "en download het zo nodig opnieuw."
        )
    return (
        f"onverwachte fout bij {step} (technisch: {type(exc).__name__}: {exc}). Oplossing: "
        "controleer of het bestand een ondersteunde bron is (README, 'Ondersteunde bronnen'); "
        "meld het anders als probleem."
    )


def store_failure(exc: BaseException) -> str | None:
    """A Dutch reason when the store itself can no longer write (disk full, I/O error,
    a database DuckDB invalidated); None for an error that concerns only this file."""
    what = write_failure(exc)
    if what is None:
        return None
    text = str(exc).strip()
    first_line = text.splitlines()[0][:200] if text else type(exc).__name__
    return (
        f"{what}; het bestand is niet geïmporteerd en de store is teruggezet naar de stand "
        f"van het vorige bestand (technisch: {first_line}). Oplossing: maak ruimte vrij en "
        "importeer opnieuw; wat al geïmporteerd is, blijft staan."
    )


def _read_job(job: tuple[Path, str | None, int | None, frozenset[str]]) -> _Read:
    return _read_file(*job)


def _store_read(store: Store, read: _Read, *, replace: bool = False) -> ImportResult:
    """Compare with what is stored (rules of stage 'store'), then write atomically."""
    if read.known:
        return ImportResult(read.path.name, read.dataset_key, "al aanwezig")
    # import_table itself turns a known hash (an earlier file in this run) into a no-op
    if read.rows is None:  # a read that failed carries its error; the caller reports it
        raise InputFileError(
            read.path,
            read.error or "het bestand kon niet worden gelezen",
            fix="Controleer of het een bestand van de bron is zoals die het publiceert, "
            "of sla het over in het manifest.",
        )
    if store.has_file(read.digest):
        return ImportResult(read.path.name, read.dataset_key, "al aanwezig")
    comparison = store.compare(read.rows)
    check_stored(read.rows, comparison, replace=replace)
    result = store.import_rows(read.rows, file_hash=read.digest, reader=read.reader)
    result.changes = comparison.summary()
    if result.status == "al aanwezig":
        return result
    log.info(
        "%s: %s, %s waarden, %s geometrieën",
        read.path.name,
        read.reader,
        f"{result.n_values:n}",
        f"{result.n_geometries:n}",
    )
    return result


def import_file(
    store: Store,
    path: Path,
    *,
    reader: str | None = None,
    year: int | None = None,
    replace: bool = False,
) -> ImportResult:
    """Validate one file and import it atomically (a no-op when its hash is known).

    A file that fails a rule raises ``ValidationError``; ``replace`` confirms a
    replacement that changes more than a small share of stored values.
    """
    digest = file_hash(path)
    if store.has_file(digest):
        chosen = _choose_reader(path, reader)
        return ImportResult(path.name, chosen.dataset.key, "al aanwezig")
    chosen, rows = _read_validated(path, reader, year)
    return _store_read(
        store, _Read(path, digest, chosen.code, chosen.dataset.key, rows=rows), replace=replace
    )


#: A job: the file, the reader code and year from the manifest (or None).
Job = tuple[Path, str | None, int | None]


def _reads(jobs: list[Job], known: frozenset[str], workers: int) -> Iterator[_Read]:
    """Read files in worker processes (in order) while the caller imports the previous ones.

    At most about 2 x ``workers`` files are read ahead; a worker that dies only fails
    the files it had in hand (see ``veerkracht._pool``). The first file is read here
    while the workers start.
    """
    if workers <= 1 or len(jobs) < 3:
        for path, reader, year in jobs:
            yield _read_file(path, reader, year, known)
        return

    # forkserver: no fork of a process that holds DuckDB's threads
    yield from bounded_map(
        _read_job,
        ((path, reader, year, known) for path, reader, year in jobs),
        workers=workers,
        failed=lambda job, reason: _Read(job[0], "", error=reason),
        context="forkserver",
        local_first=True,
        # the libraries the readers need, imported once in the forkserver
        preload=[
            "veerkracht.ingest",
            *READER_MODULES,
            "pyarrow.csv",
            "pyarrow.compute",
            "geopandas",
            "pyogrio",
        ],
    )


def import_jobs(
    store: Store,
    jobs: list[Job],
    *,
    report: ImportReport | None = None,
    progress: Callable[[Path], None] | None = None,
    workers: int = 1,
    replace: bool = True,
) -> ImportReport:
    """Read and import the files one by one, each atomically; list failures with reason.

    The one import loop behind ``import_folder`` and ``download.import_files``: a
    file that cannot be read, fails a validation rule, or that the store refuses, is
    listed in ``report.skipped`` and the next file goes on. When the store itself can no
    longer write (disk full), the run stops: ``report.store_failure`` says why and the
    remaining files are listed as not imported. ``replace=False`` refuses a file that
    changes more than a small share of stored values (rules VK401, VK402).
    """
    report = report if report is not None else ImportReport()
    known = frozenset(store.imports().file_hash)
    with closing(_reads(jobs, known, workers)) as reads:  # closing: cancel reads on error
        for read in reads:
            if progress:
                progress(read.path)
            if report.store_failure:
                report.skipped.append(
                    Skipped(read.path, "niet geïmporteerd: de store kon niet meer schrijven")
                )
                continue
            if read.error:
                report.skipped.append(Skipped(read.path, read.error))
                continue
            try:
                report.imported.append(_store_read(store, read, replace=replace))
            except VeerkrachtError as exc:
                report.skipped.append(Skipped(read.path, _reason(exc)))
            except Exception as exc:  # the store rolled this file back; go on with the next
                log.debug("unexpected error importing %s", read.path, exc_info=True)
                failure = store_failure(exc)
                if failure:
                    report.store_failure = failure
                    report.skipped.append(Skipped(read.path, failure))
                else:
                    report.skipped.append(Skipped(read.path, unexpected_reason("het opslaan", exc)))
    return report


def import_folder(
    store: Store,
    folder: str | Path,
    *,
    progress: Callable[[Path], None] | None = None,
    workers: int | None = None,
    replace: bool = True,
) -> ImportReport:
    """Import every recognisable file in ``folder``; list the rest with a reason.

    Files are parsed in ``workers`` processes (default: the number of cores) while the
    store imports them one by one, each in its own transaction, in file order. Every
    file passes the validation rules first (``sources.validation``); ``replace=False``
    (the CLI without ``--vervangen``) also refuses large replacements.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise InputFileError(folder, "map bestaat niet", fix="Geef een bestaande map op.")
    manifest = _manifest(folder)
    files, skipped = candidate_files(folder)
    report = ImportReport(skipped=skipped)
    jobs = []
    for path in files:
        key = str(path.relative_to(folder))
        name = key if key in manifest else path.name
        entry = manifest.get(name, {})
        problem = manifest_problem(name, entry)
        if problem or entry.get("overslaan"):
            report.skipped.append(
                Skipped(path, problem, error=True)
                if problem
                else Skipped(path, f"overgeslagen volgens {MANIFEST}", error=False)
            )
            if progress:
                progress(path)
            continue
        jobs.append((path, entry.get("bron"), entry.get("jaar")))
    import_jobs(
        store,
        jobs,
        report=report,
        progress=progress,
        workers=workers if workers is not None else (os.cpu_count() or 1),
        replace=replace,
    )
    log.info(
        "%d bestanden geïmporteerd, %d overgeslagen, %s waarden",
        len(report.imported),
        len(report.skipped),
        f"{report.n_values:n}",
    )
    return report

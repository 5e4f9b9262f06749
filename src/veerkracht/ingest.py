"""Stage 1: files -> store. Import a folder of downloaded files, whatever their names.

Each file's dataset is recognised from its content (``sources.detect``); a small
manifest ``veerkracht.toml`` in the folder can name the reader or year for a file
or skip it. Every file is imported in its own transaction; files that cannot be
read are listed with the reason and leave the store untouched.
"""

from __future__ import annotations

import logging
import tomllib
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from veerkracht.errors import InputFileError, VeerkrachtError
from veerkracht.sources.base import file_hash
from veerkracht.store import ImportResult, Store
from veerkracht.store._rows import StoreRows, rows_from_table

log = logging.getLogger(__name__)

MANIFEST = "veerkracht.toml"
#: Files that are documentation, not data.
_DOC_SUFFIXES = {".md", ".txt", ".pdf", ".html", ".xml"}
#: Parts of a shapefile: read through their .shp.
_SHAPEFILE_PARTS = {".shx", ".prj", ".cpg", ".sbn", ".sbx", ".qmd", ".qix"}


@dataclass
class Skipped:
    file: Path
    reason: str


@dataclass
class ImportReport:
    imported: list[ImportResult] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    @property
    def n_values(self) -> int:
        return sum(r.n_values for r in self.imported)


def _manifest(folder: Path) -> dict[str, dict]:
    path = folder / MANIFEST
    if not path.exists():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise InputFileError(path, f"ongeldig manifest: {exc}") from exc
    return data.get("bestanden", {})


def candidate_files(folder: Path) -> tuple[list[Path], list[Skipped]]:
    """Data files under ``folder`` (recursively) and the files left aside, with reasons."""
    files, skipped = [], []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        suffix = path.suffix.lower()
        if path.name == MANIFEST or path.name.startswith("."):
            continue
        if suffix in _DOC_SUFFIXES or path.name.lower().endswith(".shp.xml"):
            skipped.append(Skipped(path, "documentatie, geen data"))
        elif suffix in _SHAPEFILE_PARTS or (suffix == ".dbf" and path.with_suffix(".shp").exists()):
            owner = path.with_suffix(".shp")
            if not owner.exists() and path.with_suffix(".dbf").exists():
                owner = path.with_suffix(".dbf")
            skipped.append(Skipped(path, f"hulpbestand bij {owner.name}"))
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


def _choose_reader(path: Path, reader: str | None):
    from veerkracht.sources.base import READERS, _load_readers, detect

    _load_readers()
    chosen = next((r for r in READERS if r.code == reader), None) if reader else detect(path)
    if chosen is None:
        raise InputFileError(path, f"onbekende lezer '{reader}' in {MANIFEST}")
    return chosen


def _read_file(path: Path, reader: str | None, year: int | None, known: frozenset[str]) -> _Read:
    """Detect and read one file; runs in a worker process, so errors come back as text."""
    digest = ""
    try:
        digest = file_hash(path)
        chosen = _choose_reader(path, reader)
        if digest in known:
            return _Read(path, digest, chosen.code, chosen.dataset.key, known=True)
        table = chosen.read(path, year=year) if year else chosen.read(path)
        # the store's rows are made here too: CPU work the single writer need not do
        rows = rows_from_table(table)
        return _Read(path, digest, chosen.code, chosen.dataset.key, rows=rows)
    except VeerkrachtError as exc:
        return _Read(path, digest, error=_reason(exc))
    except Exception as exc:  # one bad file must not stop the others
        log.debug("unexpected error reading %s", path, exc_info=True)
        return _Read(path, digest, error=f"onverwachte fout: {type(exc).__name__}: {exc}")


def _reason(exc: VeerkrachtError) -> str:
    return exc.message + (f" ({exc.fix})" if exc.fix else "")


def _read_job(job: tuple[Path, str | None, int | None, frozenset[str]]) -> _Read:
    return _read_file(*job)


def _store_read(store: Store, read: _Read) -> ImportResult:
    if read.known:
        return ImportResult(read.path.name, read.dataset_key, "al aanwezig")
    # import_table itself turns a known hash (an earlier file in this run) into a no-op
    assert read.rows is not None
    result = store.import_rows(read.rows, file_hash=read.digest, reader=read.reader)
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
    store: Store, path: Path, *, reader: str | None = None, year: int | None = None
) -> ImportResult:
    """Read one file and import it atomically (a no-op when its hash is known)."""
    digest = file_hash(path)
    chosen = _choose_reader(path, reader)
    if store.has_file(digest):
        return ImportResult(path.name, chosen.dataset.key, "al aanwezig")
    table = chosen.read(path, year=year) if year else chosen.read(path)
    rows = rows_from_table(table)
    return _store_read(store, _Read(path, digest, chosen.code, chosen.dataset.key, rows=rows))


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
    from veerkracht._pool import bounded_map

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
            "veerkracht.sources._all",
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
) -> ImportReport:
    """Read and import the files one by one, each atomically; list failures with reason.

    The one import loop behind ``import_folder`` and ``online.fetch.import_files``: a
    file that cannot be read, or that the store refuses, is listed in ``report.skipped``
    and the next file goes on.
    """
    report = report if report is not None else ImportReport()
    known = frozenset(store.imports().file_hash)
    with closing(_reads(jobs, known, workers)) as reads:  # closing: cancel reads on error
        for read in reads:
            if progress:
                progress(read.path)
            if read.error:
                report.skipped.append(Skipped(read.path, read.error))
                continue
            try:
                report.imported.append(_store_read(store, read))
            except VeerkrachtError as exc:
                report.skipped.append(Skipped(read.path, _reason(exc)))
            except Exception as exc:  # the store rolled this file back; go on with the next
                log.debug("unexpected error importing %s", read.path, exc_info=True)
                report.skipped.append(
                    Skipped(read.path, f"fout bij opslaan: {type(exc).__name__}: {exc}")
                )
    return report


def import_folder(
    store: Store,
    folder: str | Path,
    *,
    progress: Callable[[Path], None] | None = None,
    workers: int | None = None,
) -> ImportReport:
    """Import every recognisable file in ``folder``; list the rest with a reason.

    Files are parsed in ``workers`` processes (default: the number of cores) while the
    store imports them one by one, each in its own transaction, in file order.
    """
    import os

    folder = Path(folder)
    if not folder.is_dir():
        raise InputFileError(folder, "map bestaat niet", fix="Geef een bestaande map op.")
    manifest = _manifest(folder)
    files, skipped = candidate_files(folder)
    report = ImportReport(skipped=skipped)
    jobs = []
    for path in files:
        entry = manifest.get(str(path.relative_to(folder)), manifest.get(path.name, {}))
        if entry.get("overslaan"):
            report.skipped.append(Skipped(path, f"overgeslagen volgens {MANIFEST}"))
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
    )
    log.info(
        "%d bestanden geïmporteerd, %d overgeslagen, %s waarden",
        len(report.imported),
        len(report.skipped),
        f"{report.n_values:n}",
    )
    return report

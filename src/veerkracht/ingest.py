"""Stage 1: files -> store. Import a folder of downloaded files, whatever their names.

Each file's dataset is recognised from its content (``sources.detect``); a small
manifest ``veerkracht.toml`` in the folder can name the reader or year for a file
or skip it. Every file is imported in its own transaction; files that cannot be
read are listed with the reason and leave the store untouched.
"""

from __future__ import annotations

import logging
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from veerkracht.errors import InputFileError, VeerkrachtError
from veerkracht.sources.base import file_hash
from veerkracht.store import ImportResult, Store

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


def import_file(
    store: Store, path: Path, *, reader: str | None = None, year: int | None = None
) -> ImportResult:
    """Read one file and import it atomically (a no-op when its hash is known)."""
    from veerkracht.sources.base import READERS, _load_readers, detect

    digest = file_hash(path)
    _load_readers()
    chosen = next((r for r in READERS if r.code == reader), None) if reader else detect(path)
    if chosen is None:
        raise InputFileError(path, f"onbekende lezer '{reader}' in {MANIFEST}")
    if store.has_file(digest):
        return ImportResult(path.name, chosen.dataset.key, "al aanwezig")
    table = chosen.read(path, year=year) if year else chosen.read(path)
    result = store.import_table(table, file_hash=digest, reader=chosen.code)
    log.info(
        "%s: %s, %s waarden, %s geometrieën",
        path.name,
        chosen.code,
        f"{result.n_values:n}",
        f"{result.n_geometries:n}",
    )
    return result


def import_folder(
    store: Store,
    folder: str | Path,
    *,
    progress: Callable[[Path], None] | None = None,
) -> ImportReport:
    """Import every recognisable file in ``folder``; list the rest with a reason."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputFileError(folder, "map bestaat niet", fix="Geef een bestaande map op.")
    manifest = _manifest(folder)
    files, skipped = candidate_files(folder)
    report = ImportReport(skipped=skipped)
    for path in files:
        entry = manifest.get(str(path.relative_to(folder)), manifest.get(path.name, {}))
        if progress:
            progress(path)
        if entry.get("overslaan"):
            report.skipped.append(Skipped(path, f"overgeslagen volgens {MANIFEST}"))
            continue
        try:
            result = import_file(store, path, reader=entry.get("bron"), year=entry.get("jaar"))
        except VeerkrachtError as exc:
            report.skipped.append(Skipped(path, exc.message + (f" ({exc.fix})" if exc.fix else "")))
            continue
        except Exception as exc:  # one bad file must not stop the others
            log.debug("unexpected error reading %s", path, exc_info=True)
            report.skipped.append(Skipped(path, f"onverwachte fout: {type(exc).__name__}: {exc}"))
            continue
        report.imported.append(result)
    log.info(
        "%d bestanden geïmporteerd, %d overgeslagen, %s waarden",
        len(report.imported),
        len(report.skipped),
        f"{report.n_values:n}",
    )
    return report

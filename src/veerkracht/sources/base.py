"""The contract between source readers and the store.

A reader turns one downloaded file into a :class:`SourceTable`. Values are long
format — one row per (region, edition, period, variable) — so that every source,
whatever its layout, lands in the same store table.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
from openpyxl import load_workbook

if TYPE_CHECKING:
    import geopandas as gpd

#: Columns of ``SourceTable.values``.
VALUE_COLUMNS = ["region_code", "level", "edition", "period", "variable", "value", "status"]
#: Columns of ``SourceTable.regions``.
REGION_COLUMNS = ["region_code", "level", "edition", "name", "gemeente_code"]
#: Columns of ``SourceTable.crosswalk``.
CROSSWALK_COLUMNS = ["from_code", "from_edition", "to_code", "to_edition", "weight"]

#: Value status codes (stable, stored).
STATUS_OK = "ok"
STATUS_SUPPRESSED = "geheim"  # '.' in StatLine: suppressed or unreliable
STATUS_EMPTY = "leeg"  # empty cell in a column that the period does have

#: How a variable behaves when regions are split or merged.
KINDS = (
    "aantal",  # additive count
    "percentage",  # percentage of its denominator
    "per_1000",  # per 1,000 of its denominator
    "gemiddelde",  # mean per unit of its denominator (income per inhabitant)
    "score",  # non-additive score: weighted mean
    "klasse",  # ordinal class: not translated arithmetically
    "code",  # a code (e.g. most common postcode): never translated
)


@dataclass
class Skipped:
    """A file that was not read (or not imported), and why."""

    file: Path
    reason: str
    #: False for files that are not data (documentation, shapefile parts, 'overslaan' in
    #: the manifest); True when a data file was refused or could not be read
    error: bool = True


@dataclass(frozen=True)
class DatasetInfo:
    """What a file is: publisher, official dataset id and title."""

    key: str  # stable veerkracht key, e.g. "cbs_kwb"
    publisher: str
    title: str
    dataset_id: str = ""  # official id, e.g. "83765NED"
    licence: str = ""
    url: str = ""


@dataclass(frozen=True)
class Variable:
    """A source variable as stored: how it behaves under boundary translation."""

    key: str  # store key, e.g. "kwb.p_wcorpw"
    label: str  # Dutch label shown to users
    unit: str
    kind: str
    denominator: str | None = None  # store key of the denominator for rates/means


@dataclass
class SourceTable:
    """Everything one file contributes to the store."""

    dataset: DatasetInfo
    path: Path
    values: pd.DataFrame
    variables: list[Variable] = field(default_factory=list)
    regions: pd.DataFrame | None = None
    geometries: gpd.GeoDataFrame | None = None
    crosswalk: pd.DataFrame | None = None
    #: variables the dataset defines but this file/period lacks, per period
    missing: dict[int, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def periods(self) -> list[int]:
        if self.values.empty:
            return []
        return sorted(int(p) for p in self.values["period"].unique())

    @property
    def editions(self) -> list[int]:
        eds: set[int] = set()
        for frame in (self.values, self.regions, self.geometries):
            if frame is not None and not frame.empty:
                eds.update(int(e) for e in frame["edition"].unique())
        return sorted(eds)


def sniff_separator(first_line: str) -> str:
    # separators inside quoted titles ("Regiocode (gemeente, wijk, buurt)") do not count
    unquoted = re.sub(r'"[^"]*"', "", first_line)
    counts = {sep: unquoted.count(sep) for sep in (";", ",", "\t")}
    return max(counts, key=lambda s: counts[s])


def header_fields(first_line: str, sep: str) -> list[str]:
    """Column titles of a header line, quote-aware (``"Regiocode (gemeente, wijk)"``)."""
    fields = next(csv.reader([first_line], delimiter=sep, skipinitialspace=True), [])
    return [c.strip().lstrip("\ufeff").strip('"') for c in fields]


class FileSample:
    """Cheap look at a file's content, shared by all readers' ``sniff``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.suffix = "".join(path.suffixes[-1:]).lower()

    @cached_property
    def head_bytes(self) -> bytes:
        with self.path.open("rb") as fh:
            return fh.read(65536)

    @cached_property
    def head_text(self) -> str:
        raw = self.head_bytes
        for encoding in ("utf-8-sig", "cp1252"):
            try:
                return raw.decode(encoding)
            except UnicodeDecodeError as exc:
                # a multi-byte character cut at the 64 KiB boundary is fine
                if encoding == "utf-8-sig" and exc.start >= len(raw) - 4:
                    return raw[: exc.start].decode(encoding)
        return raw.decode("latin-1")

    @cached_property
    def first_line(self) -> str:
        return self.head_text.splitlines()[0] if self.head_text else ""

    @cached_property
    def header(self) -> list[str]:
        """Column titles of a delimited text file's first line; quote-aware, so a title
        like ``"Regiocode (gemeente, wijk, buurt)"`` stays one column."""
        line = self.first_line
        if not line:
            return []
        try:
            return header_fields(line, sniff_separator(line))
        except csv.Error:  # not a delimited text file
            return []

    @cached_property
    def xlsx_header(self) -> list[str]:
        """Header row of the first sheet of an xlsx workbook (empty if not xlsx)."""
        if self.suffix not in {".xlsx", ".xlsm"}:
            return []

        try:
            wb = load_workbook(self.path, read_only=True)
            ws = wb.worksheets[0]
            row = next(ws.iter_rows(min_row=1, max_row=1, values_only=True), ())
            wb.close()
        except Exception:  # a corrupt workbook is simply not recognised
            return []
        return [str(c).strip() for c in row if c is not None]


@dataclass(frozen=True)
class Reader:
    """One reader: a stable code, how to recognise a file, how to read it."""

    code: str  # stable reader code, e.g. "cbs_kwb_csv"
    dataset: DatasetInfo
    sniff: Callable[[FileSample], bool]
    read: Callable[[Path], SourceTable]
    description: str = ""


#: Parts of a shapefile that change what is read: hashed together with the .shp.
SHAPEFILE_SIDECARS = (".dbf", ".shx", ".prj", ".cpg")


def file_hash(path: Path) -> str:
    """SHA-256 of a file; for a ``.shp`` of the file and its sidecars (.dbf .shx .prj .cpg).

    The attributes of a shapefile live in its .dbf: a corrected .dbf next to an
    unchanged .shp is a new file to import, not "al aanwezig". A plain file hashes
    to the SHA-256 of its bytes, so hashes already in a store stay valid.
    """
    digest = hashlib.sha256()
    parts = [path]
    if path.suffix.lower() == ".shp":
        for ext in SHAPEFILE_SIDECARS:
            variants = (path.with_suffix(ext), path.with_suffix(ext.upper()))
            found = [p for p in variants if p.exists()]
            parts += found[:1]
    for i, part in enumerate(parts):
        if i:  # the sidecar's kind, so moving bytes between parts changes the hash
            digest.update(b"\0" + part.suffix.lower().encode() + b"\0")
        with part.open("rb") as fh:
            for chunk in iter(lambda fh=fh: fh.read(1 << 20), b""):
                digest.update(chunk)
    return digest.hexdigest()

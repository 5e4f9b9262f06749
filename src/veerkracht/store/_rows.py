"""A SourceTable as the store's rows, made without the database.

Everything here is CPU work on one file's table and needs no connection, so ingest
does it in the worker processes that read the files. The store then only maps keys to
its integer ids and writes (``Store.import_rows``), one file at a time: at national
scale that keeps the single writer from being the bottleneck.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, overload

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import shapely

from veerkracht.errors import StoreError
from veerkracht.settings import STORE_CRS

if TYPE_CHECKING:
    from veerkracht.sources.base import DatasetInfo, SourceTable, Variable

#: Stored status codes (value_rows.status); the view "values" spells them out again.
STATUS_CODES = {"ok": 0, "geheim": 1, "leeg": 2}
#: Status text -> code, for upgrading schema-1 stores (anything else there counts as leeg).
STATUS_SQL = (
    "CASE v.status "
    + " ".join(f"WHEN '{name}' THEN {code}" for name, code in STATUS_CODES.items())
    + f" ELSE {STATUS_CODES['leeg']} END"
)
#: Columns of the geometries table before import_id (which the store adds).
GEOMETRY_COLUMNS = [
    "region_code", "level", "edition", "name", "gemeente_code", "source_key",
    "geometry", "area_m2", "minx", "miny", "maxx", "maxy",
]  # fmt: skip


class RegionKeys(Sequence[tuple[str, str]]):
    """Distinct (region_code, level) pairs, held as two arrow string arrays.

    A Python tuple of two strings per key costs ~120 bytes: 160 MB for the 1.35 million
    regions of a 100 MiB CSV, where these arrays take ~20 MB.
    """

    def __init__(self, codes: pa.Array, levels: pa.Array) -> None:
        self.codes = codes.cast(pa.string())
        self.levels = levels.cast(pa.string())

    @classmethod
    def from_pairs(cls, pairs: Iterable[tuple[str, str]]) -> RegionKeys:
        listed = list(pairs)
        return cls(
            pa.array([c for c, _ in listed], pa.string()),
            pa.array([lv for _, lv in listed], pa.string()),
        )

    def __len__(self) -> int:
        return len(self.codes)

    @overload
    def __getitem__(self, i: int) -> tuple[str, str]: ...
    @overload
    def __getitem__(self, i: slice) -> list[tuple[str, str]]: ...
    def __getitem__(self, i: int | slice) -> tuple[str, str] | list[tuple[str, str]]:
        if isinstance(i, slice):
            return list(zip(self.codes[i].to_pylist(), self.levels[i].to_pylist(), strict=True))
        i = int(i)
        return self.codes[i].as_py(), self.levels[i].as_py()

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self[:])

    def table(self) -> pa.Table:
        """The keys as a table (region_code, level), in order."""
        return pa.table({"region_code": self.codes, "level": self.levels})


@dataclass
class ValueRows:
    """Long values with their keys factorised: per row an index into the distinct keys."""

    region_keys: RegionKeys  # distinct (region_code, level); a list of pairs is converted
    region_index: np.ndarray  # int32 per row
    variables: list[str]  # distinct variables
    variable_index: np.ndarray  # int16 (or int32 for many variables) per row
    edition: np.ndarray  # int32
    period: np.ndarray  # int32
    value: np.ndarray  # float64
    status: np.ndarray  # uint8, STATUS_CODES

    def __post_init__(self) -> None:
        if not isinstance(self.region_keys, RegionKeys):
            self.region_keys = RegionKeys.from_pairs(self.region_keys)

    def __len__(self) -> int:
        return len(self.value)


@dataclass
class StoreRows:
    """Everything one file writes, in the store's shape (see ``rows_from_table``)."""

    dataset: DatasetInfo
    path: Path
    periods: list[int]
    editions: list[int]
    variables: list[Variable] = field(default_factory=list)
    missing: dict[int, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    values: ValueRows | None = None
    regions: pd.DataFrame | None = None  # REGION_COLUMNS, one row per code and edition
    geometries: pd.DataFrame | None = None  # GEOMETRY_COLUMNS
    crosswalk: pd.DataFrame | None = None
    #: gemeente digits (0363) whose translations this file makes stale; None = all
    touched: list[str] | None = field(default_factory=list)


def rows_from_table(table: SourceTable) -> StoreRows:
    """The rows ``table`` adds to the store; refuses values the store cannot hold."""
    values = value_rows(table.values) if not table.values.empty else None
    regions = table.regions
    if regions is not None and not regions.empty and _has_repeats(regions):
        regions = regions.drop_duplicates(["region_code", "edition"])
    return StoreRows(
        dataset=table.dataset,
        path=table.path,
        periods=_distinct(values.period) if values else [],
        editions=table.editions,
        variables=list(table.variables),
        missing=dict(table.missing),
        notes=list(table.notes),
        values=values,
        regions=regions if regions is not None and not regions.empty else None,
        geometries=geometry_rows(table),
        crosswalk=table.crosswalk if table.crosswalk is not None and not table.crosswalk.empty
        else None,
        touched=touched_gemeenten(table),
    )


def value_rows(values: pd.DataFrame) -> ValueRows:
    code_idx, code_uniques = _factorize(values["region_code"])
    level_idx, level_uniques = _factorize(values["level"])
    if (code_idx < 0).any() or (level_idx < 0).any():
        raise StoreError("waarden zonder gebiedscode of niveau kunnen niet worden opgeslagen")
    # number the (code, level) pairs that occur; the key space is small, so a lookup
    # array is several times faster than hashing millions of pairs
    n_pairs = len(code_uniques) * len(level_uniques)
    if len(level_uniques) == 1 and n_pairs < 2**31:
        key = code_idx.astype("int32", copy=False)  # one level: the code is the pair
    else:
        key = code_idx.astype("int32" if n_pairs < 2**31 else "int64")  # half the memory
        key *= len(level_uniques)
        key += level_idx
    present = np.zeros(n_pairs, dtype=bool)
    present[key] = True
    pairs = np.flatnonzero(present)
    # every pair occurs (as readers make them): the key is already the index, no copy
    # of millions of rows; otherwise renumber the pairs that occur
    if len(pairs) == n_pairs:
        region_index = key.astype("int32", copy=False)
    else:
        number = np.full(len(present), -1, dtype="int32")
        number[pairs] = np.arange(len(pairs), dtype="int32")
        region_index = number[key]
    region_keys = RegionKeys(
        _strings(code_uniques).take(pa.array(pairs // len(level_uniques))),
        _strings(level_uniques).take(pa.array(pairs % len(level_uniques))),
    )
    var_idx, var_uniques = _factorize(values["variable"])
    if (var_idx < 0).any():
        raise StoreError("waarden zonder variabele kunnen niet worden opgeslagen")
    used = np.flatnonzero(_used(var_idx, len(var_uniques)))
    # few variables: int16 codes, half the memory of int32 for millions of rows
    renumber = np.full(len(var_uniques), -1, dtype="int16" if len(used) < 2**15 else "int32")
    renumber[used] = np.arange(len(used), dtype="int32")
    return ValueRows(
        region_keys=region_keys,
        region_index=region_index,
        variables=[str(var_uniques[i]) for i in used],
        variable_index=renumber[var_idx],
        edition=values["edition"].to_numpy(dtype="int32"),
        period=values["period"].to_numpy(dtype="int32"),
        value=_floats(values["value"]),
        status=status_codes(values["status"]),
    )


def status_codes(status: pd.Series) -> np.ndarray:
    """Status per row as its small integer code; an unknown status is refused."""
    if isinstance(status.dtype, pd.CategoricalDtype) and list(status.cat.categories) == list(
        STATUS_CODES
    ):  # as the readers make it: the categorical's codes are the stored codes
        codes = status.cat.codes.to_numpy()
        if (codes >= 0).all():
            return codes.astype("uint8")
    idx, uniques = _factorize(status)
    unknown = sorted({str(u) for u in uniques[_used(idx, len(uniques))]} - STATUS_CODES.keys())
    if unknown or (idx < 0).any():
        raise StoreError(
            f"onbekende status {unknown or ['(leeg)']} in de waarden",
            fix=f"Gebruik een van: {', '.join(STATUS_CODES)}.",
        )
    lookup = np.array([STATUS_CODES.get(str(u), 0) for u in uniques], dtype="uint8")
    return lookup[idx]


def geometry_rows(table: SourceTable) -> pd.DataFrame | None:
    """Polygons as stored: EPSG:28992 WKB with area and bounding box."""
    gdf = table.geometries
    if gdf is None or gdf.empty:
        return None

    gdf = gdf.to_crs(STORE_CRS) if gdf.crs is not None and gdf.crs != STORE_CRS else gdf
    geoms = gdf.geometry.to_numpy()
    bounds = shapely.bounds(geoms)
    return pd.DataFrame(
        {
            "region_code": gdf["region_code"].to_numpy(),
            "level": gdf["level"].to_numpy(),
            "edition": gdf["edition"].astype("int32").to_numpy(),
            "name": gdf["name"].to_numpy() if "name" in gdf else None,
            "gemeente_code": gdf["gemeente_code"].to_numpy() if "gemeente_code" in gdf else None,
            "source_key": table.dataset.key,
            "geometry": shapely.to_wkb(geoms),
            "area_m2": shapely.area(geoms),
            "minx": bounds[:, 0],
            "miny": bounds[:, 1],
            "maxx": bounds[:, 2],
            "maxy": bounds[:, 3],
        }
    )[GEOMETRY_COLUMNS]


def touched_gemeenten(table: SourceTable) -> list[str] | None:
    """Digits of the gemeenten whose translations new values, boundaries or crosswalks
    make stale; None when PC4 data (Leefbaarometer 2.0) can reach every gemeente."""
    digits: set[str] = set()
    for frame in (table.values, table.geometries, table.crosswalk):
        if frame is None or frame.empty:
            continue
        if "level" in frame and (frame["level"] == "pc4").any():
            return None
        column = frame["region_code" if "region_code" in frame else "from_code"]
        codes = pd.Series(
            column.cat.categories
            if isinstance(column.dtype, pd.CategoricalDtype)
            else column.unique(),
            dtype="string",
        )
        cbs = codes.str[:2].isin(["GM", "WK", "BU"]).fillna(False)
        digits.update(codes[cbs].str[2:6].unique().tolist())
    return sorted(digits)


def _distinct(numbers: np.ndarray) -> list[int]:
    # one period per file is the rule: spare hashing 700,000 rows for it
    low, high = int(numbers.min()), int(numbers.max())
    return [low] if low == high else sorted(int(n) for n in np.unique(numbers))


def _factorize(series: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Codes per row and the values they stand for (-1 = missing); a categorical column
    (as readers give) already has them, which spares hashing millions of rows."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        return series.cat.codes.to_numpy(), series.cat.categories
    idx, uniques = pd.factorize(series, sort=False)
    return idx, pd.Index(uniques)


def _has_repeats(regions: pd.DataFrame) -> bool:
    """Whether a (region_code, edition) pair occurs twice. Sorted in arrow and compared
    with the neighbour: pandas' duplicate check (a Python string per row) and arrow's
    hash table each took 150-190 MB for 1.35 million regions, this ~15 MB."""
    keys = pa.table(
        {"code": pa.array(regions["region_code"].astype(str)), "edition": regions["edition"]}
    )
    ordered = keys.take(
        pc.sort_indices(keys, sort_keys=[("code", "ascending"), ("edition", "ascending")])
    )
    n = ordered.num_rows
    code, edition = ordered["code"], ordered["edition"]
    same = pc.and_(
        pc.equal(code.slice(1), code.slice(0, n - 1)),
        pc.equal(edition.slice(1), edition.slice(0, n - 1)),
    )
    return bool(pc.any(same).as_py())


def _floats(column: pd.Series) -> np.ndarray:
    """A value column as float64 with NaN for missing; no copy when it already is one."""
    if column.dtype == np.float64:
        return column.to_numpy()
    return column.to_numpy(dtype="float64", na_value=np.nan)


def _strings(index: pd.Index) -> pa.Array:
    """The values of ``index`` as an arrow string array (as ``str`` would write them)."""
    return pa.array(index.astype(str)).cast(pa.string())


def _used(idx: np.ndarray, n: int) -> np.ndarray:
    """Which of ``n`` codes occur in ``idx`` (unused categories must not become keys)."""
    return np.bincount(idx[idx >= 0], minlength=n) > 0

"""What a file would change in the store, computed before anything is written.

Used by the 'store' validation rules (``sources.validation.replacement`` and
``.area_change``) and shown to the user for every replacement: how many stored values
the file overlaps, how many it changes and the largest differences.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd
import pyarrow as pa

from veerkracht.numbers import count, km2, number
from veerkracht.store.schema import _unregister

if TYPE_CHECKING:
    import duckdb

    from veerkracht.store._rows import StoreRows

#: two values differ when they differ by more than this share of the old value (or 1e-9)
REL_TOLERANCE = 1e-9
_STATUS = {0: "ok", 1: "geheim", 2: "leeg"}


@dataclass
class StoredComparison:
    n_existing: int = 0  # values of the file that the store already holds
    n_changed: int = 0  # ... of which the value or status differs
    #: region_code, variable, period, old_value, new_value, old_status, new_status
    largest: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: region_code, level, edition, old_area, new_area, shift_m (stored geometries only)
    areas: pd.DataFrame | None = None

    def largest_text(self, limit: int = 5) -> list[str]:
        """'BU03630101 kwb.p_wcorpw 2019: 3 → 51' for the largest differences."""
        out = []
        for r in self.largest.head(limit).itertuples():
            old = _value(r.old_value, r.old_status, number)
            new = _value(r.new_value, r.new_status, number)
            out.append(f"{r.region_code} {r.variable} {r.period}: {old} → {new}")
        return out

    def summary(self) -> str:
        """One Dutch line for a replacement ('' when nothing stored is touched)."""
        parts = []
        if self.n_existing and not self.n_changed:
            parts.append(f"{count(self.n_existing)} opgeslagen waarden vervangen door gelijke")
        elif self.n_existing:
            parts.append(
                f"{count(self.n_changed)} van {count(self.n_existing)} opgeslagen waarden "
                f"gewijzigd; grootste verschillen: {'; '.join(self.largest_text(3))}"
            )
        if self.areas is not None and not self.areas.empty:
            change = (self.areas.new_area - self.areas.old_area).abs() / self.areas.old_area
            worst = self.areas.loc[change.idxmax()]
            parts.append(
                f"{count(len(self.areas))} opgeslagen grenzen vervangen; grootste verandering "
                f"{worst.region_code} {worst.edition}: {km2(worst.old_area)} → "
                f"{km2(worst.new_area)}"
            )
        return "; ".join(parts)


def _value(x: float | None, status: int, number) -> str:
    if status != 0 or x is None or x != x:
        return _STATUS.get(int(status), "leeg")
    return number(float(x), 2) if float(x) != int(x) else str(int(x))


def compare_with_store(con: duckdb.DuckDBPyConnection, rows: StoreRows) -> StoredComparison:
    """The stored values and boundaries ``rows`` would replace, and how they differ."""
    out = StoredComparison()
    if rows.values is not None and len(rows.values):
        _compare_values(con, rows, out)
    if rows.geometries is not None and len(rows.geometries):
        out.areas = _compare_areas(con, rows)
    return out


def _compare_values(con: duckdb.DuckDBPyConnection, rows: StoreRows, out: StoredComparison):
    earlier = [
        r[0]
        for r in con.execute(
            """SELECT import_id FROM imports
               WHERE dataset_key = ? AND n_values > 0 AND list_has_any(periods, ?)""",
            [rows.dataset.key, rows.periods],
        ).fetchall()
    ]
    if not earlier:
        return  # a first file of this dataset and period: nothing is replaced

    values = rows.values
    if values is None:
        return  # a geometry-only file replaces no values
    codes = values.region_keys.codes
    new = pa.table(
        {
            "region_code": pa.DictionaryArray.from_arrays(
                pa.array(values.region_index, pa.int32()), codes
            ),
            "variable": pa.DictionaryArray.from_arrays(
                pa.array(values.variable_index, pa.int32()), pa.array(values.variables)
            ),
            "period": values.period,
            "value": pa.array(values.value, from_pandas=True),
            "status": values.status,
        }
    )
    con.register("cmp_new", new)
    try:
        con.execute(
            """CREATE OR REPLACE TEMP TABLE cmp_pairs AS
               SELECT CAST(n.region_code AS VARCHAR) AS region_code,
                      CAST(n.variable AS VARCHAR) AS variable, n.period,
                      o.value AS old_value, n.value AS new_value,
                      o.status AS old_status, n.status AS new_status,
                      (o.status <> n.status OR (o.value IS NULL) <> (n.value IS NULL)
                       OR abs(n.value - o.value) > ? * greatest(1, abs(o.value)))
                        AS changed
               FROM cmp_new n JOIN (
                   SELECT r.region_code, k.variable, v.period, v.value, v.status
                   FROM value_rows v
                   JOIN region_keys r ON r.region_id = v.region_id
                   JOIN variable_keys k ON k.variable_id = v.variable_id
                   WHERE list_contains(?, v.import_id) AND list_contains(?, v.period)) o
                 ON o.region_code = CAST(n.region_code AS VARCHAR)
                AND o.variable = CAST(n.variable AS VARCHAR) AND o.period = n.period""",
            [REL_TOLERANCE, earlier, rows.periods],
        )
        [(n_existing, n_changed)] = con.execute(
            "SELECT count(*), count(*) FILTER (WHERE changed) FROM cmp_pairs"
        ).fetchall()
        out.n_existing, out.n_changed = int(n_existing), int(n_changed or 0)
        if out.n_changed:
            out.largest = con.execute(
                """SELECT region_code, variable, period, old_value, new_value,
                          old_status, new_status
                   FROM cmp_pairs WHERE changed
                   ORDER BY coalesce(abs(new_value - old_value), 1e300) DESC,
                            region_code, variable
                   LIMIT 10"""
            ).df()
        con.execute("DROP TABLE cmp_pairs")
    finally:
        _unregister(con, "cmp_new")


def _compare_areas(con: duckdb.DuckDBPyConnection, rows: StoreRows) -> pd.DataFrame | None:
    geoms = rows.geometries
    if geoms is None:
        return None
    editions = sorted(int(e) for e in pd.unique(geoms["edition"]))
    [(existing,)] = con.execute(
        "SELECT count(*) FROM geometries WHERE list_contains(?, edition)", [editions]
    ).fetchall()
    if not existing:
        return None
    new = geoms[["region_code", "level", "edition", "area_m2", "minx", "miny", "maxx", "maxy"]]
    con.register("cmp_geoms", new)
    try:
        return con.execute(
            """SELECT n.region_code, n.level, n.edition, g.area_m2 AS old_area,
                      n.area_m2 AS new_area,
                      sqrt(power((n.minx + n.maxx - g.minx - g.maxx) / 2, 2)
                           + power((n.miny + n.maxy - g.miny - g.maxy) / 2, 2)) AS shift_m
               FROM cmp_geoms n JOIN geometries g
                 ON g.region_code = n.region_code AND g.edition = n.edition
                AND g.level = n.level
               ORDER BY n.region_code"""
        ).df()
    finally:
        _unregister(con, "cmp_geoms")

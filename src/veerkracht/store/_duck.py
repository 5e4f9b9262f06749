"""DuckDB implementation of the store.

Every import runs in one transaction: the same file twice changes nothing (its
hash is known), a newer file for the same dataset/period replaces the old rows,
and a failure or interrupt rolls back to exactly the previous state.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import numpy as np
import pandas as pd

from veerkracht.errors import StoreError

if TYPE_CHECKING:
    import geopandas as gpd

    from veerkracht.settings import Settings
    from veerkracht.sources.base import SourceTable

log = logging.getLogger(__name__)

SCHEMA_VERSION = "2"
_SCHEMA = Path(__file__).with_name("_schema.sql")


@dataclass
class ImportResult:
    file_name: str
    dataset_key: str
    status: str  # geïmporteerd | al aanwezig | vervangen
    n_values: int = 0
    n_geometries: int = 0
    periods: list[int] = field(default_factory=list)
    editions: list[int] = field(default_factory=list)
    missing: dict[int, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


#: Stored status codes (value_rows.status); the view "values" spells them out again.
STATUS_CODES = {"ok": 0, "geheim": 1, "leeg": 2}
_STATUS_SQL = "CASE v.status " + " ".join(
    f"WHEN '{name}' THEN {code}" for name, code in STATUS_CODES.items()
) + " END"


def _factorize(series: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Codes per row and the values they stand for (-1 = missing); a categorical column
    (as readers give) already has them, which spares hashing millions of rows."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        return series.cat.codes.to_numpy(), series.cat.categories
    idx, uniques = pd.factorize(series, sort=False)
    return idx, pd.Index(uniques)


def _used(idx: np.ndarray, n: int) -> np.ndarray:
    """Which of ``n`` codes occur in ``idx`` (unused categories must not become keys)."""
    return np.bincount(idx[idx >= 0], minlength=n) > 0


def _status_codes(status: pd.Series):
    """Status per row as its small integer code; an unknown status is refused."""
    idx, uniques = _factorize(status)
    unknown = sorted({str(u) for u in uniques[_used(idx, len(uniques))]} - STATUS_CODES.keys())
    if unknown or (idx < 0).any():
        raise StoreError(
            f"onbekende status {unknown or ['(leeg)']} in de waarden",
            fix=f"Gebruik een van: {', '.join(STATUS_CODES)}.",
        )
    lookup = np.array([STATUS_CODES.get(str(u), 0) for u in uniques], dtype="uint8")
    return lookup[idx]


class _KeyTable:
    """Integer ids for the keys of region_keys or variable_keys, cached between imports.

    ``refresh`` (at the start of every import transaction) checks the cache against the
    table's row count and highest id, so a rolled-back import or another connection's
    additions make it reload.
    """

    def __init__(self, table: str, id_column: str, key: list[str]) -> None:
        self.table, self.id_column, self.key = table, id_column, key
        self.ids_by_key: dict[tuple, int] = {}
        self.state: tuple[int, int] = (-1, -1)  # (row count, highest id) when cached

    def ids(self, con: duckdb.DuckDBPyConnection, keys: list[tuple]) -> np.ndarray:
        """The id of every key, in order; keys not yet known are added in sorted order
        (so one gemeente's buurten get neighbouring ids and DuckDB can skip row groups)."""
        new = sorted({k for k in keys if k not in self.ids_by_key})
        if new:
            first = self.state[1] + 1
            rows = [(first + i, *k) for i, k in enumerate(new)]
            self._insert(con, rows)
            self.ids_by_key.update((k, first + i) for i, k in enumerate(new))
            self.state = (self.state[0] + len(new), first + len(new) - 1)
        return np.fromiter((self.ids_by_key[k] for k in keys), dtype="int32", count=len(keys))

    def _insert(self, con: duckdb.DuckDBPyConnection, rows: list[tuple]) -> None:
        frame = pd.DataFrame(rows, columns=[self.id_column, *self.key])
        con.register("new_keys", frame)
        try:
            con.execute(f"INSERT INTO {self.table} SELECT * FROM new_keys")
        finally:
            con.unregister("new_keys")

    def refresh(self, con: duckdb.DuckDBPyConnection) -> None:
        # fetchall, not fetchone: a half-read result blocks registering frames afterwards
        [(count, highest)] = con.execute(
            f"SELECT count(*), coalesce(max({self.id_column}), 0) FROM {self.table}"
        ).fetchall()
        state = (int(count), int(highest))
        if state == self.state:
            return
        cols = ", ".join(self.key)
        found = con.execute(f"SELECT {self.id_column}, {cols} FROM {self.table}").fetchall()
        self.ids_by_key = {tuple(r[1:]): int(r[0]) for r in found}
        self.state = state


class Store:
    """A veerkracht store in one DuckDB file (or ``:memory:``)."""

    def __init__(
        self, path: str | Path, *, read_only: bool = False, must_exist: bool = False
    ) -> None:
        self.path = Path(path) if str(path) != ":memory:" else None
        self._region_keys = _KeyTable("region_keys", "region_id", ["region_code", "level"])
        self._variable_keys = _KeyTable("variable_keys", "variable_id", ["variable"])
        if self.path is not None and not read_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        if self.path is not None and (read_only or must_exist) and not self.path.exists():
            raise StoreError(
                f"er is nog geen store op {self.path}",
                fix="Importeer eerst data: 'veerkracht data importeren MAP' of "
                "'veerkracht data ophalen --gemeente …'.",
            )
        self.con = self._connect(path, read_only)
        if self._schema_version() == "1":
            self._upgrade_from_v1(path, read_only)
        self._check_schema_version()
        if not read_only:
            self.con.execute(_SCHEMA.read_text())
            self.con.execute(
                "INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", [SCHEMA_VERSION]
            )

    @staticmethod
    def _connect(path: str | Path, read_only: bool) -> duckdb.DuckDBPyConnection:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as exc:
            raise StoreError(
                f"de store {path} is niet te openen: {exc}",
                fix="Sluit andere veerkracht-processen (web, atlas) die de store gebruiken.",
            ) from exc

    def _schema_version(self) -> str | None:
        try:
            row = self.con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        except duckdb.CatalogException:
            return None  # a new, empty store: the schema is created below
        return row[0] if row else None

    def _check_schema_version(self) -> None:
        """Refuse a store written by another (newer) veerkracht: its tables may differ."""
        version = self._schema_version()
        if version is None or version == SCHEMA_VERSION:
            return
        self.con.close()
        raise StoreError(
            f"de store {self.path or ':memory:'} heeft schemaversie {version!r}; "
            f"deze versie van veerkracht kent alleen schemaversie {SCHEMA_VERSION!r}",
            fix="Werk veerkracht bij (pip install --upgrade veerkracht) of kies een andere "
            "store met --store PAD (of VEERKRACHT_STORE).",
        )

    def _upgrade_from_v1(self, path: str | Path, read_only: bool) -> None:
        """Rewrite a schema-1 store (one wide-keyed values table) to the lean value_rows.

        One transaction: an interrupted upgrade leaves the schema-1 store as it was. A
        read-only open upgrades through a short writable connection first.
        """
        if read_only:
            self.con.close()
            self.con = self._connect(path, read_only=False)
        log.info("store %s: schemaversie 1 wordt bijgewerkt naar %s", path, SCHEMA_VERSION)
        self.con.execute("BEGIN TRANSACTION")
        try:
            self.con.execute('ALTER TABLE "values" RENAME TO values_v1')
            self.con.execute(_SCHEMA.read_text())
            self.con.execute(
                """INSERT INTO region_keys
                   SELECT row_number() OVER (ORDER BY region_code, level), region_code, level
                   FROM (SELECT DISTINCT region_code, level FROM values_v1)"""
            )
            self.con.execute(
                """INSERT INTO variable_keys
                   SELECT row_number() OVER (ORDER BY variable), variable
                   FROM (SELECT DISTINCT variable FROM values_v1)"""
            )
            self.con.execute(
                f"""INSERT INTO value_rows
                    SELECT r.region_id, v.edition, v.period, k.variable_id, v.value,
                           {_STATUS_SQL}, v.import_id
                    FROM values_v1 v
                    JOIN region_keys r ON r.region_code = v.region_code AND r.level = v.level
                    JOIN variable_keys k ON k.variable = v.variable
                    ORDER BY v.rowid"""
            )
            self.con.execute("DROP TABLE values_v1")
            self.con.execute(
                "UPDATE meta SET value = ? WHERE key = 'schema_version'", [SCHEMA_VERSION]
            )
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        if read_only:
            self.con.close()
            self.con = self._connect(path, read_only=True)

    def close(self) -> None:
        self.con.close()

    def _unregister(self, name: str) -> None:
        """Drop a registered frame; inside an aborted transaction DuckDB refuses, and that
        refusal must not hide the error that aborted it (the caller rolls back anyway)."""
        try:
            self.con.unregister(name)
        except duckdb.Error:
            log.debug("unregister %s after an aborted transaction", name)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ import
    def has_file(self, file_hash: str) -> bool:
        row = self.con.execute(
            "SELECT count(*) FROM imports WHERE file_hash = ?", [file_hash]
        ).fetchone()
        return bool(row and row[0])

    def import_table(
        self,
        table: SourceTable,
        *,
        file_hash: str,
        reader: str,
        retrieved_at: datetime | None = None,
    ) -> ImportResult:
        """Write one SourceTable atomically; a known file hash is a no-op."""
        result = ImportResult(
            file_name=table.path.name,
            dataset_key=table.dataset.key,
            status="geïmporteerd",
            periods=table.periods,
            editions=table.editions,
            missing=table.missing,
            notes=list(table.notes),
        )
        if self.has_file(file_hash):
            result.status = "al aanwezig"
            return result
        self.con.execute("BEGIN TRANSACTION")
        try:
            self._region_keys.refresh(self.con)
            self._variable_keys.refresh(self.con)
            import_id = self._insert_import(table, result, file_hash, reader, retrieved_at)
            replaced = self._write_values(table, import_id, result.periods)
            self._write_variables(table)
            self._write_regions(table, import_id)
            result.n_geometries = self._write_geometries(table, import_id)
            self._write_crosswalk(table, import_id)
            self._invalidate_translations(table)
            result.n_values = len(table.values)
            self.con.execute(
                "UPDATE imports SET n_values = ?, n_geometries = ? WHERE import_id = ?",
                [result.n_values, result.n_geometries, import_id],
            )
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        if replaced:
            result.status = "vervangen"
        return result

    def _invalidate_translations(self, table: SourceTable) -> None:
        """New values, boundaries or crosswalks make earlier translations stale: drop them.

        Only for the gemeenten the file touches; PC4 data (Leefbaarometer 2.0) can reach
        every gemeente, so then all go.
        """
        row = self.con.execute("SELECT count(*) FROM translation_errors").fetchone()
        if not row or not row[0]:
            return  # nothing translated yet (e.g. a first build): nothing to invalidate
        digits: set[str] = set()
        for frame in (table.values, table.geometries, table.crosswalk):
            if frame is None or frame.empty:
                continue
            if "level" in frame and (frame["level"].astype(str) == "pc4").any():
                self.con.execute("DELETE FROM translated_values")
                self.con.execute("DELETE FROM translation_errors")
                return
            column = frame["region_code" if "region_code" in frame else "from_code"]
            codes = (
                column.cat.categories
                if isinstance(column.dtype, pd.CategoricalDtype)
                else column.unique()
            )
            digits |= {str(c)[2:6] for c in codes if str(c)[:2] in {"GM", "WK", "BU"}}
        if not digits:
            return
        wanted = sorted(digits)
        self.con.execute(
            "DELETE FROM translated_values WHERE substr(region_code, 3, 4) IN (SELECT unnest(?))",
            [wanted],
        )
        self.con.execute(
            "DELETE FROM translation_errors "
            "WHERE substr(gemeente_code, 3, 4) IN (SELECT unnest(?))",
            [wanted],
        )

    def _insert_import(
        self,
        table: SourceTable,
        result: ImportResult,
        file_hash: str,
        reader: str,
        retrieved_at: datetime | None,
    ) -> int:
        if retrieved_at is None and table.path.exists():
            retrieved_at = datetime.fromtimestamp(table.path.stat().st_mtime, tz=UTC)
        ds = table.dataset
        row = self.con.execute(
            """INSERT INTO imports (import_id, dataset_key, publisher, dataset_id, title, licence,
                   url, reader, file_name, file_path, file_hash, retrieved_at, imported_at,
                   periods, editions, missing, notes)
               VALUES (nextval('import_ids'), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
               RETURNING import_id""",
            [
                ds.key,
                ds.publisher,
                ds.dataset_id,
                ds.title,
                ds.licence,
                ds.url,
                reader,
                table.path.name,
                str(table.path),
                file_hash,
                retrieved_at.replace(tzinfo=None) if retrieved_at else None,
                datetime.now(UTC).replace(tzinfo=None),
                result.periods,  # computed once: each is a pass over the values
                result.editions,
                json.dumps({str(k): v for k, v in table.missing.items()}, ensure_ascii=False),
                json.dumps(table.notes, ensure_ascii=False),
            ],
        ).fetchone()
        assert row is not None
        return int(row[0])

    def _write_values(self, table: SourceTable, import_id: int, periods: list[int]) -> bool:
        if table.values.empty:
            return False
        import pyarrow as pa

        new = table.values
        rows = pa.table(
            {
                "region_id": self._region_ids(new["region_code"], new["level"]),
                "edition": new["edition"].to_numpy(dtype="int32"),
                "period": new["period"].to_numpy(dtype="int32"),
                "variable_id": self._variable_ids(new["variable"]),
                "value": new["value"].to_numpy(dtype="float64", na_value=float("nan")),
                "status": _status_codes(new["status"]),
            }
        )
        self.con.register("new_values", rows)
        try:
            deleted = self._delete_replaced_values(table, periods)
            self.con.execute(
                "INSERT INTO value_rows SELECT *, ? FROM new_values", [import_id]
            )
        finally:
            self._unregister("new_values")
        return deleted

    def _delete_replaced_values(self, table: SourceTable, periods: list[int]) -> bool:
        """Same dataset, period, variable and region from an earlier file: the new file wins."""
        earlier = [
            r[0]
            for r in self.con.execute(
                """SELECT import_id FROM imports
                   WHERE dataset_key = ? AND n_values > 0 AND list_has_any(periods, ?)""",
                [table.dataset.key, periods],
            ).fetchall()
        ]
        if not earlier:
            return False  # nothing to replace: spares a join over millions of rows
        deleted = self.con.execute(
            """DELETE FROM value_rows AS v USING (
                   SELECT DISTINCT period, variable_id FROM new_values) AS n
               WHERE list_contains(?, v.import_id) AND list_contains(?, v.period)
                 AND v.period = n.period AND v.variable_id = n.variable_id
                 AND v.region_id IN (SELECT region_id FROM new_values)""",
            [earlier, periods],
        ).fetchone()
        return bool(deleted and deleted[0])

    def _region_ids(self, codes: pd.Series, levels: pd.Series):
        """The store's integer key per row for (region_code, level); new pairs get new ids."""
        code_idx, code_uniques = _factorize(codes)
        level_idx, level_uniques = _factorize(levels)
        if (code_idx < 0).any() or (level_idx < 0).any():
            raise StoreError("waarden zonder gebiedscode of niveau kunnen niet worden opgeslagen")
        # number the (code, level) pairs that occur; the key space is small, so a lookup
        # array is several times faster than hashing millions of pairs
        key = code_idx.astype("int64") * len(level_uniques) + level_idx
        present = np.zeros(len(code_uniques) * len(level_uniques), dtype=bool)
        present[key] = True
        pairs = np.flatnonzero(present)
        number = np.full(len(present), -1, dtype="int64")
        number[pairs] = np.arange(len(pairs))
        pair_idx = number[key]
        code_names = code_uniques.astype(str).to_numpy(dtype=object)
        level_names = level_uniques.astype(str).to_numpy(dtype=object)
        pair_keys = zip(
            code_names[pairs // len(level_uniques)].tolist(),
            level_names[pairs % len(level_uniques)].tolist(),
            strict=True,
        )
        return self._region_keys.ids(self.con, list(pair_keys))[pair_idx]

    def _variable_ids(self, variables: pd.Series):
        idx, uniques = _factorize(variables)
        if (idx < 0).any():
            raise StoreError("waarden zonder variabele kunnen niet worden opgeslagen")
        used = np.flatnonzero(_used(idx, len(uniques)))
        ids = np.zeros(len(uniques), dtype="int32")
        ids[used] = self._variable_keys.ids(self.con, [(str(uniques[i]),) for i in used])
        return ids[idx]

    def _write_variables(self, table: SourceTable) -> None:
        if not table.variables:
            return
        frame = pd.DataFrame(
            [
                (v.key, v.label, v.unit, v.kind, v.denominator, table.dataset.key)
                for v in table.variables
            ],
            columns=["variable", "label", "unit", "kind", "denominator", "dataset_key"],
        )
        self.con.register("new_variables", frame)
        try:
            self.con.execute("INSERT OR REPLACE INTO variables SELECT * FROM new_variables")
        finally:
            self._unregister("new_variables")

    def _write_regions(self, table: SourceTable, import_id: int) -> None:
        if table.regions is None or table.regions.empty:
            return
        new = table.regions.drop_duplicates(["region_code", "edition"]).assign(import_id=import_id)
        self.con.register("new_regions", new)
        try:
            editions = sorted(int(e) for e in new["edition"].unique())
            [(existing,)] = self.con.execute(
                "SELECT count(*) FROM regions WHERE list_contains(?, edition)", [editions]
            ).fetchall()
            if not existing:  # a first file of these editions: nothing to merge with
                self.con.execute(
                    """INSERT INTO regions SELECT region_code, level, edition,
                           nullif(trim(CAST(name AS VARCHAR)), ''), gemeente_code, import_id
                       FROM new_regions"""
                )
                return
            # A file without names (e.g. Leefbaarometer JSON keyed by code) must not erase
            # the names another file gave: keep the old name where the new one is empty.
            self.con.execute(
                """CREATE OR REPLACE TEMP TABLE kept_names AS
                   SELECT r.region_code, r.edition, r.name FROM regions r
                   JOIN new_regions n ON r.region_code = n.region_code AND r.edition = n.edition
                   WHERE r.name IS NOT NULL"""
            )
            self.con.execute(
                """DELETE FROM regions AS r USING new_regions AS n
                   WHERE r.region_code = n.region_code AND r.edition = n.edition"""
            )
            self.con.execute(
                """INSERT INTO regions
                   SELECT n.region_code, n.level, n.edition,
                          coalesce(nullif(trim(CAST(n.name AS VARCHAR)), ''), k.name),
                          n.gemeente_code, n.import_id
                   FROM new_regions n LEFT JOIN kept_names k
                     ON k.region_code = n.region_code AND k.edition = n.edition"""
            )
            self.con.execute("DROP TABLE kept_names")
        finally:
            self._unregister("new_regions")

    def _write_geometries(self, table: SourceTable, import_id: int) -> int:
        gdf = table.geometries
        if gdf is None or gdf.empty:
            return 0
        import shapely

        from veerkracht.settings import STORE_CRS

        gdf = gdf.to_crs(STORE_CRS) if gdf.crs is not None and gdf.crs != STORE_CRS else gdf
        geoms = gdf.geometry.to_numpy()
        bounds = shapely.bounds(geoms)
        frame = pd.DataFrame(
            {
                "region_code": gdf["region_code"].to_numpy(),
                "level": gdf["level"].to_numpy(),
                "edition": gdf["edition"].astype("int32").to_numpy(),
                "name": gdf["name"].to_numpy() if "name" in gdf else None,
                "gemeente_code": gdf["gemeente_code"].to_numpy()
                if "gemeente_code" in gdf
                else None,
                "source_key": table.dataset.key,
                "geometry": shapely.to_wkb(geoms),
                "area_m2": shapely.area(geoms),
                "minx": bounds[:, 0],
                "miny": bounds[:, 1],
                "maxx": bounds[:, 2],
                "maxy": bounds[:, 3],
                "import_id": import_id,
            }
        )
        self.con.register("new_geoms", frame)
        try:
            self.con.execute(
                """DELETE FROM geometries AS g USING new_geoms AS n
                   WHERE g.region_code = n.region_code AND g.edition = n.edition
                     AND g.level = n.level"""
            )
            self.con.execute("INSERT INTO geometries SELECT * FROM new_geoms")
        finally:
            self._unregister("new_geoms")
        return len(frame)

    def _write_crosswalk(self, table: SourceTable, import_id: int) -> None:
        cw = table.crosswalk
        if cw is None or cw.empty:
            return
        new = cw.assign(import_id=import_id)
        self.con.register("new_cw", new)
        try:
            self.con.execute(
                """DELETE FROM crosswalks AS c USING new_cw AS n
                   WHERE c.from_code = n.from_code AND c.from_edition = n.from_edition
                     AND c.to_edition = n.to_edition"""
            )
            self.con.execute(
                """INSERT INTO crosswalks SELECT from_code, from_edition, to_code, to_edition,
                       weight, import_id FROM new_cw"""
            )
        finally:
            self._unregister("new_cw")

    # ------------------------------------------------------------------ queries
    def query(self, sql: str, params: list | None = None) -> pd.DataFrame:
        return self.con.execute(sql, params or []).df()

    def values(
        self,
        *,
        variables: list[str] | None = None,
        gemeente: str | None = None,
        level: str | None = None,
        edition: int | None = None,
        periods: list[int] | None = None,
        include_land: bool = False,
        region_codes: list[str] | None = None,
    ) -> pd.DataFrame:
        """Values as stored (long format), filtered (``region_codes=[]`` matches nothing)."""
        where, params = [], []
        if region_codes is not None:
            where.append("list_contains(?, region_code)")
            params.append([str(c) for c in region_codes])
        if variables:
            where.append(f"variable IN ({', '.join('?' * len(variables))})")
            params += variables
        if gemeente:
            digits = gemeente[2:6]
            region = "(region_code = ? OR region_code LIKE ? OR region_code LIKE ?)"
            if include_land:
                region = f"({region} OR level = 'land')"
            where.append(region)
            params += [f"GM{digits}", f"WK{digits}%", f"BU{digits}%"]
        if level:
            where.append("level = ?")
            params.append(level)
        if edition is not None:
            where.append("edition = ?")
            params.append(edition)
        if periods:
            where.append(f"period IN ({', '.join('?' * len(periods))})")
            params += periods
        # values_in_order: the view "values" plus the stored order, which its joins and a
        # selective parallel scan do not keep (merges downstream follow that order)
        sql = "SELECT * EXCLUDE (row_order) FROM values_in_order"
        if where:
            sql += " WHERE " + " AND ".join(where)
        return self.query(sql + " ORDER BY row_order", params)

    def variables(self) -> pd.DataFrame:
        return self.query("SELECT * FROM variables ORDER BY variable")

    def geometry_editions(self, gemeente: str, level: str = "buurt") -> list[int]:
        rows = self.con.execute(
            "SELECT DISTINCT edition FROM geometries WHERE gemeente_code = ? AND level = ? "
            "ORDER BY edition",
            [gemeente, level],
        ).fetchall()
        return [int(r[0]) for r in rows]

    def geometries(self, gemeente: str, edition: int, level: str = "buurt") -> gpd.GeoDataFrame:
        """The polygons of one gemeente in one edition (see :meth:`geometry_frame`)."""
        return self.geometry_frame(level, edition, gemeente)

    def geometry_frame(
        self,
        level: str,
        edition: int | None = None,
        gemeente: str | None = None,
        *,
        bbox: tuple[float, float, float, float] | None = None,
    ) -> gpd.GeoDataFrame:
        """Stored polygons (EPSG:28992) of one level, decoded from WKB, sorted by code.

        ``gemeente`` keeps its regions: by gemeente_code, and buurten also by their code
        (BU + the gemeente's four digits) for sources that gave no gemeente. ``bbox``
        (x0, y0, x1, y1 in RD) keeps the polygons whose extent touches it.
        """
        import geopandas as gpd
        import shapely

        from veerkracht.settings import STORE_CRS

        where, params = ["level = ?"], [level]
        if edition is not None:
            where.append("edition = ?")
            params.append(edition)
        if gemeente is not None:
            where.append("(gemeente_code = ? OR region_code LIKE ?)")
            params += [gemeente, f"BU{gemeente[2:6]}%"]
        if bbox is not None:
            where.append("maxx >= ? AND minx <= ? AND maxy >= ? AND miny <= ?")
            x0, y0, x1, y1 = bbox
            params += [x0, x1, y0, y1]
        frame = self.query(
            "SELECT region_code, level, edition, name, gemeente_code, source_key, area_m2, "
            f"geometry FROM geometries WHERE {' AND '.join(where)} "
            "ORDER BY region_code, edition",
            params,
        )
        # DuckDB returns BLOBs as bytearray, which shapely refuses
        geoms = shapely.from_wkb([bytes(b) for b in frame.pop("geometry")])
        return gpd.GeoDataFrame(frame, geometry=geoms, crs=STORE_CRS)

    def gemeenten(self) -> pd.DataFrame:
        """Known gemeenten (code, name, editions), latest name first."""
        return self.query(
            """SELECT region_code AS gemeente_code, arg_max(name, edition) AS name,
                      list(DISTINCT edition ORDER BY edition) AS editions
               FROM regions WHERE level = 'gemeente' GROUP BY region_code ORDER BY name"""
        )

    def imports(self) -> pd.DataFrame:
        return self.query("SELECT * FROM imports ORDER BY import_id")

    # ------------------------------------------------------------------ translations
    def replace_translation(
        self, gemeente_code: str, edition: int, values: pd.DataFrame, errors: pd.DataFrame
    ) -> None:
        """Replace a gemeente's translated values and errors for ``edition`` atomically."""
        from veerkracht.harmonise import ERROR_COLUMNS, TRANSLATED_COLUMNS

        prefix = f"BU{gemeente_code[2:6]}%"
        self.con.execute("BEGIN TRANSACTION")
        try:
            self.con.execute(
                "DELETE FROM translated_values WHERE edition = ? AND region_code LIKE ?",
                [edition, prefix],
            )
            self.con.execute(
                "DELETE FROM translation_errors WHERE edition = ? AND gemeente_code = ?",
                [edition, gemeente_code],
            )
            for name, frame, cols in (
                ("translated_values", values, TRANSLATED_COLUMNS),
                ("translation_errors", errors, ERROR_COLUMNS),
            ):
                if frame.empty:
                    continue
                self.con.register("new_rows", frame[cols])
                try:
                    # codes outside the gemeente's prefix (herindeling) are replaced too
                    if name == "translated_values":
                        self.con.execute(
                            """DELETE FROM translated_values AS t USING
                                   (SELECT DISTINCT region_code FROM new_rows) AS n
                               WHERE t.edition = ? AND t.region_code = n.region_code""",
                            [edition],
                        )
                    self.con.execute(f"INSERT INTO {name} SELECT * FROM new_rows")
                finally:
                    self._unregister("new_rows")
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise


def open_store(settings: Settings | None = None, *, read_only: bool = False) -> Store:
    from veerkracht.settings import get_settings

    settings = settings or get_settings()
    return Store(settings.store_path, read_only=read_only)

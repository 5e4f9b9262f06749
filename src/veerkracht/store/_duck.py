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
from veerkracht.store._rows import STATUS_SQL, StoreRows, rows_from_table

if TYPE_CHECKING:
    import geopandas as gpd

    from veerkracht.settings import Settings
    from veerkracht.sources.base import SourceTable
    from veerkracht.store._compare import StoredComparison

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
    #: what a replacement changed in stored values (Dutch, one line; '' if nothing)
    changes: str = ""


def write_failure(exc: BaseException) -> str | None:
    """In Dutch, why the store itself could not write (disk full, an I/O error, a database
    DuckDB invalidated after such an error); None for an error of another kind."""
    chain: list[BaseException] = []
    seen: BaseException | None = exc
    while seen is not None and seen not in chain:
        chain.append(seen)
        seen = seen.__cause__ or seen.__context__
    lowered = " ".join(str(e) for e in chain).lower()
    if "no space left" in lowered or "disk full" in lowered or "disk is full" in lowered:
        return "de schijf is vol"
    if "file too large" in lowered:
        return "het bestand van de store mag niet groter worden (bestandsgrootte-limiet)"
    if any(isinstance(e, duckdb.FatalException | duckdb.IOException) for e in chain) or (
        "invalidated" in lowered
    ):
        return "een schrijffout in de store"
    return None


def _unregister(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Drop a registered frame; inside an aborted transaction DuckDB refuses, and that
    refusal must not hide the error that aborted it (the caller rolls back anyway)."""
    try:
        con.unregister(name)
    except duckdb.Error:
        log.debug("unregister %s after an aborted transaction", name)


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
            _unregister(con, "new_keys")

    def forget(self) -> None:
        self.ids_by_key, self.state = {}, (-1, -1)

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
        except (duckdb.IOException, duckdb.ConnectionException) as exc:
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
        log.info("store %s: schemaversie 1 wordt bijgewerkt naar %s", path, SCHEMA_VERSION)
        try:
            if read_only:
                self.con.close()
                self.con = self._connect(path, read_only=False)
            self._upgrade_tables()
        except (duckdb.Error, StoreError) as exc:
            self.con.close()
            raise StoreError(
                f"de store {path} kon niet worden bijgewerkt van schemaversie 1 naar "
                f"{SCHEMA_VERSION}: {exc}",
                fix="Sluit andere veerkracht-processen (web, atlas) en zorg dat het bestand "
                "schrijfbaar is; of importeer de data opnieuw in een nieuwe store met "
                "--store PAD.",
            ) from exc
        if read_only:
            self.con.close()
            self.con = self._connect(path, read_only=True)

    def _upgrade_tables(self) -> None:
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
                           {STATUS_SQL}, v.import_id
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

    def close(self) -> None:
        self.con.close()

    @property
    def read_only(self) -> bool:
        rows = self.con.execute("SELECT current_setting('access_mode')").fetchall()
        return bool(rows and str(rows[0][0]).lower() == "read_only")

    def has_translation(self, gemeente: str, edition: int) -> bool:
        """True when the gemeente's values were translated to ``edition`` (data vertalen)."""
        rows = self.con.execute(
            "SELECT count(*) FROM translation_errors WHERE gemeente_code = ? AND edition = ?",
            [gemeente, edition],
        ).fetchall()
        return bool(rows and rows[0][0])

    def table_rows(self, table: str) -> pd.DataFrame | None:
        """All rows of a (small) table, or None when the store has no such table."""
        try:
            return self.con.execute(f'SELECT * FROM "{table}"').df()
        except duckdb.CatalogException:
            return None

    def reader(self) -> Store:
        """This store on a new cursor of the same database, for use in one other thread.

        DuckDB connections are not thread-safe, cursors are (one per thread); reads and
        writes through the cursor see the same database. Closing the store closes it too.
        """
        import copy

        clone = copy.copy(self)
        clone.con = self.con.cursor()
        clone._region_keys = _KeyTable("region_keys", "region_id", ["region_code", "level"])
        clone._variable_keys = _KeyTable("variable_keys", "variable_id", ["variable"])
        return clone

    def _unregister(self, name: str) -> None:
        _unregister(self.con, name)

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

    def compare(self, rows: StoreRows) -> StoredComparison:
        """What importing ``rows`` would change in stored values and boundaries (read only)."""
        from veerkracht.store._compare import compare_with_store

        return compare_with_store(self.con, rows)

    def import_table(
        self,
        table: SourceTable,
        *,
        file_hash: str,
        reader: str,
        retrieved_at: datetime | None = None,
    ) -> ImportResult:
        """Write one SourceTable atomically; a known file hash is a no-op."""
        return self.import_rows(
            rows_from_table(table), file_hash=file_hash, reader=reader, retrieved_at=retrieved_at
        )

    def import_rows(
        self,
        rows: StoreRows,
        *,
        file_hash: str,
        reader: str,
        retrieved_at: datetime | None = None,
    ) -> ImportResult:
        """Write one file's rows (``rows_from_table``, made in a worker) atomically."""
        result = ImportResult(
            file_name=rows.path.name,
            dataset_key=rows.dataset.key,
            status="geïmporteerd",
            periods=rows.periods,
            editions=rows.editions,
            missing=rows.missing,
            notes=list(rows.notes),
        )
        if self.has_file(file_hash):
            result.status = "al aanwezig"
            return result
        self.con.execute("BEGIN TRANSACTION")
        try:
            self._region_keys.refresh(self.con)
            self._variable_keys.refresh(self.con)
            import_id = self._insert_import(rows, file_hash, reader, retrieved_at)
            replaced = self._write_values(rows, import_id)
            self._write_variables(rows)
            self._write_regions(rows, import_id)
            result.n_geometries, geometries_replaced = self._write_geometries(rows, import_id)
            replaced = replaced or geometries_replaced
            self._write_crosswalk(rows, import_id)
            self._invalidate_translations(rows.touched)
            result.n_values = len(rows.values) if rows.values else 0
            self.con.execute(
                "UPDATE imports SET n_values = ?, n_geometries = ? WHERE import_id = ?",
                [result.n_values, result.n_geometries, import_id],
            )
            self.con.execute("COMMIT")
        except BaseException:
            self._rollback()
            # ids handed out in this transaction are free again: another connection may
            # give them to other keys, which a count and maximum check cannot notice
            self._region_keys.forget()
            self._variable_keys.forget()
            raise
        if replaced:
            result.status = "vervangen"
        return result

    def _invalidate_translations(self, touched: list[str] | None) -> None:
        """New values, boundaries or crosswalks make earlier translations stale: drop them
        for the gemeenten the file touches (``touched`` digits; None = all)."""
        [(n_translated,)] = self.con.execute("SELECT count(*) FROM translation_errors").fetchall()
        if not n_translated:
            return  # nothing translated yet (e.g. a first build): nothing to invalidate
        if touched is None:
            self.con.execute("DELETE FROM translated_values")
            self.con.execute("DELETE FROM translation_errors")
            return
        if not touched:
            return
        self.con.execute(
            "DELETE FROM translated_values WHERE substr(region_code, 3, 4) IN (SELECT unnest(?))",
            [touched],
        )
        self.con.execute(
            "DELETE FROM translation_errors "
            "WHERE substr(gemeente_code, 3, 4) IN (SELECT unnest(?))",
            [touched],
        )

    def _insert_import(
        self, rows: StoreRows, file_hash: str, reader: str, retrieved_at: datetime | None
    ) -> int:
        if retrieved_at is None and rows.path.exists():
            retrieved_at = datetime.fromtimestamp(rows.path.stat().st_mtime, tz=UTC)
        ds = rows.dataset
        [(import_id,)] = self.con.execute(
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
                rows.path.name,
                str(rows.path),
                file_hash,
                retrieved_at.replace(tzinfo=None) if retrieved_at else None,
                datetime.now(UTC).replace(tzinfo=None),
                rows.periods,
                rows.editions,
                json.dumps({str(k): v for k, v in rows.missing.items()}, ensure_ascii=False),
                json.dumps(rows.notes, ensure_ascii=False),
            ],
        ).fetchall()
        return int(import_id)

    def _write_values(self, rows: StoreRows, import_id: int) -> bool:
        values = rows.values
        if values is None:
            return False
        import pyarrow as pa

        new = pa.table(
            {
                "region_id": self._region_keys.ids(self.con, values.region_keys)[
                    values.region_index
                ],
                "edition": values.edition,
                "period": values.period,
                "variable_id": self._variable_keys.ids(self.con, [(v,) for v in values.variables])[
                    values.variable_index
                ],
                # NaN -> NULL: SQL over the store (sums, casts, IS NULL) must see missing
                "value": pa.array(values.value, from_pandas=True),
                "status": values.status,
            }
        )
        self.con.register("new_values", new)
        try:
            deleted = self._delete_replaced_values(rows)
            self.con.execute("INSERT INTO value_rows SELECT *, ? FROM new_values", [import_id])
        finally:
            self._unregister("new_values")
        return deleted

    def _delete_replaced_values(self, rows: StoreRows) -> bool:
        """Same dataset, period, variable and region from an earlier file: the new file wins."""
        earlier = [
            r[0]
            for r in self.con.execute(
                """SELECT import_id FROM imports
                   WHERE dataset_key = ? AND n_values > 0 AND list_has_any(periods, ?)""",
                [rows.dataset.key, rows.periods],
            ).fetchall()
        ]
        if not earlier:
            return False  # nothing to replace: spares a join over millions of rows
        [(deleted,)] = self.con.execute(
            """DELETE FROM value_rows AS v USING (
                   SELECT DISTINCT period, variable_id FROM new_values) AS n
               WHERE list_contains(?, v.import_id) AND list_contains(?, v.period)
                 AND v.period = n.period AND v.variable_id = n.variable_id
                 AND v.region_id IN (  -- the same code on any level an older file gave it
                     SELECT same.region_id FROM region_keys same JOIN region_keys k
                       ON k.region_code = same.region_code
                     WHERE k.region_id IN (SELECT region_id FROM new_values))""",
            [earlier, rows.periods],
        ).fetchall()
        return bool(deleted)

    def _write_variables(self, rows: StoreRows) -> None:
        if not rows.variables:
            return
        frame = pd.DataFrame(
            [
                (v.key, v.label, v.unit, v.kind, v.denominator, rows.dataset.key)
                for v in rows.variables
            ],
            columns=["variable", "label", "unit", "kind", "denominator", "dataset_key"],
        )
        self.con.register("new_variables", frame)
        try:
            self.con.execute("INSERT OR REPLACE INTO variables SELECT * FROM new_variables")
        finally:
            self._unregister("new_variables")

    def _write_regions(self, rows: StoreRows, import_id: int) -> None:
        if rows.regions is None:
            return
        new = rows.regions
        self.con.register("new_regions", new)
        try:
            editions = sorted(int(e) for e in new["edition"].unique())
            [(existing,)] = self.con.execute(
                "SELECT count(*) FROM regions WHERE list_contains(?, edition)", [editions]
            ).fetchall()
            if not existing:  # a first file of these editions: nothing to merge with
                self.con.execute(
                    """INSERT INTO regions SELECT region_code, level, edition,
                           nullif(trim(CAST(name AS VARCHAR)), ''), gemeente_code, ?
                       FROM new_regions""",
                    [import_id],
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
                          n.gemeente_code, ?
                   FROM new_regions n LEFT JOIN kept_names k
                     ON k.region_code = n.region_code AND k.edition = n.edition""",
                [import_id],
            )
            self.con.execute("DROP TABLE kept_names")
        finally:
            self._unregister("new_regions")

    def _write_geometries(self, rows: StoreRows, import_id: int) -> tuple[int, bool]:
        """Write the polygons; returns their number and whether stored ones were replaced."""
        if rows.geometries is None:
            return 0, False
        self.con.register("new_geoms", rows.geometries)
        try:
            [(deleted,)] = self.con.execute(
                """DELETE FROM geometries AS g USING new_geoms AS n
                   WHERE g.region_code = n.region_code AND g.edition = n.edition
                     AND g.level = n.level"""
            ).fetchall()
            self.con.execute("INSERT INTO geometries SELECT *, ? FROM new_geoms", [import_id])
        finally:
            self._unregister("new_geoms")
        return len(rows.geometries), bool(deleted)

    def _write_crosswalk(self, rows: StoreRows, import_id: int) -> None:
        if rows.crosswalk is None:
            return
        self.con.register("new_cw", rows.crosswalk)
        try:
            self.con.execute(
                """DELETE FROM crosswalks AS c USING new_cw AS n
                   WHERE c.from_code = n.from_code AND c.from_edition = n.from_edition
                     AND c.to_edition = n.to_edition"""
            )
            self.con.execute(
                """INSERT INTO crosswalks SELECT from_code, from_edition, to_code, to_edition,
                       weight, ? FROM new_cw""",
                [import_id],
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

    def buurt_periods(self, gemeente: str) -> pd.DataFrame:
        """Per variable and period: how many of the gemeente's buurten have a value.

        Over every edition and dataset, published and translated: what a period choice
        needs to know before an edition is picked.
        """
        prefix = f"BU{gemeente[2:6]}%"
        return self.query(
            """SELECT variable, CAST(period AS INTEGER) AS period,
                      count(DISTINCT region_code) AS buurten
               FROM (SELECT region_code, variable, period FROM "values"
                     WHERE level = 'buurt' AND region_code LIKE ? AND value IS NOT NULL
                     UNION ALL
                     SELECT region_code, variable, period FROM translated_values
                     WHERE region_code LIKE ? AND value IS NOT NULL
                       -- a value from the buurt's postcode area is not a buurt figure
                       AND method NOT LIKE 'pc4%')
               GROUP BY ALL ORDER BY variable, period""",
            [prefix, prefix],
        )

    def buurt_editions(self, gemeente: str) -> pd.DataFrame:
        """Per dataset: the editions of the gemeente's buurt values and their periods."""
        return self.query(
            """SELECT dataset_key, edition, list(DISTINCT period ORDER BY period) AS periods,
                      count(*) AS n
               FROM "values" WHERE level = 'buurt' AND region_code LIKE ?
               GROUP BY ALL ORDER BY dataset_key, edition""",
            [f"BU{gemeente[2:6]}%"],
        )

    def gemeente_values(self, gemeenten: list[str], variables: list[str]) -> pd.DataFrame:
        """Published gemeente-level values (long) for several gemeenten (a region)."""
        return self.query(
            """SELECT region_code, level, period, variable, value, status, dataset_key,
                      edition AS source_edition, 'identiek' AS method
               FROM "values" WHERE level = 'gemeente'
                 AND list_contains(?, region_code) AND list_contains(?, variable)""",
            [list(gemeenten), list(variables)],
        )

    def lbm2_pc4_development(self, start: int, end: int) -> pd.DataFrame:
        """Per PC4: Leefbaarometer 2.0 class in ``end`` and total score in both years."""
        return self.query(
            """WITH k AS (SELECT region_code, value AS eindklasse FROM "values"
                          WHERE variable = 'lbm2.klasse' AND level = 'pc4' AND period = ?),
                    a AS (SELECT region_code, value AS score_van FROM "values"
                          WHERE variable = 'lbm2.totaal' AND level = 'pc4' AND period = ?),
                    b AS (SELECT region_code, value AS score_tot FROM "values"
                          WHERE variable = 'lbm2.totaal' AND level = 'pc4' AND period = ?)
               SELECT region_code, CAST(k.eindklasse AS INTEGER) AS eindklasse,
                      a.score_van, b.score_tot
               FROM k JOIN a USING (region_code) JOIN b USING (region_code)
               WHERE a.score_van IS NOT NULL AND b.score_tot IS NOT NULL
                 AND k.eindklasse IS NOT NULL
               ORDER BY region_code""",
            [end, start, end],
        )

    def buurt_code_editions(self, gemeente: str, *, published: bool = True) -> set[int]:
        """Editions in which the gemeente's buurt codes are known: regions, boundaries and
        (``published``) the editions of buurt values."""
        prefix = f"BU{gemeente[2:6]}%"
        values = (
            """UNION SELECT DISTINCT edition FROM "values" WHERE level = 'buurt'
                   AND region_code LIKE ?"""
            if published
            else ""
        )
        frame = self.query(
            f"""SELECT DISTINCT edition FROM regions WHERE level = 'buurt'
                   AND (gemeente_code = ? OR region_code LIKE ?)
               UNION SELECT DISTINCT edition FROM geometries WHERE level = 'buurt'
                   AND (gemeente_code = ? OR region_code LIKE ?)
               {values}""",
            [gemeente, prefix, gemeente, prefix] + ([prefix] if published else []),
        )
        return {int(e) for e in frame.edition}

    def buurten(self, gemeente: str, edition: int) -> pd.DataFrame:
        """Buurt codes (and names where known) of a gemeente in one edition."""
        prefix = f"BU{gemeente[2:6]}%"
        return self.query(
            """SELECT region_code, max(name) AS name FROM (
                   SELECT region_code, name FROM regions
                   WHERE level = 'buurt' AND edition = ? AND gemeente_code = ?
                   UNION ALL
                   SELECT region_code, name FROM geometries
                   WHERE level = 'buurt' AND edition = ? AND gemeente_code = ?
                   UNION ALL
                   SELECT DISTINCT region_code, NULL AS name FROM "values"
                   WHERE level = 'buurt' AND edition = ? AND region_code LIKE ?)
               GROUP BY region_code ORDER BY region_code""",
            [edition, gemeente, edition, gemeente, edition, prefix],
        )

    def buurt_geometry_gemeenten(self) -> list[str]:
        """Gemeenten with buurt boundaries (any edition)."""
        frame = self.query(
            "SELECT DISTINCT gemeente_code FROM geometries "
            "WHERE level = 'buurt' AND gemeente_code IS NOT NULL ORDER BY 1"
        )
        return frame.gemeente_code.tolist()

    def buurt_region_gemeenten(self) -> list[str]:
        """Gemeenten with buurt regions or boundaries in some edition: the only ones whose
        values can be translated to an edition (see :meth:`buurt_code_editions`)."""
        frame = self.query(
            """SELECT DISTINCT coalesce(gemeente_code, 'GM' || substr(region_code, 3, 4)) AS gm
               FROM regions WHERE level = 'buurt'
               UNION SELECT DISTINCT 'GM' || substr(region_code, 3, 4) FROM regions
               WHERE level = 'buurt'
               UNION SELECT DISTINCT coalesce(gemeente_code, 'GM' || substr(region_code, 3, 4))
               FROM geometries WHERE level = 'buurt'
               UNION SELECT DISTINCT 'GM' || substr(region_code, 3, 4) FROM geometries
               WHERE level = 'buurt'
               ORDER BY 1"""
        )
        return frame.gm.tolist()

    def buurt_value_gemeenten(self) -> list[str]:
        """Gemeenten with buurt values (from the buurt codes, any dataset and edition)."""
        frame = self.query(
            """SELECT DISTINCT 'GM' || substr(region_code, 3, 4) AS gm FROM "values"
               WHERE level = 'buurt' ORDER BY 1"""
        )
        return frame.gm.tolist()

    def place_names(self) -> pd.DataFrame:
        """Every buurt and wijk with its latest name (regions or boundaries), gemeente,
        editions and, for buurten, the PC4 of its most common postcode (KWB, latest year):
        the web app's search index."""
        return self.query(
            """WITH named AS (
                   SELECT region_code, level, edition, name, gemeente_code FROM regions
                   WHERE level IN ('buurt', 'wijk') AND name IS NOT NULL
                   UNION ALL
                   SELECT region_code, level, edition, name, gemeente_code FROM geometries
                   WHERE level IN ('buurt', 'wijk') AND name IS NOT NULL),
               latest AS (
                   SELECT region_code, level, arg_max(name, edition) AS name,
                          coalesce(arg_max(gemeente_code, edition),
                                   'GM' || substr(region_code, 3, 4)) AS gemeente_code,
                          list(DISTINCT edition ORDER BY edition) AS editions
                   FROM named GROUP BY region_code, level),
               postcodes AS (
                   SELECT region_code, arg_max(value, period) AS pc4 FROM "values"
                   WHERE variable = 'kwb.pst_mvp' AND level = 'buurt' AND status = 'ok'
                   GROUP BY region_code)
               SELECT l.region_code, l.level, l.name, l.gemeente_code, l.editions, p.pc4
               FROM latest l LEFT JOIN postcodes p USING (region_code)
               ORDER BY l.level, l.region_code"""
        )

    def gemeente_names(self) -> dict[str, str]:
        """GM code -> the name of its latest edition."""
        frame = self.query(
            """SELECT region_code AS gemeente_code, arg_max(name, edition) AS name
               FROM regions WHERE level = 'gemeente' AND name IS NOT NULL GROUP BY 1"""
        )
        return dict(zip(frame.gemeente_code, frame.name, strict=True))

    def buurt_variable_years(self, variables: list[str] | None = None) -> pd.DataFrame:
        """Per gemeente, dataset, variable and period: buurten with a published value."""
        where, params = ["level = 'buurt'", "status = 'ok'"], []
        if variables:
            where.append(f"variable IN ({', '.join('?' * len(variables))})")
            params = list(variables)
        return self.query(
            "SELECT 'GM' || substr(region_code, 3, 4) AS gemeente_code, dataset_key, "
            "variable, period, count(DISTINCT region_code) AS buurten "
            f'FROM "values" WHERE {" AND ".join(where)} GROUP BY ALL '
            "ORDER BY gemeente_code, dataset_key, variable, period",
            params,
        )

    def variable_periods(self, variables: list[str], gemeente: str | None = None) -> pd.DataFrame:
        """Per variable and period: the number of regions with a published value."""
        if not variables:
            return pd.DataFrame(columns=["variable", "period", "regions"])
        where = [f"variable IN ({', '.join('?' * len(variables))})", "status = 'ok'"]
        params: list = list(variables)
        if gemeente:
            digits = gemeente[2:6]
            where.append("(region_code = ? OR region_code LIKE ? OR region_code LIKE ?)")
            params += [f"GM{digits}", f"WK{digits}%", f"BU{digits}%"]
        return self.query(
            'SELECT variable, period, count(DISTINCT region_code) AS regions FROM "values" '
            f"WHERE {' AND '.join(where)} GROUP BY ALL ORDER BY variable, period",
            params,
        )

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
            self._rollback()
            raise

    def _rollback(self) -> None:
        """Roll back; when DuckDB already ended the transaction (a failed COMMIT, e.g. a
        full disk), its refusal must not hide the error that caused it."""
        try:
            self.con.execute("ROLLBACK")
        except duckdb.Error:
            log.debug("rollback after a failed commit", exc_info=True)


def open_store(settings: Settings | None = None, *, read_only: bool = False) -> Store:
    from veerkracht.settings import get_settings

    settings = settings or get_settings()
    return Store(settings.store_path, read_only=read_only)

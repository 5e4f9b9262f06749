"""DuckDB implementation of the store.

Every import runs in one transaction: the same file twice changes nothing (its
hash is known), a newer file for the same dataset/period replaces the old rows,
and a failure or interrupt rolls back to exactly the previous state.
"""

from __future__ import annotations

import copy
import json
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from veerkracht.errors import StoreError
from veerkracht.settings import get_settings
from veerkracht.store._compare import compare_with_store
from veerkracht.store._rows import StoreRows, rows_from_table
from veerkracht.store.queries import StoreQueries
from veerkracht.store.schema import (
    ERROR_COLUMNS,
    SCHEMA_VERSION,
    TRANSLATED_COLUMNS,
    _unregister,
    create_schema,
    schema_version,
    upgrade_tables_from_v1,
)

if TYPE_CHECKING:
    from veerkracht.settings import Settings
    from veerkracht.sources.base import SourceTable
    from veerkracht.store._compare import StoredComparison

log = logging.getLogger(__name__)


#: value rows written per INSERT (see ``Store._write_values``)
_VALUE_BLOCK = 1_000_000


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


class _KeyTable:
    """Integer ids for the keys of region_keys or variable_keys, handed out in SQL.

    No cache in Python: a dict of tuples for 1.35 million regions took ~300 MB, and ids
    handed out in a rolled-back transaction can never be reused wrongly from the table.
    """

    def __init__(self, table: str, id_column: str, key: list[str]) -> None:
        self.table, self.id_column, self.key = table, id_column, key

    def ids(self, con: duckdb.DuckDBPyConnection, keys: pa.Table) -> np.ndarray:
        """The id of every key (a row of ``keys``, columns ``self.key``, all distinct), in
        order; keys not yet known are added in sorted order (so one gemeente's buurten get
        neighbouring ids and DuckDB can skip row groups). One join, no hash of the new keys
        twice: it dominated the memory of importing 1.35 million regions."""
        same = " AND ".join(f"t.{c} = n.{c}" for c in self.key)
        # relations, not register(): a registered view lives until the commit
        new_keys = con.from_arrow(keys.append_column("key_pos", pa.array(np.arange(len(keys)))))
        found = new_keys.query(
            "n",
            f"""SELECT t.{self.id_column} AS id FROM n
                LEFT JOIN {self.table} t ON {same} ORDER BY n.key_pos""",
        ).fetchnumpy()["id"]
        ids = np.ma.getdata(found).astype("int32")
        new = np.flatnonzero(np.ma.getmaskarray(found))
        if len(new):
            ids[new] = self._add(con, keys.take(pa.array(new)), new)
        return ids

    def _add(self, con: duckdb.DuckDBPyConnection, fresh: pa.Table, new: np.ndarray) -> np.ndarray:
        """Give the keys ``fresh`` ids after the highest, in sorted key order; their ids."""
        order = pc.sort_indices(fresh, sort_keys=[(c, "ascending") for c in self.key])
        [(highest,)] = con.execute(
            f"SELECT coalesce(max({self.id_column}), 0) FROM {self.table}"
        ).fetchall()
        numbers = np.arange(highest + 1, highest + 1 + len(new), dtype="int32")
        rows = fresh.take(order).add_column(0, self.id_column, pa.array(numbers))
        con.from_arrow(rows).insert_into(self.table)
        ids = np.empty(len(new), dtype="int32")
        ids[order.to_numpy()] = numbers
        return ids


class Store(StoreQueries):
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
        if schema_version(self.con) == "1":
            self._upgrade_from_v1(path, read_only)
        self._check_schema_version()
        if not read_only:
            create_schema(self.con)

    @staticmethod
    def _connect(path: str | Path, read_only: bool) -> duckdb.DuckDBPyConnection:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except (duckdb.IOException, duckdb.ConnectionException) as exc:
            raise StoreError(
                f"de store {path} is niet te openen: {exc}",
                fix="Sluit andere veerkracht-processen (web, atlas) die de store gebruiken.",
            ) from exc

    def _check_schema_version(self) -> None:
        """Refuse a store written by another (newer) veerkracht: its tables may differ."""
        version = schema_version(self.con)
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
            upgrade_tables_from_v1(self.con)
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

    def close(self) -> None:
        self.con.close()

    def reader(self) -> Store:
        """This store on a new cursor of the same database, for use in one other thread.

        DuckDB connections are not thread-safe, cursors are (one per thread); reads and
        writes through the cursor see the same database. Closing the store closes it too.
        """
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
            import_id = self._insert_import(rows, file_hash, reader, retrieved_at)
            result.n_values = len(rows.values) if rows.values else 0
            replaced = self._write_values(rows, import_id)
            # written: the rows are consumed, free ~25 bytes a value before the regions
            # are merged (the peak of a 100 MiB CSV import, bench_import_memory.py)
            rows.values = None
            self._write_variables(rows)
            self._write_regions(rows, import_id)
            result.n_geometries, geometries_replaced = self._write_geometries(rows, import_id)
            replaced = replaced or geometries_replaced
            self._write_crosswalk(rows, import_id)
            self._invalidate_translations(rows.touched)
            self.con.execute(
                "UPDATE imports SET n_values = ?, n_geometries = ? WHERE import_id = ?",
                [result.n_values, result.n_geometries, import_id],
            )
            self.con.execute("COMMIT")
        except BaseException:
            self._rollback()
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
        """Write the values block by block (``_VALUE_BLOCK`` rows), so a file of millions
        of values never exists a second time as one table; then drop what they replace."""
        values = rows.values
        if values is None:
            return False
        region_ids = self._region_keys.ids(self.con, values.region_keys.table())
        variable_ids = self._variable_keys.ids(
            self.con, pa.table({"variable": pa.array(values.variables, pa.string())})
        )
        for start in range(0, len(values), _VALUE_BLOCK):
            part = slice(start, start + _VALUE_BLOCK)
            n = len(values.value[part])
            new = pa.table(
                {
                    "region_id": region_ids[values.region_index[part]],
                    "edition": values.edition[part],
                    "period": values.period[part],
                    "variable_id": variable_ids[values.variable_index[part]],
                    # NaN -> NULL: SQL over the store (sums, casts, IS NULL) must see missing
                    "value": pa.array(values.value[part], from_pandas=True),
                    "status": values.status[part],
                    "import_id": pa.array(np.full(n, import_id, dtype="int32")),
                }
            )
            # a relation, not register(): a view registered inside the transaction keeps
            # its table alive until the commit (every block at once: +200 MB measured)
            self.con.from_arrow(new).insert_into("value_rows")
            del new
        return self._delete_replaced_values(rows, import_id)

    def _delete_replaced_values(self, rows: StoreRows, import_id: int) -> bool:
        """Same dataset, period, variable and region from an earlier file: the new file
        (the rows of ``import_id``, written in this transaction) wins."""
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
                   SELECT DISTINCT period, variable_id FROM value_rows WHERE import_id = ?) AS n
               WHERE list_contains(?, v.import_id) AND list_contains(?, v.period)
                 AND v.period = n.period AND v.variable_id = n.variable_id
                 AND v.region_id IN (  -- the same code on any level an older file gave it
                     SELECT same.region_id FROM region_keys same JOIN region_keys k
                       ON k.region_code = same.region_code
                     WHERE k.region_id IN (
                         SELECT region_id FROM value_rows WHERE import_id = ?))""",
            [import_id, earlier, rows.periods, import_id],
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

    # ------------------------------------------------------------------ translations
    def replace_translation(
        self, gemeente_code: str, edition: int, values: pd.DataFrame, errors: pd.DataFrame
    ) -> None:
        """Replace a gemeente's translated values and errors for ``edition`` atomically."""
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
    settings = settings or get_settings()
    return Store(settings.store_path, read_only=read_only)

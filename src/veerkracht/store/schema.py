"""The store's schema: the tables in ``_schema.sql``, their version and the upgrade from
schema 1. Only the store package touches these tables; other stages ask the store by name
(``store.queries``)."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import duckdb

from veerkracht.store._rows import STATUS_SQL

log = logging.getLogger(__name__)

SCHEMA_VERSION = "2"
SCHEMA_FILE = Path(__file__).with_name("_schema.sql")

#: Columns of translated_values and translation_errors, in table order (harmonise builds
#: frames with them; the store writes them).
TRANSLATED_COLUMNS = [
    "region_code",
    "level",
    "edition",
    "source_edition",
    "period",
    "variable",
    "value",
    "status",
    "method",
    "share_split",
    "share_merged",
    "dataset_key",
]
ERROR_COLUMNS = [
    "gemeente_code",
    "variable",
    "period",
    "source_edition",
    "edition",
    "method",
    "total_before",
    "total_after",
    "relative_error",
    "n_source",
    "n_unmatched",
    "created_at",
]


def table_names(schema_file: Path = SCHEMA_FILE) -> list[str]:
    """Every table and view a schema file creates (for the SQL-boundary test and tools)."""
    found = re.findall(
        r'CREATE (?:TABLE|(?:OR REPLACE )?VIEW|SEQUENCE) (?:IF NOT EXISTS )?"?(\w+)"?',
        schema_file.read_text("utf-8"),
    )
    return sorted(set(found))


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create missing tables and views and record the schema version (idempotent)."""
    con.execute(SCHEMA_FILE.read_text())
    con.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", [SCHEMA_VERSION])


def schema_version(con: duckdb.DuckDBPyConnection) -> str | None:
    """The version recorded in ``meta``; None for a new, empty database."""
    try:
        row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    except duckdb.CatalogException:
        return None  # a new, empty store: the schema is created by create_schema
    return row[0] if row else None


def upgrade_tables_from_v1(con: duckdb.DuckDBPyConnection) -> None:
    """Rewrite a schema-1 store (one wide-keyed values table) to the lean value_rows, in
    one transaction: an interrupted upgrade leaves the schema-1 store as it was."""
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute('ALTER TABLE "values" RENAME TO values_v1')
        con.execute(SCHEMA_FILE.read_text())
        con.execute(
            """INSERT INTO region_keys
               SELECT row_number() OVER (ORDER BY region_code, level), region_code, level
               FROM (SELECT DISTINCT region_code, level FROM values_v1)"""
        )
        con.execute(
            """INSERT INTO variable_keys
               SELECT row_number() OVER (ORDER BY variable), variable
               FROM (SELECT DISTINCT variable FROM values_v1)"""
        )
        con.execute(
            f"""INSERT INTO value_rows
                SELECT r.region_id, v.edition, v.period, k.variable_id, v.value,
                       {STATUS_SQL}, v.import_id
                FROM values_v1 v
                JOIN region_keys r ON r.region_code = v.region_code AND r.level = v.level
                JOIN variable_keys k ON k.variable = v.variable
                ORDER BY v.rowid"""
        )
        con.execute("DROP TABLE values_v1")
        con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [SCHEMA_VERSION])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def _unregister(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Drop a registered frame; inside an aborted transaction DuckDB refuses, and that
    refusal must not hide the error that aborted it (the caller rolls back anyway)."""
    try:
        con.unregister(name)
    except duckdb.Error:
        log.debug("unregister %s after an aborted transaction", name)

"""Where the web tables live: a DuckDB file of their own (default) or PostgreSQL.

One tiny interface (:class:`Database`) with two implementations, so the repository
layer (:mod:`veerkracht.store.accounts.repo`) writes its SQL once. SQL uses ``?``
placeholders; the PostgreSQL implementation turns them into ``%s``. Every call holds a
lock: one connection is shared by the server's threads, and DuckDB connections are not
thread-safe.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import psycopg

from veerkracht.errors import StoreError
from veerkracht.store import schema

ENV_DATABASE_URL = "VEERKRACHT_DATABASE_URL"
_SCHEMA = Path(__file__).with_name("_schema.sql")
#: the tables an older store held itself (before accounts moved to a file of their own)
WEB_TABLES = (
    "web_organisations",
    "web_users",
    "web_sessions",
    "web_uploads",
    "web_upload_values",
    "web_upload_shares",
    "web_shared_views",
    "web_shared_view_orgs",
)


def table_names() -> list[str]:
    """Every table the accounts schema creates (all named ``web_*``)."""
    return schema.table_names(_SCHEMA)


def _statements() -> list[str]:
    lines = [
        ln for ln in _SCHEMA.read_text("utf-8").splitlines() if not ln.strip().startswith("--")
    ]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


class Database:
    """A DB-API-like connection with a lock and explicit transactions."""

    kind = "abstract"

    def __init__(self, lock: threading.RLock | None = None) -> None:
        self.lock = lock or threading.RLock()

    # implemented by subclasses
    def _execute(self, sql: str, params: Sequence[Any]) -> Any:
        raise NotImplementedError

    def _begin(self) -> None:
        raise NotImplementedError

    def _commit(self) -> None:
        raise NotImplementedError

    def _rollback(self) -> None:
        raise NotImplementedError

    def insert_rows(self, table: str, columns: list[str], rows: list[tuple]) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    # shared
    def create_schema(self) -> None:
        with self.transaction():
            for statement in _statements():
                self.execute(statement)
            self._migrate()

    def _migrate(self) -> None:
        """Bring tables made by an older version up to the current schema."""

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        with self.lock:
            self._execute(sql, params)

    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        with self.lock:
            return list(self._execute(sql, params).fetchall())

    def fetchone(self, sql: str, params: Sequence[Any] = ()) -> tuple | None:
        with self.lock:  # fetchall: a half-read DuckDB result blocks the connection
            rows = self._execute(sql, params).fetchall()
        return rows[0] if rows else None

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All or nothing: a failure inside rolls every statement back."""
        with self.lock:
            self._begin()
            try:
                yield
            except BaseException:
                self._rollback()
                raise
            self._commit()


class DuckDatabase(Database):
    """Web tables inside a DuckDB connection (``STORE.web.duckdb``, or an older store's own)."""

    kind = "duckdb"

    def __init__(self, con: Any, lock: threading.RLock | None = None) -> None:
        super().__init__(lock)
        self.con = con

    def _execute(self, sql: str, params: Sequence[Any]) -> Any:
        return self.con.execute(sql, list(params))

    def _begin(self) -> None:
        self.con.execute("BEGIN TRANSACTION")

    def _commit(self) -> None:
        self.con.execute("COMMIT")

    def _rollback(self) -> None:
        self.con.execute("ROLLBACK")

    def _migrate(self) -> None:
        # before 2026-12 e-mail was unique over all organisations: rebuild the table
        rows = self._execute(
            "SELECT constraint_column_names FROM duckdb_constraints() "
            "WHERE table_name = 'web_users' AND constraint_type = 'UNIQUE'",
            [],
        ).fetchall()
        if not any(list(r[0]) == ["email"] for r in rows):
            return
        ddl = next(s for s in _statements() if "web_users (" in s)
        self._execute(ddl.replace("IF NOT EXISTS web_users (", "web_users_new ("), [])
        self._execute("INSERT INTO web_users_new SELECT * FROM web_users", [])
        self._execute("DROP TABLE web_users", [])
        self._execute("ALTER TABLE web_users_new RENAME TO web_users", [])

    def insert_rows(self, table: str, columns: list[str], rows: list[tuple]) -> None:
        if not rows:
            return
        frame = pd.DataFrame(rows, columns=columns)
        with self.lock:
            self.con.register("web_new_rows", frame)
            try:
                self.con.execute(
                    f"INSERT INTO {table} ({', '.join(columns)}) "
                    f"SELECT {', '.join(columns)} FROM web_new_rows"
                )
            finally:
                self.con.unregister("web_new_rows")

    def copy_tables_from(self, store: Any) -> int:
        """Copy the web tables of a store made by an older version (accounts lived inside
        the store) into these tables, each only while still empty; returns the number of
        rows copied."""
        copied = 0
        for table in WEB_TABLES:
            frame = store.table_rows(table)
            if frame is None or frame.empty:
                continue
            with self.lock:
                existing = self.con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]
                if existing:
                    continue
                self.con.register("old_web_rows", frame)
                try:
                    self.con.execute(f"INSERT INTO {table} SELECT * FROM old_web_rows")
                finally:
                    self.con.unregister("old_web_rows")
            copied += len(frame)
        return copied

    def close(self) -> None:  # the caller owns the connection
        pass


class PostgresDatabase(Database):
    """Web tables in PostgreSQL (``VEERKRACHT_DATABASE_URL=postgresql://…``), via psycopg 3."""

    kind = "postgres"

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url
        self.conn = self._connect()

    def _connect(self) -> Any:
        try:
            return psycopg.connect(self.url, autocommit=True)
        except psycopg.OperationalError as exc:
            raise StoreError(
                f"de PostgreSQL-database is niet bereikbaar: {exc}".strip(),
                fix=f"Controleer {ENV_DATABASE_URL} (postgresql://gebruiker@host:poort/database) "
                "en of de server draait.",
            ) from exc

    def _cursor(self) -> Any:
        if self.conn.closed or self.conn.broken:
            self.conn = self._connect()
        return self.conn.cursor()

    def _execute(self, sql: str, params: Sequence[Any]) -> Any:
        cur = self._cursor()
        cur.execute(sql.replace("?", "%s"), list(params))
        return cur

    def _begin(self) -> None:
        self._cursor().execute("BEGIN")

    def _commit(self) -> None:
        self.conn.execute("COMMIT")

    def _rollback(self) -> None:
        if not self.conn.closed:
            self.conn.execute("ROLLBACK")

    def _migrate(self) -> None:
        # before 2026-12 e-mail was unique over all organisations
        self._execute("ALTER TABLE web_users DROP CONSTRAINT IF EXISTS web_users_email_key", [])
        self._execute(
            "CREATE UNIQUE INDEX IF NOT EXISTS web_users_org_email "
            "ON web_users (organisation_id, email)",
            [],
        )

    def insert_rows(self, table: str, columns: list[str], rows: list[tuple]) -> None:
        if not rows:
            return
        marks = ", ".join(["%s"] * len(columns))
        with self.lock:
            self._cursor().executemany(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows
            )

    def close(self) -> None:
        self.conn.close()


def database_url() -> str | None:
    return os.environ.get(ENV_DATABASE_URL) or None


def open_database(
    url: str | None, *, duck_con: Any = None, lock: threading.RLock | None = None
) -> Database:
    """PostgreSQL when ``url`` is given, else the DuckDB connection ``duck_con``."""
    if url:
        if not url.startswith(("postgresql://", "postgres://")):
            raise StoreError(
                f"{ENV_DATABASE_URL} = {url!r}: alleen PostgreSQL wordt ondersteund",
                fix="Gebruik postgresql://gebruiker:wachtwoord@host:5432/database, "
                "of laat de variabele leeg om de tabellen in de store te bewaren.",
            )
        db: Database = PostgresDatabase(url)
    else:
        if duck_con is None:
            raise StoreError("geen database voor de web-app", fix="Open eerst de store.")
        db = DuckDatabase(duck_con, lock)
    db.create_schema()
    return db


class AccountsFileInUse(StoreError):
    """Another process (a running web app) holds the accounts file."""


def open_accounts_file(path: Path) -> tuple[DuckDatabase, bool]:
    """The accounts file ``STORE.web.duckdb`` (made when absent) and whether it is new.

    The caller closes ``db.con``. Raises :class:`AccountsFileInUse` when another process
    holds the file (DuckDB allows one writer)."""
    new = not path.exists()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(str(path))
    except (duckdb.IOException, duckdb.ConnectionException) as exc:
        raise AccountsFileInUse(
            f"de accounts in {path} zijn in gebruik door een ander proces",
            fix="Draait er al een 'veerkracht web' op deze store? Stop die eerst.",
        ) from exc
    db = DuckDatabase(con)
    db.create_schema()
    return db, new


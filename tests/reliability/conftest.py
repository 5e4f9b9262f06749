"""Helpers for the reliability tests: a store fingerprint and an in-process CLI run."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import pytest

#: Every table of the store (what an import or a translation may write).
TABLES = [
    "meta", "imports", "region_keys", "variable_keys", "value_rows", "variables", "regions",
    "geometries", "crosswalks", "translated_values", "translation_errors",
]  # fmt: skip


def fingerprint(path: Path) -> dict[str, tuple]:
    """Row count and an order-independent hash of every table: equal means unchanged."""
    from veerkracht.store import Store

    with Store(path, read_only=True) as st:
        out = {}
        for table in TABLES:
            [row] = st.con.execute(
                f"SELECT count(*), coalesce(sum(hash(t)), 0) FROM {table} AS t"
            ).fetchall()
            out[table] = tuple(int(v) for v in row)
        return out


@dataclass
class CliRun:
    code: int
    out: str  # stdout and stderr, whitespace collapsed (rich wraps long lines)


def run_cli(*args: str) -> CliRun:
    """``veerkracht ARGS`` in this process (no interpreter start-up), output captured."""
    import veerkracht.cli as cli

    out, err = io.StringIO(), io.StringIO()
    # the consoles' own setting, not .file: that reads as the current sys.stdout, and
    # restoring it would pin later tests' output to this test's captured stream
    saved = cli.console._file, cli.err_console._file
    cli.console.file, cli.err_console.file = out, err
    try:
        code = cli.main(list(args))
    finally:
        cli.console._file, cli.err_console._file = saved
    return CliRun(code, " ".join((out.getvalue() + "\n" + err.getvalue()).split()))


@pytest.fixture
def no_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Read files in this process: worker start-up would dominate these small imports."""
    monkeypatch.setattr("os.cpu_count", lambda: 1)

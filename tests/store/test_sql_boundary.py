"""The store owns its schema: no SQL against store tables outside ``veerkracht/store/``.

Other stages ask the store by name (``store.queries``). This test reads every string
literal (and f-string part) in every module outside the store and fails with file:line
on SQL that reads or writes a store table.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import veerkracht
from veerkracht.store.schema import table_names

PACKAGE = Path(veerkracht.__file__).parent

#: Modules that may hold SQL, and why. Not the store: these talk to a database of their own.
ALLOWED = {
    # The web app's accounts, sessions, uploads and shared views live in a separate
    # database (STORE.web.duckdb or PostgreSQL) with its own schema (web/_schema.sql);
    # its table names (web_*) are not store tables.
    "web/db.py": "separate web database (accounts, sessions), not the store",
    "web/repo.py": "separate web database (uploads, shared views), not the store",
    "web/accounts.py": "copies web_* tables into the separate web database",
}

_KEYWORDS = (
    r"(?:SELECT\b.*?\bFROM|INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM|JOIN|FROM"
    r"|CREATE\s+(?:OR\s+REPLACE\s+)?(?:TEMP\s+)?(?:TABLE|VIEW|SEQUENCE)(?:\s+IF\s+NOT\s+EXISTS)?"
    r"|ALTER\s+TABLE|DROP\s+TABLE)"
)


def _sql_pattern(tables: list[str]) -> re.Pattern[str]:
    names = "|".join(re.escape(t) for t in tables)
    # SQL keywords are written in capitals in this code base; lower-case prose
    # ("values from translated_values") is not SQL
    return re.compile(rf"{_KEYWORDS}\s+\"?(?P<table>{names})\"?(?![\w.])", re.S)


def _strings(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            found.append((node.lineno, node.value))
        elif isinstance(node, ast.JoinedStr):
            text = "".join(v.value if isinstance(v, ast.Constant) else " x " for v in node.values)
            found.append((node.lineno, text))
    return found


def sql_outside_store(package: Path = PACKAGE) -> list[str]:
    """file:line and the offending text of every SQL string against a store table."""
    pattern = _sql_pattern(table_names())
    problems = []
    for path in sorted(package.rglob("*.py")):
        rel = path.relative_to(package).as_posix()
        if rel.startswith("store/") or rel in ALLOWED:
            continue
        tree = ast.parse(path.read_text("utf-8"), filename=str(path))
        for line, text in sorted(set(_strings(tree))):
            match = pattern.search(text)
            if match:
                problem = f"veerkracht/{rel}:{line}: SQL on table {match['table']!r}"
                if problem not in problems:  # an f-string's parts are strings too
                    problems.append(problem)
    return problems


def test_schema_names_are_found() -> None:
    tables = table_names()
    for expected in (
        "values",
        "value_rows",
        "regions",
        "geometries",
        "crosswalks",
        "translated_values",
        "translation_errors",
        "imports",
        "variables",
    ):
        assert expected in tables


def test_no_sql_against_store_tables_outside_the_store() -> None:
    problems = sql_outside_store()
    assert not problems, (
        "SQL against store tables outside veerkracht/store/ "
        "(add a named method to store/queries.py):\n" + "\n".join(problems)
    )


def test_the_scan_finds_sql(tmp_path: Path) -> None:
    """The scan itself works: a module with a query against a store table is reported."""
    (tmp_path / "store").mkdir()
    (tmp_path / "store" / "ok.py").write_text('Q = "SELECT * FROM regions"\n')
    (tmp_path / "signals").mkdir()
    (tmp_path / "signals" / "bad.py").write_text(
        "def f(store, t):\n"
        "    return store.query(\n"
        '        f"SELECT region_code FROM geometries WHERE edition = {t}"\n'
        "    )\n"
        'DOC = "values from translated_values, kept per edition"\n'
        "Q2 = 'DELETE FROM \"values\" WHERE 1'\n"
    )
    problems = sql_outside_store(tmp_path)
    assert problems == [
        "veerkracht/signals/bad.py:3: SQL on table 'geometries'",
        "veerkracht/signals/bad.py:6: SQL on table 'values'",
    ]


def test_allow_list_is_current() -> None:
    """Every allowed module exists (a stale entry would hide a new module of that name)."""
    for rel in ALLOWED:
        assert (PACKAGE / rel).exists(), rel

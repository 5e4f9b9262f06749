"""The store owns every schema: no SQL against its tables outside ``veerkracht/store/``.

Other stages ask the store by name (``store.queries``, ``store.accounts.repo``). This
test reads every string literal (and f-string part) in every module outside the store
and fails with file:line on SQL that reads or writes a table of the store or of the web
app's accounts database (``store/accounts/_schema.sql``, the ``web_*`` tables).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import veerkracht
from veerkracht.store.accounts import database as accounts_database
from veerkracht.store.schema import table_names

PACKAGE = Path(veerkracht.__file__).parent


def all_tables() -> list[str]:
    """The store's tables and the accounts database's (``web_*``)."""
    return sorted({*table_names(), *accounts_database.table_names()})


_KEYWORDS = (
    r"(?:SELECT\b.*?\bFROM|INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM|JOIN|FROM"
    r"|CREATE\s+(?:OR\s+REPLACE\s+)?(?:TEMP\s+)?(?:TABLE|VIEW|SEQUENCE)(?:\s+IF\s+NOT\s+EXISTS)?"
    r"|ALTER\s+TABLE|DROP\s+TABLE)"
)


#: stands for an f-string's {…} part: a table named at run time (FROM {table}) is SQL too
_FORMATTED = "{…}"


def _sql_pattern(tables: list[str]) -> re.Pattern[str]:
    names = "|".join(re.escape(t) for t in [*tables, _FORMATTED])
    # SQL keywords are written in capitals in this code base; lower-case prose
    # ("values from translated_values") is not SQL
    return re.compile(rf"{_KEYWORDS}\s+\"?(?P<table>{names})\"?(?![\w.])", re.S)


def _strings(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            found.append((node.lineno, node.value))
        elif isinstance(node, ast.JoinedStr):
            parts = (v.value if isinstance(v, ast.Constant) else _FORMATTED for v in node.values)
            text = "".join(parts)
            found.append((node.lineno, text))
    return found


def sql_outside_store(package: Path = PACKAGE) -> list[str]:
    """file:line and the offending text of every SQL string against a store table."""
    pattern = _sql_pattern(all_tables())
    problems = []
    for path in sorted(package.rglob("*.py")):
        rel = path.relative_to(package).as_posix()
        if rel.startswith("store/"):
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


def test_accounts_schema_names_are_found() -> None:
    tables = all_tables()
    for expected in ("web_organisations", "web_users", "web_sessions", "web_uploads"):
        assert expected in tables
    assert {"web_invitations", "web_partners", "web_audit", "web_shared_views"} <= set(tables)


def test_no_sql_against_store_tables_outside_the_store() -> None:
    problems = sql_outside_store()
    assert not problems, (
        "SQL against store tables outside veerkracht/store/ "
        "(add a named method to store/queries.py or store/accounts/):\n" + "\n".join(problems)
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
    (tmp_path / "store" / "accounts").mkdir()
    (tmp_path / "store" / "accounts" / "ok.py").write_text('Q = "SELECT * FROM web_users"\n')
    (tmp_path / "web").mkdir()
    (tmp_path / "web" / "bad.py").write_text(
        'DOC = "accounts from web_users, per organisation"\n'
        "def f(db, org):\n"
        '    return db.fetchall("SELECT u.email FROM web_users u "\n'
        '                       "JOIN web_organisations o USING (organisation_id)")\n'
        "Q = f\"UPDATE web_invitations SET used_at = {1}\"\n"
        "def copy(con, table):\n"
        '    con.execute(f"INSERT INTO {table} SELECT * FROM old_rows")\n'
        'MESSAGE = f"Kies uit {1} of {2}"\n'
    )
    problems = sql_outside_store(tmp_path)
    assert problems == [
        "veerkracht/signals/bad.py:3: SQL on table 'geometries'",
        "veerkracht/signals/bad.py:6: SQL on table 'values'",
        "veerkracht/web/bad.py:3: SQL on table 'web_users'",
        "veerkracht/web/bad.py:5: SQL on table 'web_invitations'",
        "veerkracht/web/bad.py:7: SQL on table '{…}'",
    ]

"""Imports at module top: an import inside a function must say why (``# lazy: <reason>``,
with the measured cost), and every module must import on its own (no hidden cycle that a
lazy import used to cover)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import veerkracht

PACKAGE = Path(veerkracht.__file__).parent
MARK = "# lazy:"


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "static" not in p.relative_to(PACKAGE).parts)


def unexplained_lazy_imports(path: Path) -> list[str]:
    """``file:line`` of every import inside a function without a ``# lazy:`` reason: on its
    own line, or in the comment right above it or above the run of imports it is in."""
    text = path.read_text("utf-8")
    lines = text.splitlines()
    found: list[str] = []

    def check_body(body: list[ast.stmt]) -> None:
        previous: tuple[int, bool] | None = None  # (last line, covered) of the import above
        for stmt in body:
            if not isinstance(stmt, ast.Import | ast.ImportFrom):
                previous = None
                continue
            above = lines[stmt.lineno - 2].strip() if stmt.lineno > 1 else ""
            own = " ".join(lines[stmt.lineno - 1 : stmt.end_lineno])
            covered = (
                MARK in own
                or above.startswith(MARK)
                or (previous is not None and previous[0] == stmt.lineno - 1 and previous[1])
            )
            if not covered:
                found.append(f"{path.relative_to(PACKAGE.parent)}:{stmt.lineno}")
            previous = (stmt.end_lineno or stmt.lineno, covered)

    def visit(node: ast.AST, in_function: bool) -> None:
        for field in ("body", "orelse", "finalbody", "handlers"):
            body = getattr(node, field, None)
            if isinstance(body, list) and in_function:
                check_body([s for s in body if isinstance(s, ast.stmt)])
        for child in ast.iter_child_nodes(node):
            visit(child, in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef))

    visit(ast.parse(text), False)
    return found


def test_every_import_inside_a_function_says_why() -> None:
    problems = [p for path in _modules() for p in unexplained_lazy_imports(path)]
    assert not problems, (
        "imports inside functions without '# lazy: <measured reason>' (move them to the "
        "top of the module):\n" + "\n".join(problems)
    )


def test_the_lazy_check_finds_what_it_should(tmp_path: Path) -> None:
    path = tmp_path / "veerkracht" / "m.py"
    path.parent.mkdir()
    path.write_text(
        "import os\n"
        "def f():\n"
        "    import json\n"  # 3: no reason
        "    # lazy: 2 s to import\n"
        "    import a\n"
        "    import b\n"  # same run: covered
        "    x = 1\n"
        "    import c  # lazy: optional\n"
        "    try:\n"
        "        import d\n"  # 10: no reason
        "    except ImportError:\n"
        "        pass\n"
    )
    global PACKAGE
    saved, PACKAGE = PACKAGE, path.parent
    try:
        assert unexplained_lazy_imports(path) == ["veerkracht/m.py:3", "veerkracht/m.py:10"]
    finally:
        PACKAGE = saved


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def test_every_module_imports_on_its_own() -> None:
    """Each module first, in a fresh process: before each one every veerkracht module is
    unloaded again, so each is the entry point once (a cycle inside the package fails
    with 'partially initialized module'). Third-party libraries stay loaded: importing
    them is not what is tested, and it keeps the test at seconds, not minutes."""
    names = [_module_name(p) for p in _modules() if p.name != "__main__.py"]
    code = (
        "import importlib, sys, traceback\n"
        f"names = {names!r}\n"
        "failed = []\n"
        "for name in names:\n"
        "    for loaded in [m for m in sys.modules if m.split('.')[0] == 'veerkracht']:\n"
        "        del sys.modules[loaded]\n"
        "    try:\n"
        "        importlib.import_module(name)\n"
        "    except Exception as exc:\n"
        "        failed.append(f'{name}: {type(exc).__name__}: {exc}')\n"
        "print('\\n'.join(failed))\n"
        "print(len(names), 'modules')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    *failed, summary = out.stdout.strip().splitlines()
    assert not failed, "modules that do not import on their own:\n" + "\n".join(failed)
    assert summary == f"{len(names)} modules" and len(names) > 100

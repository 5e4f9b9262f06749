"""Imports flow down the pipeline: no module imports from a later stage, and no two
packages import each other (directly or round a longer loop).

sources/online -> store -> harmonise -> indicators -> signals -> pipeline -> outputs
(maps, report, atlas, overview, status) -> web/cli. Small shared modules at the bottom
(errors, settings, codes, numbers, gemeenten, http, spreadsheet) may be used by all.

Imports under ``if TYPE_CHECKING:`` never run and are left out; imports inside functions
are counted (they run, and hiding one there does not make it flow down).
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

import veerkracht

PACKAGE = Path(veerkracht.__file__).parent

#: module or package -> stage; the longest matching prefix wins
STAGES: dict[str, int] = {
    # bottom: shared by every stage, importing nothing above it
    "veerkracht": 0,
    "veerkracht.errors": 0,
    "veerkracht.settings": 0,
    "veerkracht.codes": 0,
    "veerkracht.numbers": 0,
    "veerkracht.gemeenten": 0,
    "veerkracht.http": 0,
    "veerkracht.spreadsheet": 0,
    "veerkracht._pool": 0,
    "veerkracht.cancel": 0,  # cooperative cancellation: checkpoints in every stage
    # 1: reading files and fetching them from the official services
    "veerkracht.sources": 1,
    "veerkracht.online": 1,
    # 2: the store, and what writes into it
    "veerkracht.store": 2,
    "veerkracht.ingest": 2,
    "veerkracht.download": 2,  # fetch (online) and then import (ingest)
    "veerkracht.harmonise": 3,
    "veerkracht.own_data": 3,  # places own data on buurten (harmonise: PC4 → buurt)
    "veerkracht.indicators": 4,
    "veerkracht.kwb_dekking": 4,
    "veerkracht.signals": 5,
    "veerkracht.pipeline": 6,
    # outputs
    "veerkracht.maps": 7,
    "veerkracht.report": 7,
    "veerkracht.atlas": 7,
    "veerkracht.overview": 7,
    "veerkracht.status": 7,  # what is in the store, for 'data status' (uses the catalogue)
    # the front doors
    "veerkracht.web": 8,
    "veerkracht.cli": 8,
}


def stage(module: str) -> int:
    parts = module.split(".")
    for n in range(len(parts), 0, -1):
        found = STAGES.get(".".join(parts[:n]))
        if found is not None:
            return found
    raise KeyError(module)


def room(module: str) -> str:
    """The package (or top-level module) a module belongs to: the unit of the cycle check."""
    return ".".join(module.split(".")[:2])


def module_name(path: Path, root: Path = PACKAGE) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def runtime_imports(path: Path, root: Path = PACKAGE) -> list[tuple[int, str]]:
    """(line, module) of every veerkracht import that can run (TYPE_CHECKING left out)."""
    module = module_name(path, root)
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    found: list[tuple[int, str]] = []

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if _is_type_checking(child):
                for orelse in child.orelse:
                    visit(orelse)
                continue
            if isinstance(child, ast.ImportFrom):
                target = child.module or ""
                if child.level:
                    base = package[: len(package) - (child.level - 1)]
                    target = ".".join([*base, *([target] if target else [])])
                if target.split(".")[0] == "veerkracht":
                    # "from veerkracht import atlas" imports the module veerkracht.atlas
                    if target == "veerkracht":
                        found.extend((child.lineno, f"veerkracht.{a.name}") for a in child.names)
                    else:
                        found.append((child.lineno, target))
            elif isinstance(child, ast.Import):
                found.extend(
                    (child.lineno, a.name) for a in child.names if a.name.startswith("veerkracht")
                )
            visit(child)

    visit(ast.parse(path.read_text("utf-8")))
    return found


def _modules(root: Path) -> list[Path]:
    return sorted(root.rglob("*.py"))


def upward_imports(root: Path = PACKAGE) -> list[str]:
    problems = []
    for path in _modules(root):
        module = module_name(path, root)
        for line, target in runtime_imports(path, root):
            if stage(target) > stage(module):
                problems.append(
                    f"{path.relative_to(root.parent)}:{line}: {module} (stage {stage(module)}) "
                    f"imports {target} (stage {stage(target)})"
                )
    return problems


def room_cycles(root: Path = PACKAGE) -> list[list[str]]:
    """Strongly connected groups of rooms (size > 1) in the runtime import graph."""
    graph: dict[str, set[str]] = defaultdict(set)
    for path in _modules(root):
        src = room(module_name(path, root))
        for _, target in runtime_imports(path, root):
            dst = room(target)
            if dst != src and dst != "veerkracht":
                graph[src].add(dst)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def connect(v: str) -> None:  # Tarjan
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(graph[v]):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                cycles.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            connect(v)
    return cycles


def test_every_module_has_a_stage() -> None:
    for path in _modules(PACKAGE):
        stage(module_name(path))  # KeyError names a module nobody placed


def test_no_import_runs_back_up_the_flow() -> None:
    problems = upward_imports()
    assert not problems, "imports from a later stage:\n" + "\n".join(problems)


def test_no_import_cycles_between_packages() -> None:
    cycles = room_cycles()
    assert not cycles, f"packages that import each other: {cycles}"


@pytest.fixture
def bad_package(tmp_path: Path) -> Path:
    root = tmp_path / "veerkracht"
    for name, text in {
        "__init__.py": "",
        "store/__init__.py": "def f():\n    from veerkracht.signals import x\n",
        "signals/__init__.py": "from veerkracht.store import Store\n",
        "maps/__init__.py": (
            "from typing import TYPE_CHECKING\n"
            "if TYPE_CHECKING:\n    from veerkracht.web import app\n"
            "from . import layers\n"
        ),
        "maps/layers.py": "from ..web import app\n",
        "web/__init__.py": "from veerkracht.maps import layers\n",
    }.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def test_the_checks_find_what_they_should(bad_package: Path) -> None:
    """An upward import hidden in a function and a relative one are found; a
    TYPE_CHECKING import is not; a loop between two packages is a cycle."""
    problems = upward_imports(bad_package)
    assert [p.split(":")[0:2] for p in problems] == [
        ["veerkracht/maps/layers.py", "1"],
        ["veerkracht/store/__init__.py", "2"],
    ]
    assert sorted(room_cycles(bad_package)) == [
        ["veerkracht.maps", "veerkracht.web"],
        ["veerkracht.signals", "veerkracht.store"],
    ]

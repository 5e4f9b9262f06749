"""Importing veerkracht must stay cheap: no heavy optional dependency at import time."""

from __future__ import annotations

import subprocess
import sys

HEAVY = [
    "geopandas",
    "matplotlib",
    "duckdb",
    "esda",
    "libpysal",
    "statsmodels",
    "shapely",
    "pandas",
    "numpy",
    "pyarrow",
    "httpx",
    "fastapi",
    "weasyprint",
    "openpyxl",
    "mapclassify",
    "scipy",
    "PIL",
    "pyogrio",
    "xlsxwriter",
    "uvicorn",
    "playwright",
    "spreg",
]


def test_import_pulls_in_no_heavy_dependency() -> None:
    code = (
        "import sys, veerkracht, veerkracht.settings, veerkracht.errors; "
        f"print([m for m in {HEAVY!r} if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_cli_help_pulls_in_no_heavy_dependency() -> None:
    """``veerkracht --help`` loads every command module: their work stays in functions
    (``# lazy:``), so the help is there in about 0.5 s instead of 9 s."""
    code = (
        "import sys; from veerkracht.cli import _register; _register(); "
        f"print([m for m in {HEAVY!r} if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_cli_help_is_dutch() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "veerkracht.cli", "--help"], capture_output=True, text=True
    )
    assert out.returncode == 0
    assert "data" in out.stdout
    assert "signaleringskaarten" in out.stdout


def test_cli_error_has_no_traceback(tmp_path) -> None:
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "veerkracht.cli",
            "data",
            "status",
            "--store",
            str(tmp_path / "bestaat-niet.duckdb"),
        ],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 1
    assert "Traceback" not in out.stderr
    assert "Fout:" in out.stderr and "Oplossing:" in out.stderr


def test_no_assert_in_the_package() -> None:
    """``python -O`` drops asserts: a check users rely on is an explicit error instead."""
    import ast
    from pathlib import Path

    package = Path(__file__).resolve().parents[1] / "src" / "veerkracht"
    found = [
        f"{path.relative_to(package)}:{node.lineno}"
        for path in sorted(package.rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text("utf-8")))
        if isinstance(node, ast.Assert)
    ]
    assert not found, "assert in production code: " + ", ".join(found)

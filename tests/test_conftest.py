"""The test suite's own rules: under CI, missing shared data fails instead of skipping."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import in_ci

_MARKED = """
import pytest

@pytest.mark.shared_data
def test_marked():
    pass
"""


def _run_marked(tmp_path: Path, ci: str) -> str:
    shutil.copy(Path(__file__).parent / "conftest.py", tmp_path / "conftest.py")
    (tmp_path / "test_marked.py").write_text(_MARKED, encoding="utf-8")
    env = {**os.environ, "CI": ci, "VEERKRACHT_SHARED_DATA": str(tmp_path / "geen_data")}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", str(tmp_path)],
        env=env, capture_output=True, text=True, cwd=tmp_path, check=False,
    )
    return done.stdout


def test_marker_fails_under_ci_when_data_is_absent(tmp_path: Path) -> None:
    out = _run_marked(tmp_path, "Yes")
    assert "1 error" in out and "real open data not found" in out


def test_marker_skips_locally_when_data_is_absent(tmp_path: Path) -> None:
    out = _run_marked(tmp_path, "")
    assert "1 skipped" in out


@pytest.mark.parametrize(
    ("value", "expected"),
    [("true", True), ("TRUE", True), ("1", True), ("yes", True), ("", False), ("0", False),
     ("false", False)],
)
def test_ci_values(value: str, expected: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", value)
    assert in_ci() is expected

"""Shared fixtures. Real open data comes from ../shared/data (or VEERKRACHT_SHARED_DATA).

Under CI (CI=true) a test that needs those files fails when they are absent; it
never silently skips.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from veerkracht.settings import shared_data_dir


@pytest.fixture(scope="session")
def shared_data() -> Path:
    path = shared_data_dir()
    if not (path / "README.md").exists():
        message = f"real open data not found at {path} (set VEERKRACHT_SHARED_DATA)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture
def store(tmp_path: Path):
    from veerkracht.store import Store

    st = Store(tmp_path / "store.duckdb")
    yield st
    st.close()


@pytest.fixture(scope="session")
def amsterdam_store(shared_data: Path, tmp_path_factory: pytest.TempPathFactory):
    """A store with everything in shared/data imported (built once per test session)."""
    from veerkracht.ingest import import_folder
    from veerkracht.store import Store

    path = tmp_path_factory.mktemp("store") / "store.duckdb"
    st = Store(path)
    report = import_folder(st, shared_data)
    st.report = report  # type: ignore[attr-defined]
    yield st
    st.close()


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Never touch the user's real store from a test.
    monkeypatch.setenv("VEERKRACHT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("VEERKRACHT_STORE", raising=False)

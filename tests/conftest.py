"""Shared fixtures. Real open data comes from ../shared/data (or VEERKRACHT_SHARED_DATA).

Under CI (``CI`` set to true, 1 or yes) a test that needs those files fails when they
are absent; it never silently skips. A test needs them when it uses the
``shared_data`` fixture or carries the ``shared_data`` marker.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from veerkracht.settings import shared_data_dir


def in_ci() -> bool:
    """True on a CI runner, where a missing tool or data file must fail, not skip."""
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


@pytest.fixture(scope="session")
def shared_data() -> Path:
    path = shared_data_dir()
    if not (path / "README.md").exists():
        message = f"real open data not found at {path} (set VEERKRACHT_SHARED_DATA)"
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(autouse=True)
def _shared_data_marker(request: pytest.FixtureRequest) -> None:
    # @pytest.mark.shared_data means the same as using the fixture: fail under CI, skip
    # locally when the data is absent (a collection hook cannot fail a single test)
    if request.node.get_closest_marker("shared_data") is not None:
        request.getfixturevalue("shared_data")


@pytest.fixture
def store(tmp_path: Path):
    from veerkracht.store import Store

    st = Store(tmp_path / "store.duckdb")
    yield st
    st.close()


@pytest.fixture(scope="session")
def amsterdam_store(shared_data: Path, tmp_path_factory: pytest.TempPathFactory):
    """A store with everything in shared/data imported (built once per test session).

    Shared by many tests, so its content must not depend on which test runs first. The
    one write tests make to it — the translation of Amsterdam (GM0363) to the 2019
    edition, written by ``signals.prepare``/``ensure_translation`` in the report,
    signals, atlas and web tests — is done here, up front, so those later calls are
    no-ops. A test that writes anything else must use its own store (the ``store``
    fixture, or a copy of this file as ``tests/test_atlas.py`` does).
    """
    from veerkracht.ingest import import_folder
    from veerkracht.signals import ensure_translation
    from veerkracht.store import Store

    path = tmp_path_factory.mktemp("store") / "store.duckdb"
    st = Store(path)
    report = import_folder(st, shared_data)
    ensure_translation(st, "GM0363", 2019)
    # the other gemeenten the tests look at, on the edition the pipeline picks for them
    from veerkracht.signals.edition import default_edition

    for gm in ("GM0599", "GM0772", "GM0344", "GM0014"):
        edition = default_edition(st, gm, 2020)
        if edition in st.buurt_code_editions(gm, published=False):
            ensure_translation(st, gm, edition)
    st.report = report  # type: ignore[attr-defined]
    yield st
    st.close()


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Never touch the user's real store from a test.
    monkeypatch.setenv("VEERKRACHT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("VEERKRACHT_STORE", raising=False)

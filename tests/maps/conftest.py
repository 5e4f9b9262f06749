"""Fixtures for the map tests: a real Amsterdam MapSet (geometry + KWB 2017/2019)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def amsterdam(shared_data: Path):
    from tests.maps._amsterdam import amsterdam_mapset

    return amsterdam_mapset(shared_data)

"""Bad input on the command line: a Dutch message, no traceback, nothing written."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def _run(*args: str, tmp: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "veerkracht.cli", *args],
        capture_output=True,
        text=True,
        env={"VEERKRACHT_DATA_DIR": str(tmp), "PATH": "/usr/bin"},
    )


def test_missing_store_is_reported_and_not_created(tmp_path: Path) -> None:
    store = tmp_path / "leeg.duckdb"
    out = _run("signalen", "Amsterdam", "--store", str(store), tmp=tmp_path)
    assert out.returncode == 1
    assert "Traceback" not in out.stderr
    assert "Oplossing" in out.stderr
    assert not store.exists()


def test_markup_in_user_input_is_shown_literally(tmp_path: Path) -> None:
    import pandas as pd

    from veerkracht.sources.base import DatasetInfo, SourceTable
    from veerkracht.store import Store

    store = tmp_path / "s.duckdb"
    with Store(store) as st:
        regions = pd.DataFrame(
            {
                "region_code": ["GM9999"],
                "level": ["gemeente"],
                "edition": [2019],
                "name": ["Proefgem"],
                "gemeente_code": ["GM9999"],
            }
        )
        empty = pd.DataFrame(
            columns=["region_code", "level", "edition", "period", "variable", "value", "status"]
        )
        st.import_table(
            SourceTable(
                DatasetInfo("cbs_kwb", "CBS", "KWB"), Path("k.csv"), empty, regions=regions
            ),
            file_hash="x",
            reader="test",
        )
    out = _run("signalen", "[/x]", "--store", str(store), tmp=tmp_path)
    assert out.returncode == 1
    assert "Traceback" not in out.stderr
    assert "'[/x]'" in out.stderr  # the user's text, brackets and all


def test_reversed_period_writes_nothing(amsterdam_store, tmp_path: Path) -> None:
    from veerkracht.errors import ParameterError
    from veerkracht.pipeline import signal_view

    before = amsterdam_store.query("SELECT count(*) AS n FROM translation_errors").n.iloc[0]
    try:
        signal_view(amsterdam_store, "Amsterdam", 2019, 2017, edition=2013)
    except ParameterError as exc:
        assert "--tot" in str(exc)
    else:
        raise AssertionError("a reversed period must be refused")
    after = amsterdam_store.query("SELECT count(*) AS n FROM translation_errors").n.iloc[0]
    assert after == before


def test_bad_typology_file_is_a_dutch_error(tmp_path: Path) -> None:
    import pytest

    from veerkracht.errors import InputFileError
    from veerkracht.signals.typology import TYPOLOGY, load_typology

    with pytest.raises(InputFileError, match="niet gevonden"):
        load_typology(tmp_path / "bestaat-niet.toml")
    broken = tmp_path / "kapot.toml"
    broken.write_text("[drempels\\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="geen geldige TOML"):
        load_typology(broken)
    renamed = tmp_path / "codes.toml"
    renamed.write_text(
        TYPOLOGY.read_text(encoding="utf-8").replace('"PRO"', '"XXX"'), encoding="utf-8"
    )
    with pytest.raises(InputFileError, match="klassecodes"):
        load_typology(renamed)


def test_unknown_regression_model(tmp_path: Path) -> None:
    out = _run("signalen", "Amsterdam", "--model", "kwadratisch", tmp=tmp_path)
    assert out.returncode == 1
    assert "--model" in out.stderr and "Traceback" not in out.stderr


def test_overzicht_reports_bad_period_and_missing_store(tmp_path: Path) -> None:
    store = tmp_path / "leeg.duckdb"
    out = _run("overzicht", "--van", "2020", "--tot", "2016", "--store", str(store), tmp=tmp_path)
    assert out.returncode == 1
    assert "--tot" in out.stderr and "2016" in out.stderr and "Oplossing" in out.stderr
    out = _run("overzicht", "--store", str(store), "--uit", str(tmp_path / "uit"), tmp=tmp_path)
    assert out.returncode == 1
    assert "Traceback" not in out.stderr and "Oplossing" in out.stderr
    assert not store.exists()
    assert not (tmp_path / "uit").exists()

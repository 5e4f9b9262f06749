"""KWB columns by title across 2013–2025, on the real KWB files and KWB 2024's DataProperties."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from tests.online import real
from veerkracht.cli import main
from veerkracht.kwb_dekking import YEARS, _find, column_lists, coverage

pytestmark = pytest.mark.shared_data


@pytest.fixture(scope="module")
def lists(shared_data: Path):
    return column_lists([shared_data, real.real_dir()])


def _status(cov, key: str, year: int) -> str:
    return cov.loc[key, year].status


def test_years_with_real_column_lists(lists) -> None:
    assert set(lists) == {2017, 2019, 2023, 2024}
    sources = {c.source for c in lists[2024]}
    assert "cbs_odata_v3_kwb2024_85984NED/DataProperties.json" in sources


def test_migration_background_discontinued_and_its_successor(lists) -> None:
    cov = coverage(lists)
    assert list(cov.columns) == list(YEARS)
    assert [_status(cov, "niet_westers", y) for y in (2017, 2019, 2023, 2024)] == [
        "ja", "ja", "vervallen", "vervallen"]
    assert "opvolger: herkomst_buiten_europa" in cov.loc["niet_westers", 2024].detail
    assert [_status(cov, "herkomst_buiten_europa", y) for y in (2017, 2019, 2023, 2024)] == [
        "bestond nog niet", "bestond nog niet", "ja", "ja"]
    assert {_status(cov, "niet_westers", y) for y in (2013, 2018, 2025)} == {"–"}


def test_income_not_published_yet_in_2024(lists) -> None:
    cov = coverage(lists)
    assert _status(cov, "laag_inkomen", 2023) == "ja"
    assert _status(cov, "laag_inkomen", 2024) == "nog niet"  # columns there, values not yet
    assert _status(cov, "inwoners", 2024) == "ja"


def test_kwb_2024_keys_renamed_and_three_buiten_europa(lists) -> None:
    from veerkracht.sources._columns import load_spec
    from veerkracht.sources.cbs_kwb import PREFIX, SPEC_PATH

    specs = {s.key: s for s in load_spec(SPEC_PATH, PREFIX).columns}
    described = [c for c in lists[2024] if not c.has_values]
    assert sum(k.startswith("BuitenEuropa_") for k in described[0].columns) == 3
    herkomst = _find(specs["a_neu_al"], described)
    assert herkomst is not None and herkomst.detail.endswith("BuitenEuropa_19 (tabelopbouw)")
    leeg = _find(specs["p_leegsw"], described)
    assert leeg is not None and leeg.status == "hernoemd" and "OnbewoondeWoningen_46" in leeg.detail
    assert _find(specs["a_nw_all"], described) is None


def test_command_prints_and_writes_csv(shared_data, tmp_path, capsys) -> None:
    out_csv = tmp_path / "dekking.csv"
    assert main(["data", "kwb-dekking", str(shared_data), str(real.real_dir()),
                 "--csv", str(out_csv)]) == 0
    printed = capsys.readouterr().out
    assert "KWB-variabelen per indicator en jaar" in printed and "vervallen" in printed
    rows = list(csv.DictReader(out_csv.open(encoding="utf-8")))
    cell = next(r for r in rows if r["indicator"] == "niet_westers" and r["jaar"] == "2024")
    assert cell["status"] == "vervallen"
    assert not any(r["status"] == "–" for r in rows)

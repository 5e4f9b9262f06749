from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from veerkracht.errors import InputFileError
from veerkracht.sources._tabular import normalise_title, parse_numbers
from veerkracht.sources.registry import detect, read

KWB = "cbs_kwb_amsterdam"


def _value(table, code: str, variable: str) -> float:
    v = table.values
    row = v[(v.region_code == code) & (v.variable == f"kwb.{variable}")]
    assert len(row) == 1, (code, variable, row)
    return float(row.value.iloc[0])


def test_titles_normalise_across_export_styles() -> None:
    statline = "Wonen/Woningen naar eigendom/Huurwoningen/In bezit woningcorporatie (%)"
    r_export = "Wonen.Woningen.naar.eigendom.Huurwoningen.In.bezit.woningcorporatie...."
    assert normalise_title(statline) == normalise_title(r_export)
    assert normalise_title("Wmo-cliënten (aantal)") == "wmo clienten aantal"


def test_statline_numbers_and_statuses() -> None:
    numbers, status = parse_numbers(pd.Series(["15,3", "  15.3", ".", "", "NA", "-99999999"]))
    assert numbers.iloc[0] == pytest.approx(15.3)
    assert numbers.iloc[1] == pytest.approx(15.3)
    assert list(status) == ["ok", "ok", "geheim", "leeg", "leeg", "geheim"]


def test_numbers_with_and_without_the_costly_cleaning() -> None:
    """Trimming and comma replacement are skipped when a column's bytes need neither."""
    cases = {
        "clean": (["12", "1.5", ".", ""], [12.0, 1.5, None, None], [0, 0, 1, 2]),
        "comma": (["1,5", "2"], [1.5, 2.0], [0, 0]),
        "padded": (["8 ", " 9"], [8.0, 9.0], [0, 0]),
        "nbsp": (["\u00a07", "x"], [7.0, None], [0, 1]),
        "text": (["abc", "1e3"], [None, 1000.0], [2, 0]),
    }
    for name, (cells, values, statuses) in cases.items():
        numbers, status = parse_numbers(pd.Series(cells, dtype="string[pyarrow]"))
        got = [None if pd.isna(v) else v for v in numbers]
        assert (got, status.cat.codes.tolist()) == (values, statuses), name


def test_kwb_2017_r_export(shared_data: Path) -> None:
    path = shared_data / KWB / "Kerncijfers_wijken_en_buurten_2017_amsterdam_Rexport.csv"
    assert detect(path).code == "cbs_kwb_csv"
    table = read(path)
    assert table.periods == [2017]
    assert table.dataset.dataset_id == "83765NED"
    # Values from the file (2017, Burgwallen-Oude Zijde = WK036300)
    assert _value(table, "WK036300", "a_inw") == 4245
    assert _value(table, "WK036300", "p_wcorpw") == 12
    assert _value(table, "GM0363", "p_hh_osm") == pytest.approx(13.1)
    assert _value(table, "NL00", "g_hhgro") == pytest.approx(2.2)
    assert _value(table, "WK036300", "g_geweld") == 53
    levels = table.values.drop_duplicates("region_code").level.value_counts().to_dict()
    assert levels == {"buurt": 479, "wijk": 99, "gemeente": 1, "land": 1}
    # 2017 has crime but lacks the 110/120 % social-minimum columns
    assert "kwb.p_hh_120" in table.missing[2017]
    assert "kwb.g_geweld" not in table.missing[2017]


def test_kwb_2019_decimal_comma_and_missing(shared_data: Path) -> None:
    table = read(shared_data / KWB / "Kerncijfers_wijken_en_buurten_2019_amsterdam_Rexport.csv")
    assert table.periods == [2019]
    assert _value(table, "GM0363", "g_hhgro") == pytest.approx(1.8)
    assert _value(table, "GM0363", "p_hh_120") == pytest.approx(19.5)
    assert set(table.missing[2019]) >= {"kwb.g_wodief", "kwb.g_vernoo", "kwb.g_geweld"}


def test_kwb_2023_english_headers_semicolon_bom(shared_data: Path) -> None:
    table = read(
        shared_data / KWB / "Kerncijfers_wijken_en_buurten_2023_income_amsterdam_renamed.csv"
    )
    assert table.periods == [2023]
    assert _value(table, "WK0363AA", "p_hh_lkk") == pytest.approx(9.7)
    assert _value(table, "GM0363", "p_hh_120") == pytest.approx(18.4)
    codes = table.values.region_code.unique()
    assert all(c == c.strip() for c in codes)
    assert (table.regions.level == "buurt").sum() == 517


def test_kwb_xlsx_utrecht_early_release(shared_data: Path) -> None:
    table = read(shared_data / "cbs_kwb_utrecht" / "CBS-Utrecht-kwb-2023.xlsx")
    assert table.periods == [2023]
    assert _value(table, "BU03440111", "a_inw") == 1810
    # all-'.' income columns in the early release are reported as lacking, not stored
    assert "kwb.p_hh_lkk" in table.missing[2023]
    assert not (table.values.variable == "kwb.p_hh_lkk").any()


def test_kwb_without_year_is_a_clear_error(tmp_path: Path, shared_data: Path) -> None:
    src = shared_data / KWB / "Kerncijfers_wijken_en_buurten_2019_amsterdam_Rexport.csv"
    copy = tmp_path / "kerncijfers.csv"
    copy.write_bytes(src.read_bytes())
    with pytest.raises(InputFileError, match="jaar"):
        read(copy)


def test_kwb_year_option(tmp_path: Path, shared_data: Path) -> None:
    from veerkracht.sources.cbs_kwb import read_csv

    src = shared_data / KWB / "Kerncijfers_wijken_en_buurten_2019_amsterdam_Rexport.csv"
    copy = tmp_path / "kerncijfers.csv"
    copy.write_bytes(src.read_bytes())
    assert read_csv(copy, year=2019).periods == [2019]

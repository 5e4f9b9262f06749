from __future__ import annotations

from pathlib import Path

import pytest

from veerkracht.errors import InputFileError, MissingColumnsError
from veerkracht.sources.registry import detect, read


def _value(table, code: str, variable: str, period: int) -> float:
    v = table.values
    row = v[(v.region_code == code) & (v.variable == variable) & (v.period == period)]
    assert len(row) == 1, (code, variable, period, row)
    return float(row.value.iloc[0])


def test_lbm2_pc4_classes(shared_data: Path) -> None:
    path = shared_data / "leefbaarometer_2_0" / "PC4LBR.csv"
    assert detect(path).code == "lbm2_pc4_klassen"
    table = read(path)
    assert table.periods == [2002, 2008, 2012, 2014, 2016, 2018]
    assert table.editions == [2018]
    assert set(table.values.level) == {"pc4"}
    v = table.values
    assert ((v.variable == "lbm2.klasse") & (v.period == 2018)).sum() == 3834
    assert _value(table, "1011", "lbm2.klasse", 2002) == 7
    # VKL0208 -> development since 2002, stored at 2008
    assert _value(table, "1012", "lbm2.ontwikkeling_vanaf_2002", 2008) == 6
    assert _value(table, "1012", "lbm2.ontwikkeling_vanaf_2016", 2018) == 4
    assert {x.kind for x in table.variables} == {"klasse"}
    assert len(v) == 78382


def test_lbm2_pc4_dimensions_add_up(shared_data: Path) -> None:
    path = shared_data / "leefbaarometer_2_0" / "PC4DIMENSIE.csv"
    assert detect(path).code == "lbm2_pc4_dimensies"
    table = read(path)
    assert table.periods == [2012, 2014, 2016, 2018]
    assert _value(table, "1011", "lbm2.totaal", 2012) == pytest.approx(0.278)
    parts = ("won", "bev", "vrz", "vei", "fys")
    dims = sum(_value(table, "1011", f"lbm2.{d}", 2012) for d in parts)
    assert dims == pytest.approx(0.278)
    assert _value(table, "1012", "lbm2.vei", 2018) == pytest.approx(-0.483)
    assert table.values[table.values.variable == "lbm2.totaal"].region_code.nunique() == 3844
    assert {x.kind for x in table.variables} == {"score"}


def test_lbm2_wijk_json(shared_data: Path) -> None:
    path = shared_data / "leefbaarometer_2_0_wijk" / "wijk.json"
    assert detect(path).code == "lbm2_json"
    table = read(path)
    assert table.editions == [2016]
    assert table.periods == [2002, 2008, 2012, 2014, 2016]
    assert _value(table, "WK036300", "lbm2.klasse", 2016) == 9
    assert _value(table, "WK036300", "lbm2.ontwikkeling_vanaf_2008", 2014) == 3
    assert set(table.values.level) == {"wijk"}
    assert table.values.region_code.nunique() == 2854
    gemeente = read(shared_data / "leefbaarometer_2_0_wijk" / "gemeente.json")
    assert set(gemeente.values.level) == {"gemeente"}
    assert _value(gemeente, "GM0003", "lbm2.klasse", 2002) == 6


def test_lbm3_amstelveen_wijk(shared_data: Path) -> None:
    path = shared_data / "leefbaarometer_3_0_amstelveen_wijk" / "AmstelveenDataWithDimensions.csv"
    assert detect(path).code == "lbm3_csv"
    table = read(path)
    assert table.periods == [2014, 2018, 2020, 2022]
    assert table.editions == [2022]
    assert len(table.values) == 56 * 7
    assert _value(table, "WK036201", "lbm3.lbm", 2022) == pytest.approx(4.328187, abs=1e-6)
    assert _value(table, "WK036201", "lbm3.onv", 2014) == pytest.approx(0.044195112697823)
    regions = table.regions.set_index("region_code")
    assert len(regions) == 14
    assert regions.loc["WK036201", "name"] == "Randwijck"
    assert "kolommen niet gebruikt: 1" in table.notes


def test_lbm3_buurt_csv_with_class_and_decimal_comma(tmp_path: Path) -> None:
    path = tmp_path / "Leefbaarometer-scores buurten 2002-2022.csv"
    path.write_text(
        "bu_code;bu_naam;gm_naam;jaar;lbm;afw;fys;onv;soc;vrz;won;kl\n"
        "BU03630000;Kop Zeedijk;Amsterdam;2020;4,01;-0,09;0,01;-0,20;0,02;0,10;-0,02;4\n"
        "BU03630000;Kop Zeedijk;Amsterdam;2022;4,05;-0,05;0,01;-0,15;0,02;0,09;-0,02;5\n"
        "BU03630001;Oude Kerk e.o.;Amsterdam;2022;;;;;;;;\n",
        encoding="utf-8",
    )
    assert detect(path).code == "lbm3_csv"
    table = read(path)
    assert table.editions == [2022]
    assert _value(table, "BU03630000", "lbm3.onv", 2020) == pytest.approx(-0.20)
    assert _value(table, "BU03630000", "lbm3.klasse", 2022) == 5
    assert not (table.values.region_code == "BU03630001").any()  # empty cells not stored
    assert set(table.values.level) == {"buurt"}
    assert table.regions.set_index("region_code").loc["BU03630001", "name"] == "Oude Kerk e.o."


def test_lbm3_grid_csv(tmp_path: Path) -> None:
    path = tmp_path / "grid.csv"
    path.write_text(
        "grid_id,jaar,lbm,afw,fys,onv,soc,vrz,won\n"
        "E1210N4870,2022,4.2,0.1,0.0,0.05,0.01,0.03,0.01\n"
        "E1210N4871,2022,3.9,-0.2,0.0,-0.1,-0.05,0.0,-0.05\n",
        encoding="utf-8",
    )
    assert detect(path).code == "lbm3_csv"
    table = read(path)
    assert set(table.values.level) == {"grid"}
    assert table.regions is None
    assert _value(table, "E1210N4871", "lbm3.afw", 2022) == pytest.approx(-0.2)


def test_lbm3_bad_year_and_missing_code(tmp_path: Path) -> None:
    from veerkracht.sources.leefbaarometer import read_lbm3

    path = tmp_path / "lbm.csv"
    path.write_text("wk_code,jaar,lbm\nWK036201,twee,4.1\n", encoding="utf-8")
    with pytest.raises(InputFileError, match=r"kolom 'jaar', rij 2"):
        read_lbm3(path)
    path.write_text("code,jaar,lbm\nWK036201,2022,4.1\n", encoding="utf-8")
    with pytest.raises(MissingColumnsError, match="bu_code"):
        read_lbm3(path)

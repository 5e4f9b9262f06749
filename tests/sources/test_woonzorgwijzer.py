from __future__ import annotations

from pathlib import Path

import pytest

from veerkracht.errors import InputFileError, MissingColumnsError
from veerkracht.sources.registry import detect, read


def _value(table, code: str, variable: str) -> tuple[float, str]:
    v = table.values
    row = v[(v.region_code == code) & (v.variable == f"wzw.{variable}")]
    assert len(row) == 1, (code, variable, row)
    return float(row.value.iloc[0]), str(row.status.iloc[0])


def test_buurt_export_percentages(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(
        "Buurtcode;Jaar;Aandeel psychiatrische problematiek;LVB;Dementie;Somatisch\n"
        "BU03630000;2023;4,2%;2,1;1,0;.\n"
        "BU03630001 ;2023;3,8%;1,9;;5,5\n",
        encoding="utf-8",
    )
    assert detect(path).code == "woonzorgwijzer_csv"
    table = read(path)
    assert table.periods == [2023]
    assert table.editions == [2023]
    assert _value(table, "BU03630000", "psychiatrisch") == (pytest.approx(4.2), "ok")
    assert _value(table, "BU03630001", "lvb") == (pytest.approx(1.9), "ok")
    assert _value(table, "BU03630000", "somatisch")[1] == "geheim"
    v = table.values
    assert not ((v.region_code == "BU03630001") & (v.variable == "wzw.dementie")).any()
    assert "wzw.verslaving" in table.missing[2023]
    assert {v.kind for v in table.variables} == {"score"}
    assert set(table.values.level) == {"buurt"}


def test_pc6_fractions_normalised(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(
        "pc6,jaar,indeling,psychiatrisch,dementie\n1011 ab,2022,2022,0.042,0.01\n"
        "1012AB,2022,2022,0.03,0.02\n",
        encoding="utf-8",
    )
    table = read(path)
    assert _value(table, "1011AB", "psychiatrisch") == (pytest.approx(4.2), "ok")
    assert set(table.values.level) == {"pc6"}
    assert any("fractie" in n for n in table.notes)


def test_out_of_range_names_rows(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(
        "buurtcode,jaar,lvb\nBU03630000,2023,2.0\nBU03630001,2023,140\nBU03630002,2023,-1\n",
        encoding="utf-8",
    )
    with pytest.raises(InputFileError, match=r"kolom 'lvb', rij 3, 4: aandeel buiten 0–100"):
        read(path)


def test_missing_year_and_bad_code(tmp_path: Path) -> None:
    from veerkracht.sources.woonzorgwijzer import read_csv

    path = tmp_path / "export.csv"
    path.write_text("buurtcode,dementie\nBU03630000,2.0\n", encoding="utf-8")
    with pytest.raises(MissingColumnsError, match="jaar"):
        read_csv(path)
    assert read_csv(path, year=2021).periods == [2021]
    path.write_text("buurtcode,jaar,dementie\nKop Zeedijk,2023,2.0\n", encoding="utf-8")
    with pytest.raises(InputFileError, match=r"kolom 'buurtcode', rij 2: ongeldige regiocode"):
        read_csv(path)

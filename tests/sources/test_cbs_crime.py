from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from veerkracht.errors import InputFileError
from veerkracht.sources.cbs_crime import load_categories
from veerkracht.sources.registry import detect, read


def _all_codes() -> list[str]:
    codes = [c for _label, cs in load_categories().values() for c in cs if c != "0.0.0"]
    return ["Totaal misdrijven"] + [f"{c} x" for c in codes]


def _value(table, code: str, variable: str, period: int) -> tuple[float, str]:
    v = table.values
    key = f"misdrijven.{variable}"
    row = v[(v.region_code == code) & (v.variable == key) & (v.period == period)]
    assert len(row) == 1, (code, variable, period, row)
    return float(row.value.iloc[0]), str(row.status.iloc[0])


def test_period_and_code_notations() -> None:
    from veerkracht.sources.cbs_crime import crime_code, parse_period

    assert parse_period("2021MM03") == (2021, "MM", 3)
    assert parse_period("2020JJ00") == (2020, "JJ", 0)
    assert parse_period("2021 januari") == (2021, "MM", 1)
    assert parse_period("2024 november*") == (2024, "MM", 11)
    assert parse_period("2019") == (2019, "JJ", 0)
    assert parse_period("januari") is None
    assert crime_code("1.1.1 Diefstal/inbraak woning") == "1.1.1"
    assert crime_code("1.4.5 ") == "1.4.5"
    assert crime_code("Totaal misdrijven") == "0.0.0"


def _monthly_csv(path: Path, months: int, year: int = 2021) -> None:
    names = ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
             "september", "oktober", "november", "december"]
    lines = ['"Soort misdrijf";"Wijken en buurten";"Regiocode (gemeente, wijk, buurt) (code)";'
             '"Perioden";"Geregistreerde misdrijven (aantal)"']
    for soort in _all_codes():
        for m in range(months):
            # Kop Zeedijk: 2 per month per code, except a suppressed March for 1.4.5
            value = "." if (soort.startswith("1.4.5") and m == 2) else "2"
            lines.append(f'"{soort}";"Kop Zeedijk";"BU03630000";"{year} {names[m]}";"{value}"')
            lines.append(f'"{soort}";"Amsterdam";"GM0363    ";"{year} {names[m]}";"  10"')
    path.write_text("\ufeff" + "\n".join(lines) + "\n", encoding="utf-8")


def test_monthly_csv_summed_to_year(tmp_path: Path) -> None:
    path = tmp_path / "misdrijven.csv"
    _monthly_csv(path, 12)
    assert detect(path).code == "cbs_misdrijven_csv"
    table = read(path)
    assert table.dataset.dataset_id == "47022NED"
    assert table.periods == [2021]
    assert table.editions == [2021]
    assert _value(table, "BU03630000", "totaal", 2021) == (24, "ok")
    assert _value(table, "BU03630000", "woninginbraak", 2021) == (24, "ok")
    assert _value(table, "BU03630000", "vernieling_openbare_orde", 2021) == (48, "ok")
    # one suppressed month of 1.4.5 makes the violence total 'geheim'
    value, status = _value(table, "BU03630000", "geweld", 2021)
    assert status == "geheim"
    assert math.isnan(value)
    assert _value(table, "GM0363", "geweld", 2021) == (7 * 12 * 10, "ok")
    assert {v.kind for v in table.variables} == {"aantal"}
    assert table.missing == {}


def test_incomplete_year_not_stored(tmp_path: Path) -> None:
    path = tmp_path / "misdrijven.csv"
    _monthly_csv(path, 5)
    table = read(path)
    assert table.values.empty
    assert "2021: onvolledig jaar (5 maanden), niet opgeslagen" in table.notes


def test_odata_yearly_json_with_missing_category(tmp_path: Path) -> None:
    rows = [
        {"ID": 1, "SoortMisdrijf": "0.0.0 ", "WijkenEnBuurten": "WK036300  ",
         "Perioden": "2020JJ00", "GeregistreerdeMisdrijven_1": 812},
        {"ID": 2, "SoortMisdrijf": "1.1.1 ", "WijkenEnBuurten": "WK036300  ",
         "Perioden": "2020JJ00", "GeregistreerdeMisdrijven_1": 31},
        {"ID": 3, "SoortMisdrijf": "2.2.1 ", "WijkenEnBuurten": "WK036300  ",
         "Perioden": "2020JJ00", "GeregistreerdeMisdrijven_1": None},
    ]
    doc = {"odata.metadata": "https://dataderden.cbs.nl/ODataApi/OData/47018NED/$metadata"
           "#Cbs.OData.WebAPI.TypedDataSet", "value": rows}
    path = tmp_path / "download.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert detect(path).code == "cbs_misdrijven_odata"
    table = read(path)
    assert table.dataset.dataset_id == "47018NED"
    assert _value(table, "WK036300", "totaal", 2020) == (812, "ok")
    assert _value(table, "WK036300", "woninginbraak", 2020) == (31, "ok")
    assert table.values.level.unique().tolist() == ["wijk"]
    # 3.6.4 and the 1.4.x codes are not in the file: no partial sums
    assert "misdrijven.vernieling_openbare_orde" in table.missing[2020]
    assert "misdrijven.geweld" in table.missing[2020]


def test_names_without_codes_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "misdrijven.csv"
    path.write_text(
        "Soort misdrijf;Wijken en buurten;Perioden;Geregistreerde misdrijven (aantal)\n"
        "Totaal misdrijven;Kop Zeedijk;2021;12\n",
        encoding="utf-8",
    )
    with pytest.raises(InputFileError, match="regiocodes"):
        read(path)


def test_unreadable_period_names_row(tmp_path: Path) -> None:
    path = tmp_path / "misdrijven.csv"
    path.write_text(
        "Soort misdrijf;Regiocode;Perioden;Geregistreerde misdrijven (aantal)\n"
        "Totaal misdrijven;BU03630000;2021;12\n"
        "Totaal misdrijven;BU03630000;vorig jaar;12\n",
        encoding="utf-8",
    )
    with pytest.raises(InputFileError, match=r"kolom 'Perioden', rij 3.*vorig jaar"):
        read(path)

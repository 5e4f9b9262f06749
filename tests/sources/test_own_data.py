"""An organisation's own file: keys, value columns, clear errors, aggregation to buurten."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from veerkracht.errors import InputFileError, ParameterError
from veerkracht.sources.base import VALUE_COLUMNS
from veerkracht.sources.own_data import buurt_values_from_own_data, own_data_from_file
from veerkracht.sources.registry import detect, read

BUURTEN = gpd.GeoDataFrame(
    {
        "region_code": ["BU03630001", "BU03630002", "BU03630003"],
        "edition": [2022, 2022, 2022],
    },
    geometry=[
        box(120_000, 487_000, 121_000, 488_000),
        box(121_000, 487_000, 122_000, 488_000),
        box(122_000, 487_000, 123_000, 488_000),
    ],
    crs="EPSG:28992",
)


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_buurtcode_csv_sums_and_labels(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "complexen.csv",
        "complex;buurtcode;woningen;huur;beleid\n"
        "C1;BU03630001;120;812,5;handhaven\n"
        "C2;bu03630001;30;700;sloop\n"
        "C3;BU03630001;10;650;sloop\n"
        "C4;BU03630002;45;;handhaven\n",
    )
    own = own_data_from_file(path, organisation="Woonstichting De Key", edition=2022)
    assert own.key_type == "buurt"
    assert own.numeric == ["woningen", "huur"] and own.labels == ["complex", "beleid"]
    assert own.frame["key"].tolist() == ["BU03630001"] * 3 + ["BU03630002"]
    assert own.frame["huur"].tolist()[:1] == [812.5]
    out = buurt_values_from_own_data(own, BUURTEN).set_index("region_code")
    assert out.loc["BU03630001", "woningen"] == 160
    assert out.loc["BU03630001", "beleid"] == "sloop"  # 2x sloop, 1x handhaven
    assert out.loc["BU03630001", "n_rijen"] == 3
    assert pd.isna(out.loc["BU03630002", "huur"])  # empty stays empty, not 0
    assert out.loc["BU03630003", "n_rijen"] == 0 and pd.isna(out.loc["BU03630003", "woningen"])


def test_points_rd_and_wgs84(tmp_path: Path) -> None:
    rd = _write(
        tmp_path / "rd.csv", "x,y,meldingen\n120500,487500,3\n121500,487500,4\n120100,487900,1\n"
    )
    own = own_data_from_file(rd, organisation="politie")
    assert own.key_type == "punt" and own.points.crs == "EPSG:28992"
    out = buurt_values_from_own_data(own, BUURTEN).set_index("region_code")
    assert out["meldingen"].tolist()[:2] == [4, 4]
    # WGS84 by names lat/lon, and also when the columns are called x/y but hold degrees
    wgs = _write(tmp_path / "wgs.csv", "lat;lon;n\n52,37;4,89;1\n")
    pts = own_data_from_file(wgs, organisation="wgs").points
    x, y = pts.geometry.iloc[0].x, pts.geometry.iloc[0].y
    assert 120_000 < x < 122_000 and 486_000 < y < 488_000
    degrees = _write(tmp_path / "xy.csv", "x,y,n\n4.89,52.37,1\n")
    assert own_data_from_file(degrees, organisation="xy").points.geometry.iloc[
        0
    ].x == pytest.approx(x)
    outside = _write(tmp_path / "far.csv", "x,y,n\n120500,487500,1\n9999999,1,1\n")
    with pytest.raises(InputFileError, match="niet in Nederland") as info:
        own_data_from_file(outside, organisation="far")
    assert info.value.rows == [3]


def test_point_outside_buurten_is_reported(tmp_path: Path) -> None:
    path = _write(tmp_path / "p.csv", "x,y,n\n120500,487500,2\n150000,450000,5\n")
    own = own_data_from_file(path, organisation="p")
    out = buurt_values_from_own_data(own, BUURTEN)
    assert out["n"].sum() == 2
    assert any("1 rij(en) vallen buiten" in n and "rij 3" in n for n in own.notes)


def test_postcodes_need_a_mapping(tmp_path: Path) -> None:
    pc6 = _write(tmp_path / "pc6.csv", "postcode,klanten\n1012 AB,3\n1012AC,2\n1013XX,7\n")
    own = own_data_from_file(pc6, organisation="welzijn")
    assert own.key_type == "pc6" and own.frame["key"].tolist() == ["1012AB", "1012AC", "1013XX"]
    with pytest.raises(InputFileError, match="koppeltabel pc6") as info:
        buurt_values_from_own_data(own, BUURTEN)
    assert "buurtcode" in info.value.fix
    mapping = pd.DataFrame(
        {
            "pc6": ["1012AB", "1012AC", "1013XX"],
            "buurtcode": ["BU03630001", "BU03630001", "BU03630002"],
        }
    )
    out = buurt_values_from_own_data(own, BUURTEN, mapping=mapping).set_index("region_code")
    assert out["klanten"].tolist()[:2] == [5, 7]

    pc4 = _write(tmp_path / "pc4.csv", "pc4,klanten\n1012,10\n")
    own4 = own_data_from_file(pc4, organisation="welzijn")
    assert own4.key_type == "pc4"
    split = pd.DataFrame(
        {
            "postcode": ["1012", "1012"],
            "buurtcode": ["BU03630001", "BU03630002"],
            "gewicht": [0.3, 0.7],
        }
    )
    out4 = buurt_values_from_own_data(own4, BUURTEN, mapping=split).set_index("region_code")
    assert out4["klanten"].tolist()[:2] == pytest.approx([3.0, 7.0])
    with pytest.raises(ParameterError, match="meerdere buurten"):
        buurt_values_from_own_data(own4, BUURTEN, mapping=split.drop(columns="gewicht"))


def test_edition_mismatch(tmp_path: Path) -> None:
    path = _write(tmp_path / "b.csv", "buurtcode,n\nBU03630001,1\n")
    own = own_data_from_file(path, organisation="x", edition=2019)
    with pytest.raises(ParameterError, match="indeling 2019"):
        buurt_values_from_own_data(own, BUURTEN)


def test_bad_codes_listed_by_row(tmp_path: Path) -> None:
    path = _write(tmp_path / "b.csv", "buurtcode;n\nBU03630001;1\nBU0363;2\n;3\nBU03630002;4\n")
    with pytest.raises(InputFileError, match="2 ongeldige buurt-code") as info:
        own_data_from_file(path, organisation="x")
    assert info.value.column == "buurtcode" and info.value.rows == [3, 4]
    assert "b.csv" in str(info.value)


def test_unknown_key_column(tmp_path: Path) -> None:
    path = _write(tmp_path / "k.csv", "naam;aantal\nA;1\n")
    with pytest.raises(InputFileError, match="geen sleutelkolom") as info:
        own_data_from_file(path, organisation="x")
    assert "naam, aantal" in str(info.value) and "postcode" in info.value.fix


def test_non_numeric_in_numeric_column(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "n.csv", "buurtcode,woningen\nBU03630001,12\nBU03630002,twaalf\nBU03630003,7\n"
    )
    with pytest.raises(InputFileError, match=r"niet-numerieke.*'twaalf'") as info:
        own_data_from_file(path, organisation="x")
    assert info.value.column == "woningen" and info.value.rows == [3]


def test_separator_and_encoding(tmp_path: Path) -> None:
    wrong_sep = _write(tmp_path / "s.csv", "buurtcode|n\nBU03630001|1\n")
    with pytest.raises(InputFileError, match="verkeerd scheidingsteken"):
        own_data_from_file(wrong_sep, organisation="x")
    cp1252 = _write(tmp_path / "c.csv", "buurtcode;label\nBU03630001;Één\n", encoding="cp1252")
    own = own_data_from_file(cp1252, organisation="x")
    assert own.frame["label"].iloc[0] == "Één" and any("cp1252" in n for n in own.notes)
    utf16 = _write(tmp_path / "u.csv", "buurtcode;n\nBU03630001;1\n", encoding="utf-16")
    with pytest.raises(InputFileError, match="UTF-16"):
        own_data_from_file(utf16, organisation="x")
    double = _write(tmp_path / "d.csv", "buurtcode;label\nBU03630001;CafÃ©\n")
    with pytest.raises(InputFileError, match="dubbel gecodeerd"):
        own_data_from_file(double, organisation="x")


def test_formula_injection_neutralised(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "f.csv",
        "buurtcode;opmerking;saldo\n"
        'BU03630001;=HYPERLINK("http://x");-5\n'
        "BU03630002;@SUM(A1);+3\n"
        "BU03630003;gewoon;0\n",
    )
    own = own_data_from_file(path, organisation="x")
    assert own.frame["opmerking"].tolist() == ['\'=HYPERLINK("http://x")', "'@SUM(A1)", "gewoon"]
    assert own.frame["saldo"].tolist() == [-5, 3, 0]  # numbers stay numbers
    assert any("opmerking" in n and "rij 2, 3" in n for n in own.notes)


def test_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "complexen.xlsx"
    pd.DataFrame(
        {"Buurtcode": ["BU03630001", "BU03630002"], "Woningen": [10, 20], "Label": ["a", "b"]}
    ).to_excel(path, index=False)
    own = own_data_from_file(path, organisation="x")
    assert own.numeric == ["Woningen"] and own.frame["Woningen"].sum() == 30


def test_bad_organisation_and_path(tmp_path: Path) -> None:
    path = _write(tmp_path / "b.csv", "buurtcode,n\nBU03630001,1\n")
    for bad in ("../etc", "a/b", "", "x" * 80):
        with pytest.raises(ParameterError, match="organisatie"):
            own_data_from_file(path, organisation=bad)
    with pytest.raises(InputFileError, match="bestaat niet"):
        own_data_from_file(tmp_path, organisation="x")
    with pytest.raises(InputFileError, match="onbekend bestandstype"):
        own_data_from_file(_write(tmp_path / "b.exe", "x"), organisation="x")


def test_manifest_reader_only_by_name(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "Corporatie 2024.csv",
        "buurtcode;woningen;label\nBU03630001;10;a\nBU03630001;5;b\nBU03630002;7;c\n",
    )
    with pytest.raises(InputFileError, match="onbekend bestand"):
        detect(path)  # never auto-detected
    with pytest.raises(InputFileError, match="jaar"):
        read(path, "eigen_data")
    from veerkracht.sources.own_data import read_for_store

    table = read_for_store(path, year=2024)
    assert list(table.values.columns) == VALUE_COLUMNS
    v = table.values.set_index("region_code")["value"]
    assert v.to_dict() == {"BU03630001": 15.0, "BU03630002": 7.0}
    assert set(table.values["variable"]) == {"eigen.corporatie_2024.woningen"}
    assert any("label" in n for n in table.notes)


def test_fullwidth_formula_neutralised(tmp_path: Path) -> None:
    # U+FF1D FULLWIDTH EQUALS SIGN and U+FF0B FULLWIDTH PLUS SIGN start a formula after NFKC
    path = _write(
        tmp_path / "f.csv",
        "buurtcode;opmerking\nBU03630001;\uff1dHYPERLINK(\"http://x\")\nBU03630002;\uff0bA1\n"
        "BU03630003;gewoon \uff1d tekst\n",
    )
    own = own_data_from_file(path, organisation="x")
    assert own.frame["opmerking"].tolist() == [
        "'\uff1dHYPERLINK(\"http://x\")",
        "'\uff0bA1",
        "gewoon \uff1d tekst",
    ]
    assert any("opmerking" in n and "rij 2, 3" in n for n in own.notes)

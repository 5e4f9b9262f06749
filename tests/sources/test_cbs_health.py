from __future__ import annotations

from pathlib import Path

import pytest

from veerkracht.errors import InputFileError
from veerkracht.sources.registry import detect, read

HEALTH = "rivm_cbs_gezondheid_50090NED"


def _value(table, code: str, variable: str) -> tuple[float, str]:
    v = table.values
    row = v[(v.region_code == code) & (v.variable == f"gezondheid.{variable}")]
    assert len(row) == 1, (code, variable, row)
    return float(row.value.iloc[0]), str(row.status.iloc[0])


@pytest.fixture(scope="module")
def health_2020_18(shared_data: Path):
    path = shared_data / HEALTH / "RIVM_gezondheid2020_18+.xlsx"
    assert detect(path).code == "cbs_gezondheid_xlsx"
    return read(path)


def test_2020_18plus_values_and_suppression(health_2020_18) -> None:
    table = health_2020_18
    assert table.periods == [2020]
    assert table.editions == [2020]
    assert _value(table, "BU03630000", "moeite_met_rondkomen_18plus") == (24.1, "ok")
    assert _value(table, "NL01", "moeite_met_rondkomen_18plus") == (13.9, "ok")
    assert _value(table, "NL01", "geluidhinder_buren_18plus") == (7.0, "ok")
    v = table.values
    angst = v[v.variable == "gezondheid.matig_hoog_risico_angst_depressie_18plus"]
    # the README: 769 regions have '.' for column 24 in 2020 18+
    assert (angst.status == "geheim").sum() == 769
    assert angst.value[angst.status == "geheim"].isna().all()
    levels = v.drop_duplicates("region_code").level.value_counts().to_dict()
    assert levels == {"buurt": 13808, "wijk": 3177, "gemeente": 355, "land": 1}


def test_2020_only_walking_cycling_missing(health_2020_18) -> None:
    assert health_2020_18.missing == {
        2020: [
            "gezondheid.fietsen_school_werk_18plus",
            "gezondheid.lopen_fietsen_school_werk_18plus",
            "gezondheid.lopen_school_werk_18plus",
        ]
    }
    kinds = {v.key: (v.kind, v.denominator, v.unit) for v in health_2020_18.variables}
    assert kinds["gezondheid.ernstig_eenzaam_18plus"] == ("score", None, "%")
    assert len(kinds) == 32
    gm = health_2020_18.regions.set_index("region_code")
    assert gm.loc["GM0363", "name"] == "Amsterdam"  # padded text stripped


def test_2012_65plus_age_in_key_and_missing_columns(shared_data: Path) -> None:
    table = read(shared_data / HEALTH / "2012_65+.xlsx")  # other sheet name, same reader
    assert table.periods == [2012]
    assert table.editions == [2020]
    assert _value(table, "BU03630000", "ernstig_eenzaam_65plus") == (10.4, "ok")
    assert _value(table, "GM0599", "moeite_met_rondkomen_65plus") == (21.4, "ok")
    missing = table.missing[2012]
    assert len(missing) == 15
    assert "gezondheid.geluidhinder_buren_65plus" in missing
    assert not (table.values.variable == "gezondheid.geluidhinder_buren_65plus").any()
    assert not table.values.variable.str.endswith("18plus").any()
    v = table.values
    assert (v[v.variable == "gezondheid.ernstig_eenzaam_65plus"].status == "geheim").sum() == 2208


HEADER = (
    "ID;Leeftijd;Marges;WijkenEnBuurten;Perioden;Gemeentenaam_1;"
    "Eenzaam_28;Roker_11;MoeiteMetRondkomen_38"
)


def test_csv_export_with_margins_filtered(tmp_path: Path) -> None:
    path = tmp_path / "gezondheid.csv"
    path.write_text(
        "\ufeff" + HEADER + "\n"
        "1;20300;MW00000;GM0363    ;2016JJ00;Amsterdam   ;44.1;20.3;.\n"
        "2;20300;MOG0095;GM0363    ;2016JJ00;Amsterdam   ;40.0;18.0;10\n"
        "4;20300;MW00000;WK036300  ;2016JJ00;Amsterdam   ;41.0;19.0;9.5\n"
        "3;80200;MW00000;BU03630000;2016JJ00;Amsterdam   ;50.5;;12.5\n",
        encoding="utf-8",
    )
    assert detect(path).code == "cbs_gezondheid_csv"
    table = read(path)
    assert _value(table, "GM0363", "eenzaam_18plus") == (44.1, "ok")
    assert _value(table, "GM0363", "moeite_met_rondkomen_18plus")[1] == "geheim"
    assert _value(table, "BU03630000", "moeite_met_rondkomen_65plus") == (12.5, "ok")
    assert "gezondheid.roker_65plus" in table.missing[2016]
    assert len(table.values) == 8  # the margin row (MOG0095) is not stored


def test_unknown_age_code_is_named(tmp_path: Path) -> None:
    path = tmp_path / "gezondheid.csv"
    path.write_text(
        HEADER + "\n1;53115;MW00000;GM0363;2016JJ00;Amsterdam;44.1;20.3;12\n", encoding="utf-8"
    )
    with pytest.raises(InputFileError, match=r"Leeftijd.*rij 2.*53115"):
        read(path)

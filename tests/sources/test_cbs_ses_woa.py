from __future__ import annotations

from pathlib import Path

import pytest

from veerkracht.errors import MissingColumnsError
from veerkracht.sources.registry import detect, read

FILE = "cbs_ses_woa/SES_WOA_scores_per_wijk_en_buurt_25042023_160857.csv"


def _value(table, code: str, variable: str) -> tuple[float, str]:
    v = table.values
    row = v[(v.region_code == code) & (v.variable == f"seswoa.{variable}")]
    assert len(row) == 1, (code, variable, row)
    return float(row.value.iloc[0]), str(row.status.iloc[0])


def test_ses_woa_amsterdam_2019(shared_data: Path) -> None:
    path = shared_data / FILE
    assert detect(path).code == "cbs_ses_woa_csv"
    table = read(path)
    assert table.periods == [2019]
    assert table.editions == [2019]
    assert table.dataset.dataset_id == "85163NED"
    assert _value(table, "GM0363", "huishoudens") == (457400, "ok")
    assert _value(table, "GM0363", "totaal") == (pytest.approx(-0.100), "ok")
    assert _value(table, "WK036300", "totaal") == (pytest.approx(-0.022), "ok")
    assert _value(table, "BU03630000", "opleiding_hoog") == (pytest.approx(60.6), "ok")
    assert _value(table, "BU03630000", "spreiding") == (pytest.approx(0.856), "ok")
    v = table.values
    assert (v[v.variable == "seswoa.totaal"].status == "geheim").sum() == 90
    levels = table.regions.level.value_counts().to_dict()
    assert levels == {"buurt": 479, "wijk": 99, "gemeente": 1}
    assert table.regions.set_index("region_code").loc["BU03630000", "name"] == "Kop Zeedijk"
    kinds = {x.key: (x.kind, x.denominator) for x in table.variables}
    assert kinds["seswoa.totaal"] == ("score", "seswoa.huishoudens")
    assert kinds["seswoa.huishoudens"] == ("aantal", None)


def test_ses_woa_without_score_column(tmp_path: Path) -> None:
    from veerkracht.sources.cbs_ses_woa import read_csv

    path = tmp_path / "ses.csv"
    path.write_text('"Perioden";"Regiocode (gemeente, wijk, buurt) (code)"\n"2019";"GM0363"\n')
    with pytest.raises(MissingColumnsError, match="SES-WOA totaalscore"):
        read_csv(path)

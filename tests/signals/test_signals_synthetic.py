"""Signals on a small hand-made gemeente: every number below is computed by hand.

The hand computations are against the Netherlands (the absolute reference); one test
checks the relative (default) reference on the same data.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from veerkracht.signals import signals_for_gemeente as _signals_for_gemeente
from veerkracht.signals.classes import classify
from veerkracht.signals.reference import Reference
from veerkracht.sources.base import DatasetInfo, SourceTable, Variable
from veerkracht.store import Store

KWB = DatasetInfo(key="cbs_kwb", publisher="CBS", title="Kerncijfers wijken en buurten")

# region: (p_hh_lkk, p_hh_osm, a_soz_wb, a_inw, g_geweld) per period
DATA = {
    2017: {
        "NL00": (8.0, 8.0, 400, 20000, 5.0),
        "GM9999": (10.0, 10.0, 50, 2000, 6.0),
        "BU99990001": (16.0, 16.0, 20, 400, 9.0),  # high concentration + crime
        "BU99990002": (14.0, 12.0, 10, 500, 4.0),  # high concentration, no crime problem
        "BU99990003": (6.0, 6.0, 5, 600, 4.0),  # low; will rise
        "BU99990004": (5.0, 5.0, 5, 500, 2.0),  # low; crime rises
    },
    2019: {
        "NL00": (8.0, 8.0, 400, 20000, 5.0),
        "GM9999": (10.0, 10.0, 50, 2000, 6.0),
        "BU99990001": (16.0, 16.0, 20, 400, 8.0),
        "BU99990002": (14.0, 12.0, 10, 500, 4.0),
        "BU99990003": (8.5, 7.0, 5, 600, 4.0),
        "BU99990004": (5.0, 5.0, 5, 500, 5.0),
    },
}
VARS = ["kwb.p_hh_lkk", "kwb.p_hh_osm", "kwb.a_soz_wb", "kwb.a_inw", "kwb.g_geweld"]


def _table(period: int) -> SourceTable:
    rows = []
    for code, vals in DATA[period].items():
        level = {"NL": "land", "GM": "gemeente", "BU": "buurt"}[code[:2]]
        for var, value in zip(VARS, vals, strict=True):
            rows.append((code, level, period, period, var, float(value), "ok"))
    values = pd.DataFrame(
        rows, columns=["region_code", "level", "edition", "period", "variable", "value", "status"]
    )
    regions = pd.DataFrame(
        [
            (
                c,
                {"NL": "land", "GM": "gemeente", "BU": "buurt"}[c[:2]],
                period,
                {"GM9999": "Proefgem"}.get(c, f"Buurt {c[-1]}"),
                None if c.startswith("NL") else "GM9999",
            )
            for c in DATA[period]
        ],
        columns=["region_code", "level", "edition", "name", "gemeente_code"],
    )
    variables = [
        Variable(v, v, "", "percentage" if v.startswith("kwb.p") else "aantal") for v in VARS
    ]
    return SourceTable(
        dataset=KWB,
        path=Path(f"kwb{period}.csv"),
        values=values,
        variables=variables,
        regions=regions,
    )


@pytest.fixture
def proef_store(store: Store) -> Store:
    for period in (2017, 2019):
        store.import_table(_table(period), file_hash=f"h{period}", reader="test")
    return store


def signals_for_gemeente(store, gemeente, start_year, end_year, **kwargs):
    return _signals_for_gemeente(
        store,
        gemeente,
        start_year,
        end_year,
        reference=kwargs.pop("reference", Reference("nederland")),
        **kwargs,
    )


def _row(result, code: str) -> pd.Series:
    return result.table.set_index("region_code").loc[code]


def test_index_change_and_derived_rate(proef_store: Store) -> None:
    r = signals_for_gemeente(proef_store, "Proefgem", 2017, 2019)
    b1 = _row(r, "BU99990001")
    assert b1["laag_inkomen__index_nl"] == pytest.approx(16 / 8 * 100)
    assert b1["laag_inkomen__index_gemeente"] == pytest.approx(160.0)
    # bijstand = a_soz_wb / a_inw * 100, derived: 20/400 = 5 %, NL 400/20000 = 2 %
    assert b1["bijstand__end"] == pytest.approx(5.0)
    assert b1["bijstand__index_nl"] == pytest.approx(250.0)
    b3 = _row(r, "BU99990003")
    assert b3["laag_inkomen__change"] == pytest.approx(2.5)
    assert b3["laag_inkomen__relative"] == pytest.approx(2.5 / 6)
    assert r.periods["laag_inkomen"] == (2017, 2019)


def test_typology_classes_and_reasons(proef_store: Store) -> None:
    r = signals_for_gemeente(proef_store, "GM9999", 2017, 2019)
    classes = r.table.set_index("region_code").typology.to_dict()
    # B1: index 200/200/250 >= 150 and crime index 8/5*100 = 160 >= 150 -> probleem
    # B2: 175/150/100 -> 2 high, crime 80 -> kwetsbaar, nog geen problemen
    # B3: low level, +2,5 pp laag inkomen (NL +0) -> toenemende concentratie, step 2; with
    #     four buurten the noise cannot be estimated and the band is 2 x the first step (2 pp)
    # B4: crime 2 -> 5 per 1.000 (+150 % >= 20 %, +3 beyond NL's 0 > 2 x the minimum
    #     rise of 1 with four buurten) -> verslechterend
    assert classes == {
        "BU99990001": "PRO",
        "BU99990002": "KWE",
        "BU99990003": "TOE",
        "BU99990004": "VER",
    }
    b3 = _row(r, "BU99990003")
    assert b3["step"] == 2
    assert "+2,5 procentpunt" in b3["reasons"]
    assert "ruisgrens 2,0 (n = 4 buurten)" in b3["reasons"]
    assert "R-CONC" in _row(r, "BU99990001")["reasons"]
    assert "index 160 ≥ 150 (Nederland = 100)" in _row(r, "BU99990001")["reasons"]


def test_relative_reference_compares_with_the_gemeente(proef_store: Store) -> None:
    r = _signals_for_gemeente(proef_store, "GM9999", 2017, 2019)  # default: the gemeente
    b1 = _row(r, "BU99990001")
    assert b1["laag_inkomen__index_ref"] == pytest.approx(16 / 10 * 100)
    assert b1["geweld__index_ref"] == pytest.approx(8 / 6 * 100)  # 133 < 150: no problem
    assert b1.typology == "KWE"
    assert "(Proefgem = 100)" in b1.reasons


def test_thresholds_come_from_config(proef_store: Store, tmp_path: Path) -> None:
    from veerkracht.signals.typology import TYPOLOGY, load_typology

    text = TYPOLOGY.read_text(encoding="utf-8").replace("index_hoog = 150.0", "index_hoog = 300.0")
    custom = tmp_path / "typologie.toml"
    custom.write_text(text, encoding="utf-8")
    r = signals_for_gemeente(proef_store, "GM9999", 2017, 2019, config=load_typology(custom))
    # nothing reaches index 300 any more: B1 and B2 lose their concentration class
    assert _row(r, "BU99990001").typology not in {"PRO", "KWE"}
    assert _row(r, "BU99990002").typology not in {"PRO", "KWE"}


def test_missing_data_is_never_a_silent_class(proef_store: Store) -> None:
    proef_store.con.execute(
        """UPDATE value_rows SET value = NULL, status = 1  -- geheim
           WHERE period = 2019 AND region_id =
               (SELECT region_id FROM region_keys WHERE region_code = 'BU99990002')"""
    )
    r = signals_for_gemeente(proef_store, "GM9999", 2017, 2019)
    b2 = _row(r, "BU99990002")
    assert b2.typology == "ONV"
    assert b2.typology_label == "Onvoldoende gegevens"
    assert "0 kernindicatoren kwetsbaarheid" in b2.reasons


def test_classify_quantiles_and_bounds() -> None:
    values = pd.Series([1.0, 2.0, 3.0, 4.0, None, 5.0])
    c = classify(values, "grenzen", bounds=[2.0, 4.0, 5.0])
    assert c.classes.tolist() == [1, 1, 2, 2, pd.NA, 3]
    q = classify(values, "kwantielen", k=5)
    assert q.k == 5 and q.classes.isna().sum() == 1


def test_early_warning_separates_preventive_from_reactive(proef_store: Store) -> None:
    from veerkracht.signals.early_warning import early_warning

    # B3 rises from 6 % to 8,5 % low income: no problem yet -> preventief.
    # Make B2 tip into 'probleem' in 2019: its crime rises to 9 per 1.000 (index 180).
    proef_store.con.execute(
        """UPDATE value_rows SET value = 9 WHERE period = 2019
           AND region_id = (SELECT region_id FROM region_keys WHERE region_code = 'BU99990002')
           AND variable_id = (SELECT variable_id FROM variable_keys
                              WHERE variable = 'kwb.g_geweld')"""
    )
    r = signals_for_gemeente(proef_store, "GM9999", 2017, 2019)
    warn = early_warning(r).set_index("region_code")
    assert warn.loc["BU99990002", "kind"] == "reactief"
    assert (warn.loc["BU99990002", "state_start"], warn.loc["BU99990002", "state_end"]) == (
        "kwetsbaar",
        "probleem",
    )
    assert warn.loc["BU99990003", "kind"] == "preventief"
    # B1 was already a problem in 2017: nothing new to warn about
    assert "BU99990001" not in warn.index
    assert warn["rank"].tolist() == list(range(1, len(warn) + 1))
    # the sheet's headers are the Dutch ones users know (translated only at the edge)
    from veerkracht.signals.export import public_table

    assert list(public_table(early_warning(r)).columns) == [
        "rang",
        "region_code",
        "naam",
        "toestand_van",
        "toestand_tot",
        "typologie",
        "redenen",
        "soort",
        "toename_concentratie",
    ]


def test_rankings_leave_out_tiny_buurten() -> None:
    from veerkracht.signals.compute import rankable

    table = pd.DataFrame({"name": ["klein", "groot"], "inwoners__end": [40.0, 900.0]})
    assert rankable(table)["name"].tolist() == ["groot"]


def _liveability(period: int, variable: str, dataset: str, values: dict) -> SourceTable:
    info = DatasetInfo(key=dataset, publisher="BZK", title="Leefbaarometer")
    frame = pd.DataFrame(
        [(c, "buurt", period, period, variable, v, "ok") for c, v in values.items()],
        columns=["region_code", "level", "edition", "period", "variable", "value", "status"],
    )
    return SourceTable(
        dataset=info,
        path=Path(f"{variable}{period}.csv"),
        values=frame,
        variables=[Variable(variable, variable, "", "score")],
    )


def test_leefbaarometer_3_is_preferred_over_2(proef_store: Store) -> None:
    codes = [c for c in DATA[2019] if c.startswith("BU")]
    lbm2 = {c: -0.3 for c in codes}  # every buurt 'unsafe' in 2.0
    lbm3 = {c: 0.0 for c in codes}  # nobody in 3.0
    proef_store.import_table(
        _liveability(2018, "lbm2.vei", "leefbaarometer_2", lbm2), file_hash="l2", reader="t"
    )
    r = signals_for_gemeente(proef_store, "GM9999", 2017, 2019)
    assert "overlast_lbm2" in r.periods
    proef_store.import_table(
        _liveability(2018, "lbm3.onv", "leefbaarometer_3", lbm3), file_hash="l3", reader="t"
    )
    r = signals_for_gemeente(proef_store, "GM9999", 2017, 2019)
    assert "overlast_lbm3" in r.periods and "overlast_lbm2" not in r.periods
    assert all("Leefbaarometer 2.0" not in str(x) for x in r.table.reasons)

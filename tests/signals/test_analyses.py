"""Analyses on hand-computed frames, and on the real Amsterdam / whole-NL data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from veerkracht.errors import ParameterError
from veerkracht.signals.composite import (
    Component,
    composite_scores,
    load_composites,
    parse_composites,
)
from veerkracht.signals.corporation import corporation_bin, turning_point
from veerkracht.signals.statistics import regression_table


def test_corporation_bins() -> None:
    bins = corporation_bin(pd.Series([0, 9.9, 10, 45, 79.9, 80, 100]))
    assert bins.astype(str).tolist() == [
        "0–10%",
        "0–10%",
        "10–20%",
        "40–50%",
        "70–80%",
        "≥ 80%",
        "≥ 80%",
    ]


def test_turning_point_interpolates_between_midpoints() -> None:
    curve = pd.DataFrame(
        {
            "corporation_share": ["30–40%", "40–50%", "50–60%"],
            "mean_change": [0.02, 0.01, -0.03],
        }
    )
    # midpoints 45 (+0,01) and 55 (-0,03): zero at 45 + 10 * 0,01 / 0,04 = 47,5
    assert turning_point(curve) == pytest.approx(47.5)
    never = curve.assign(mean_change=[0.03, 0.02, 0.01])
    assert turning_point(never) is None


def test_composite_weighted_sum_and_product() -> None:
    table = pd.DataFrame(
        {"a": [100.0, 200.0, None], "b": [100.0, None, 50.0], "x": [0.2, -0.2, 0.0]}
    )
    scores = composite_scores(
        table,
        parse_composites(
            [
                {"key": "som", "methode": "gewogen_som", "gewichten": {"a": 0.5, "b": 0.5}},
                {
                    "key": "prod",
                    "methode": "product",
                    "drempel": 2,
                    "componenten": [
                        {"kolom": "x", "grenzen": [-0.1, 0.1], "hoger_beter": True},
                        {"kolom": "a", "grenzen": [120, 180], "hoger_beter": False},
                    ],
                },
            ]
        ),
    )
    # weights renormalised over present components: row 2 = 200, row 3 = 50
    assert scores.som.tolist() == [100.0, 200.0, 50.0]
    # row 1: x 0,2 -> 3 points, a 100 -> (low is good) 3 points -> 9; row 2: 1 x 1 = 1
    assert scores["prod"].tolist()[:2] == [9.0, 1.0]
    assert scores["prod__below_threshold"].tolist()[:2] == [False, True]
    # row 3 lacks 'a': its product score and threshold flag are unknown, not False
    assert pd.isna(scores["prod"].iloc[2]) and pd.isna(scores["prod__below_threshold"].iloc[2])


def test_composite_weights_name_columns_as_users_see_them() -> None:
    """The user writes the sheet's Dutch names (concentratie_index, inwoners__tot) in both
    methods; a weighted sum over them must not silently come out empty."""
    table = pd.DataFrame({"concentration_index": [100.0, 160.0], "inwoners__end": [1.0, 3.0]})
    scores = composite_scores(
        table,
        parse_composites(
            [
                {
                    "key": "som",
                    "methode": "gewogen_som",
                    "gewichten": {"concentratie_index": 1, "inwoners__tot": 1},
                }
            ]
        ),
    )
    assert scores.som.tolist() == [50.5, 81.5]


def test_the_product_marker_column_is_dutch_in_the_sheet() -> None:
    from veerkracht.signals.export import public_table

    frame = pd.DataFrame({"region_code": ["BU1"], "prod": [4.0], "prod__below_threshold": [True]})
    shown = public_table(frame, user_named=True)
    assert list(shown.columns) == ["region_code", "prod", "prod__onder_drempel"]


def test_composite_without_a_component_is_unknown_not_an_error() -> None:
    table = pd.DataFrame({"a": [100.0, 200.0]})
    scores = composite_scores(
        table,
        parse_composites(
            [
                {"key": "som", "methode": "gewogen_som", "gewichten": {"a": 1.0, "ontbreekt": 1.0}},
                {
                    "key": "prod",
                    "methode": "product",
                    "drempel": 2,
                    "componenten": [{"kolom": "ontbreekt", "grenzen": [0, 1]}],
                },
            ]
        ),
    )
    assert scores.som.tolist() == [100.0, 200.0]
    assert scores["prod"].isna().all()


def test_composite_toml_keys_are_translated_once_where_the_file_is_read() -> None:
    by_key = {c.key: c for c in load_composites()}
    vitality = by_key["vitaliteit"]  # the packaged example: kolom / grenzen / hoger_beter
    assert vitality.method == "product" and vitality.threshold == 2
    assert vitality.components[0] == Component("lbm2_totaal__tot", (-0.1, 0.1), True)
    assert vitality.components[1].higher_better is False
    assert by_key["kwetsbaarheidsscore"].weights["bijstand__index_nl"] == 0.3


def test_composite_missing_key_is_a_dutch_error_and_an_unknown_one_is_ignored() -> None:
    product = {"key": "p", "methode": "product", "drempel": 2, "eigen": "x"}
    with pytest.raises(ParameterError, match="mist componenten"):
        parse_composites([product])
    with pytest.raises(ParameterError, match=r"score p, component.*mist grenzen"):
        parse_composites([{**product, "componenten": [{"kolom": "a"}]}])
    parsed = parse_composites([{**product, "componenten": [{"kolom": "a", "grenzen": [0, 1]}]}])
    assert parsed[0].components == (Component("a", (0, 1)),)


def test_ols_recovers_known_slope() -> None:
    x = pd.Series(range(40), dtype=float)
    frame = pd.DataFrame({"y": 2.0 * x + 1.0 + (x % 3 - 1) * 0.1, "x": x})
    table = regression_table(frame, "y", ["x"])
    coef = table.set_index("variable").coefficient
    assert coef["x"] == pytest.approx(2.0, abs=0.01)
    assert table.attrs["n"] == 40


def test_spatial_error_model_names_every_coefficient() -> None:
    import geopandas as gpd
    from shapely.geometry import box

    rng = np.random.default_rng(3)
    cells = [box(i, j, i + 1, j + 1) for i in range(7) for j in range(7)]
    x = rng.normal(size=len(cells))
    y = 2.0 * x + rng.normal(0, 0.3, len(cells))
    frame = gpd.GeoDataFrame({"y": y, "x": x}, geometry=cells)
    table = regression_table(frame, "y", ["x"], model="error", geometries=frame)
    # the constant, x and the error model's lambda, each once (spreg names lambda itself)
    assert table.variable.tolist() == ["CONSTANT", "x", "lambda"]
    assert table.set_index("variable").coefficient["x"] == pytest.approx(2.0, abs=0.3)
    assert table.attrs["model"] == "ruimtelijk (error)"


def test_amsterdam_corporation_curve_rises(amsterdam_store) -> None:
    from veerkracht.signals import ensure_translation, signals_for_gemeente
    from veerkracht.signals.corporation import (
        corporation_share_curves,
        liveability_by_corporation_share,
    )

    ensure_translation(amsterdam_store, "GM0363", 2019)
    result = signals_for_gemeente(amsterdam_store, "GM0363", 2017, 2019)
    curves = corporation_share_curves(result)
    low = curves.query("indicator == 'laag_inkomen' and period == 2019").set_index(
        "corporation_share"
    )
    assert set(curves.period) >= {2017, 2019}
    # the study's finding holds in Amsterdam: low incomes concentrate where corporations own most
    assert low.loc["≥ 80%", "index_nl"] > 2 * low.loc["0–10%", "index_nl"]
    assert low.buurten.sum() == 386  # buurten with both a 2019 rate and corporation share
    live = liveability_by_corporation_share(result)
    assert set(live.indicator) >= {"lbm2_totaal", "overlast_lbm2"}


def test_whole_nl_liveability_by_end_class(amsterdam_store) -> None:
    from veerkracht.signals.corporation import MIN_GROUP, liveability_by_end_class

    table = liveability_by_end_class(amsterdam_store, 2016, 2018)
    assert table.end_class.tolist() == sorted(table.end_class)
    assert set(table.end_class) <= set(range(1, 10))
    assert table.pc4.sum() > 3500  # whole NL
    # n per class, an interval around every mean, small classes marked
    assert (table.ci_low <= table.mean_change).all()
    assert (table.mean_change <= table.ci_high).all()
    assert (table.too_small == (table.pc4 < MIN_GROUP)).all()
    # the end class is the 2018 class: recompute one class's n from the store
    raw = amsterdam_store.lbm2_pc4_development(2016, 2018)
    assert int((raw.end_class == 7).sum()) == int(table.set_index("end_class").pc4[7])


def test_turning_point_needs_a_significant_sign_change() -> None:
    from veerkracht.signals.corporation import turning_point_test

    rng = np.random.default_rng(1)
    share = pd.Series(rng.uniform(0, 100, 400))
    # a clear turn at 50 %: rising below, falling above
    clear = pd.Series(np.where(share < 50, 0.05, -0.05) + rng.normal(0, 0.02, 400))
    hit = turning_point_test(share, clear)
    assert hit["significant"] and 40 <= hit["turning_point"] <= 60
    assert hit["ci_low"] <= hit["turning_point"] <= hit["ci_high"]
    assert hit["n"] == 400
    # pure noise around zero: bin means change sign by chance, never a finding
    noise = pd.Series(rng.normal(0, 0.005, 400))
    assert not turning_point_test(share, noise)["significant"]
    # a clear sign change that turns back (+, -, +, - per bin) is no turning point either
    alternating = pd.Series(
        np.where((share // 10).astype(int) % 2 == 0, 0.05, -0.05) + rng.normal(0, 0.01, 400)
    )
    assert not turning_point_test(share, alternating)["significant"]


def test_amsterdam_statistics_sheets_ols_and_spatial_lag(amsterdam_store) -> None:
    from veerkracht.signals import ensure_translation, signals_for_gemeente
    from veerkracht.signals.export import _statistics_tables, public_table

    ensure_translation(amsterdam_store, "GM0363", 2019)
    result = signals_for_gemeente(amsterdam_store, "GM0363", 2017, 2019)
    ols = _statistics_tables(result, amsterdam_store, "ols")
    lag = _statistics_tables(result, amsterdam_store, "lag")
    assert ols["regression"].model.iloc[0] == "OLS, robuuste fouten (HC3)"
    lag_term = "W_overlast_lbm2__change"
    assert lag_term in set(lag["regression"].variable)
    assert lag["regression"].p.between(0, 1).all()
    # neighbouring buurten move together: the spatial lag coefficient is clearly positive
    rho = lag["regression"].set_index("variable").coefficient[lag_term]
    assert rho > 0.3
    # the sheet names the variables and its headers in Dutch
    sheet = public_table(lag["regression"])
    assert {"variabele", "standaardfout", "afhankelijke_variabele"} <= set(sheet.columns)
    assert "W_overlast_lbm2__" + "verschil" in set(sheet.variabele)
    hot = ols["hotspots"]
    assert set(hot.cluster) <= {
        "hoog-hoog (hotspot)",
        "laag-laag (coldspot)",
        "laag-hoog",
        "hoog-laag",
        "niet significant",
    }
    assert (hot.cluster == "hoog-hoog (hotspot)").sum() > 0


def test_region_curves_pool_gemeenten_and_say_what_is_left_out(amsterdam_store) -> None:
    from veerkracht.signals.compute import buurt_indicators
    from veerkracht.signals.corporation import (
        corporation_share_curves,
        corporation_share_curves_for,
    )

    ensure = buurt_indicators(amsterdam_store, "GM0363", 2017, 2019)
    single = corporation_share_curves(ensure)
    # pooling one gemeente with itself leaves every weighted mean unchanged
    double = corporation_share_curves([ensure, ensure])
    assert double.value.to_numpy() == pytest.approx(single.value.to_numpy())
    assert double.buurten.sum() == 2 * single.buurten.sum()
    curves, skipped = corporation_share_curves_for(amsterdam_store, None, 2017, 2019)
    # in shared/data only Amsterdam has KWB buurt data around 2017-2019
    assert set(curves.indicator) == set(single.indicator)
    assert any(s.startswith("GM0344") for s in skipped)


def test_numpy_ols_matches_statsmodels_hc3() -> None:
    import statsmodels.api as sm

    from veerkracht.signals.statistics import ols_hc3

    rng = np.random.default_rng(3)
    x = pd.DataFrame(rng.normal(size=(200, 3)), columns=["a", "b", "c"])
    y = pd.Series(x @ [1.0, 2.0, 0.0] + rng.standard_t(3, 200))  # heteroscedastic-ish tails
    fit = sm.OLS(y, sm.add_constant(x)).fit(cov_type="HC3")
    ours = ols_hc3(y, x)
    assert list(ours.index) == list(fit.params.index)
    np.testing.assert_allclose(ours.coefficient, fit.params, rtol=1e-12)
    np.testing.assert_allclose(ours.standard_error, fit.bse, rtol=1e-12)
    np.testing.assert_allclose(ours.t, fit.tvalues, rtol=1e-12)
    np.testing.assert_allclose(ours.p, fit.pvalues, rtol=1e-9)
    assert ours.attrs["r2"] == pytest.approx(fit.rsquared, rel=1e-12)


def test_noise_quantile_matches_scipy() -> None:
    from scipy.stats import norm

    from veerkracht.signals.rules._base import z_for

    for alfa in (0.01, 0.05, 0.1):
        for tests in range(1, 30):
            expected = norm.ppf(1 - alfa / tests)
            assert z_for({"rising_alpha": alfa}, tests) == pytest.approx(expected, rel=1e-15)


def test_xlsx_writer_keeps_values_gaps_and_text(tmp_path) -> None:
    from veerkracht.signals.export import neutralise_formulas, write_xlsx

    frame = pd.DataFrame(
        {
            "Buurt": ["Súdwest", "=SOM(A1)", None],
            "Waarde": [1.5, np.nan, -2.0],
            "Aantal": pd.array([3, pd.NA, 0], dtype="Int64"),
            "Vlag": [True, False, True],
        }
    )
    path = write_xlsx(tmp_path / "t.xlsx", {"Blad": neutralise_formulas(frame)})
    back = pd.read_excel(path, sheet_name="Blad", engine="openpyxl")
    assert back.Buurt.tolist()[:2] == ["Súdwest", "'=SOM(A1)"]
    assert pd.isna(back.Buurt[2]) and pd.isna(back.Waarde[1]) and pd.isna(back.Aantal[1])
    assert back.Waarde[0] == 1.5 and back.Aantal[2] == 0
    assert back.Vlag.tolist() == [True, False, True]

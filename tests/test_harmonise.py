from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from veerkracht import harmonise as hm
from veerkracht.sources.base import DatasetInfo, SourceTable, Variable
from veerkracht.store import Store

VARS = pd.DataFrame(
    {
        "variable": ["t.inw", "t.pct", "t.score", "t.klasse", "t.pc"],
        "kind": ["aantal", "percentage", "score", "klasse", "code"],
        "denominator": [None, "t.inw", None, None, None],
    }
)


def _values(rows: list[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["region_code", "variable", "value", "status"])
    return frame.assign(period=2017, dataset_key="test")


def _gdf(codes: list[str], boxes: list[tuple]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"region_code": codes}, geometry=[box(*b) for b in boxes], crs="EPSG:28992"
    )


def _pick(frame: pd.DataFrame, code: str, variable: str) -> pd.Series:
    row = frame[(frame["region_code"] == code) & (frame["variable"] == variable)]
    assert len(row) == 1
    return row.iloc[0]


def test_split_halves_counts_and_keeps_rates() -> None:
    src = _gdf(["A"], [(0, 0, 200, 100)])
    tgt = _gdf(["T1", "T2"], [(0, 0, 100, 100), (100, 0, 200, 100)])
    weights = hm.overlay_weights(src, tgt)
    assert sorted(weights["weight"]) == [0.5, 0.5]
    values = _values(
        [("A", "t.inw", 100, "ok"), ("A", "t.pct", 40, "ok"), ("A", "t.pc", 1011, "ok")]
    )
    out, cons = hm.translate_values(values, weights, VARS)
    assert _pick(out, "T1", "t.inw")["value"] == 50
    assert _pick(out, "T2", "t.inw")["value"] == 50
    assert _pick(out, "T1", "t.pct")["value"] == pytest.approx(40)
    assert _pick(out, "T1", "t.inw")["share_split"] == 1.0
    assert _pick(out, "T1", "t.inw")["share_merged"] == 0.0
    assert _pick(out, "T1", "t.inw")["method"] == "overlap"
    assert "t.pc" not in set(out["variable"])  # codes are never translated
    assert set(cons["relative_error"]) == {0.0}


def test_merge_gives_pooled_rate_not_mean_of_rates() -> None:
    src = _gdf(["A", "B"], [(0, 0, 100, 100), (100, 0, 200, 100)])
    tgt = _gdf(["T"], [(0, 0, 200, 100)])
    weights = hm.overlay_weights(src, tgt)
    values = _values(
        [
            ("A", "t.inw", 100, "ok"),
            ("A", "t.pct", 10, "ok"),
            ("B", "t.inw", 300, "ok"),
            ("B", "t.pct", 50, "ok"),
        ]
    )
    out, cons = hm.translate_values(values, weights, VARS)
    assert _pick(out, "T", "t.inw")["value"] == 400
    assert _pick(out, "T", "t.pct")["value"] == pytest.approx(40.0)  # (10+150)/400, not 30
    assert _pick(out, "T", "t.pct")["share_merged"] == pytest.approx(0.25)
    assert _pick(out, "T", "t.pct")["share_split"] == 0.0
    pct = cons[cons["variable"] == "t.pct"].iloc[0]
    assert pct["total_before"] == pytest.approx(160.0)  # persons: 10 + 150
    assert pct["relative_error"] == pytest.approx(0.0)


def test_score_without_denominator_is_area_weighted_and_klasse_takes_largest() -> None:
    src = _gdf(["A", "B"], [(0, 0, 300, 100), (300, 0, 400, 100)])
    tgt = _gdf(["T"], [(0, 0, 400, 100)])
    weights = hm.overlay_weights(src, tgt)
    area = src.set_index("region_code").geometry.area
    values = _values(
        [
            ("A", "t.score", 1.0, "ok"),
            ("B", "t.score", 5.0, "ok"),
            ("A", "t.klasse", 3, "ok"),
            ("B", "t.klasse", 8, "ok"),
        ]
    )
    out, _ = hm.translate_values(values, weights, VARS, source_area=area)
    assert _pick(out, "T", "t.score")["value"] == pytest.approx(2.0)  # (3*1 + 1*5) / 4
    assert _pick(out, "T", "t.klasse")["value"] == 3  # A has weight 1.0 too: tie -> first;
    # now B bigger than A in the target's terms
    weights.loc[weights["from_code"] == "A", "weight"] = 0.2
    out, _ = hm.translate_values(values, weights, VARS, source_area=area)
    assert _pick(out, "T", "t.klasse")["value"] == 8


def test_conservation_error_counts_unmatched_source() -> None:
    weights = pd.DataFrame(
        {"from_code": ["A", "B"], "to_code": ["X", "Y"], "weight": 1.0, "method": "kruistabel"}
    )
    values = _values(
        [("A", "t.inw", 100, "ok"), ("B", "t.inw", 300, "ok"), ("C", "t.inw", 100, "ok")]
    )
    out, cons = hm.translate_values(values, weights, VARS)
    row = cons.iloc[0]
    assert (row["total_before"], row["total_after"]) == (500, 400)
    assert row["relative_error"] == pytest.approx(-0.2)
    assert (row["n_source"], row["n_unmatched"]) == (3, 1)
    assert row["method"] == "kruistabel"
    assert _pick(out, "X", "t.inw")["share_split"] == 0.0


def test_suppressed_source_makes_target_geheim_above_ten_percent() -> None:
    src = _gdf(["A", "B"], [(0, 0, 100, 100), (100, 0, 200, 100)])
    tgt = _gdf(["T"], [(0, 0, 200, 100)])
    weights = hm.overlay_weights(src, tgt)
    values = _values([("A", "t.inw", 100, "ok"), ("B", "t.inw", np.nan, "geheim")])
    out, cons = hm.translate_values(values, weights, VARS)
    row = _pick(out, "T", "t.inw")
    assert row["status"] == "geheim" and np.isnan(row["value"])
    # withholding is not a conservation loss: A's 100 did reach T
    assert cons.iloc[0][["total_before", "total_after", "n_source"]].tolist() == [100, 100, 1]
    # a suppressed sliver of 5% of the target's weight is left out
    weights.loc[weights["from_code"] == "B", "weight"] = 0.05
    out, _ = hm.translate_values(values, weights, VARS)
    assert _pick(out, "T", "t.inw")[["value", "status"]].tolist() == [100, "ok"]


def test_postcode_lookup_carries_scores_not_counts() -> None:
    pc4 = pd.DataFrame(
        {
            "region_code": ["1011", "1011", "1012"],
            "period": 2018,
            "variable": ["lbm2.totaal", "lbm2.aantal", "lbm2.totaal"],
            "value": [0.25, 10.0, -0.1],
            "status": "ok",
            "dataset_key": "lbm2",
        }
    )
    kinds = pd.DataFrame(
        {
            "variable": ["lbm2.totaal", "lbm2.aantal"],
            "kind": ["score", "aantal"],
            "denominator": [None, None],
        }
    )
    out = hm.postcode_lookup(pc4, pd.Series({"BU1": 1011.0, "BU2": 1011.0, "BU3": 9999.0}), kinds)
    assert sorted(out["region_code"]) == ["BU1", "BU2"]
    assert set(out["variable"]) == {"lbm2.totaal"}
    assert set(out["value"]) == {0.25}
    assert set(out["method"]) == {"pc4-postcode"}


# ---------------------------------------------------------------- through the store
def _table(values: pd.DataFrame, *, crosswalk=None, geometries=None, name="t") -> SourceTable:
    regions = pd.DataFrame(
        {
            "region_code": ["GM0999"],
            "level": ["gemeente"],
            "edition": [2017],
            "name": ["Proefstad"],
            "gemeente_code": ["GM0999"],
        }
    )
    return SourceTable(
        dataset=DatasetInfo(key="test", publisher="test", title="test"),
        path=Path(f"{name}.csv"),
        values=values,
        variables=[
            Variable("t.inw", "Inwoners", "aantal", "aantal"),
            Variable("t.pct", "Aandeel", "%", "percentage", "t.inw"),
        ],
        regions=regions,
        crosswalk=crosswalk,
        geometries=geometries,
    )


def _store_values(codes: list[str], inw: list[float], edition: int) -> pd.DataFrame:
    rows = []
    for code, n in zip(codes, inw, strict=True):
        rows += [
            (code, "buurt", edition, edition, "t.inw", n, "ok"),
            (code, "buurt", edition, edition, "t.pct", 50.0, "ok"),
        ]
    return pd.DataFrame(
        rows, columns=["region_code", "level", "edition", "period", "variable", "value", "status"]
    )


def test_store_crosswalk_from_earlier_edition_and_rerun_replaces(store: Store) -> None:
    values = _store_values(["BU09990001", "BU09990002", "BU09990003"], [100, 200, 50], 2017)
    cw = pd.DataFrame(
        {
            "from_code": ["BU09990001", "BU09990002"],
            "from_edition": 2015,
            "to_code": ["BU0999AA01", "BU0999AA02"],
            "to_edition": 2022,
            "weight": 1.0,
        }
    )
    store.import_table(_table(values, crosswalk=cw), file_hash="h1", reader="test")
    result = hm.translate(store, gemeente="Proefstad", edition=2022)
    assert result.gemeente_code == "GM0999"
    plan = result.plans[0]
    assert (plan.source_edition, plan.methods, plan.via) == (
        2017,
        ["kruistabel"],
        ["kruistabel 2015→2022"],
    )
    assert (plan.n_source, plan.n_matched) == (3, 2)
    err = store.query("SELECT * FROM translation_errors WHERE variable = 't.inw'").iloc[0]
    assert (err["total_before"], err["total_after"], err["n_unmatched"]) == (350, 300, 1)
    assert err["relative_error"] == pytest.approx(-50 / 350)
    n = store.query("SELECT count(*) n FROM translated_values").n.iloc[0]
    assert n == 4
    hm.translate(store, gemeente="GM0999", edition=2022)
    assert store.query("SELECT count(*) n FROM translated_values").n.iloc[0] == n
    assert store.query("SELECT count(*) n FROM translation_errors").n.iloc[0] == 2


def test_store_overlay_and_identity(store: Store) -> None:
    geoms = gpd.GeoDataFrame(
        {
            "region_code": ["BU09990001", "BU0999AA01", "BU0999AA02"],
            "level": "buurt",
            "edition": [2017, 2022, 2022],
            "gemeente_code": "GM0999",
        },
        geometry=[box(0, 0, 200, 100), box(0, 0, 100, 100), box(100, 0, 200, 100)],
        crs="EPSG:28992",
    )
    values = pd.concat(
        [
            _store_values(["BU09990001"], [100], 2017),
            _store_values(["BU0999AA01", "BU0999AA02"], [10, 20], 2022),
        ]
    )
    store.import_table(_table(values, geometries=geoms), file_hash="h2", reader="test")
    result = hm.translated_values_from_store(store, gemeente="GM0999", edition=2022)
    methods = {p.source_edition: (p.methods, p.via) for p in result.plans}
    assert methods == {
        2017: (["overlap"], ["geometrie 2017 → 2022"]),
        2022: (["identiek"], ["zelfde indeling"]),
    }
    v = result.values
    inw17 = v[(v["source_edition"] == 2017) & (v["variable"] == "t.inw")]
    assert sorted(inw17["value"]) == [50.0, 50.0]


def test_unknown_gemeente_is_a_dutch_error(store: Store) -> None:
    from veerkracht.errors import ParameterError

    store.import_table(
        _table(_store_values(["BU09990001"], [1], 2017)), file_hash="h3", reader="test"
    )
    with pytest.raises(ParameterError, match=r"onbekende gemeente.*\n.*Proefstad"):
        hm.translated_values_from_store(store, gemeente="Atlantis", edition=2022)


# ---------------------------------------------------------------- real Amsterdam data
KWB = "cbs_kwb_amsterdam/Kerncijfers_wijken_en_buurten_{}_amsterdam_Rexport.csv"
AMS_GEOMETRY = "geometry_amsterdam/gemeente_amsterdam_buurten_2015_2022.csv"


def _import_amsterdam_boundaries(store: Store, path: Path) -> None:
    from veerkracht.ingest import import_file

    result = import_file(store, path)
    assert (result.dataset_key, result.status) == ("gemeente_gebiedsindeling", "geïmporteerd")


def test_amsterdam_kwb_2017_2019_on_edition_2022(store: Store, shared_data: Path) -> None:
    from veerkracht.ingest import import_file

    for year in (2017, 2019):
        import_file(store, shared_data / KWB.format(year))
    _import_amsterdam_boundaries(store, shared_data / AMS_GEOMETRY)

    result = hm.translate(store, gemeente="Amsterdam", edition=2022)
    plans = {p.source_edition: p for p in result.plans}
    assert sorted(plans) == [2017, 2019]
    for plan in plans.values():
        # old codes (valid 2015-2021) found in the 2015 side of the crosswalk
        assert plan.via == ["kruistabel 2015→2022"]
        assert (plan.n_source, plan.n_matched) == (479, 439)

    err = store.query(
        "SELECT * FROM translation_errors WHERE variable = 'kwb.a_inw' ORDER BY period"
    )
    assert err[
        ["period", "total_before", "total_after", "n_source", "n_unmatched"]
    ].values.tolist() == [[2017, 843960, 797050, 479, 40], [2019, 862635, 814640, 479, 40]]
    assert err["relative_error"].round(4).tolist() == [-0.0556, -0.0556]
    assert set(err["gemeente_code"]) == {"GM0363"}

    # Kop Zeedijk: BU03630000 (old) = BU0363AE01 (2022), 1:1
    got = store.query(
        "SELECT period, variable, value, method FROM translated_values "
        "WHERE region_code = 'BU0363AE01' AND variable IN ('kwb.a_inw', 'kwb.p_wcorpw') "
        "ORDER BY period, variable"
    )
    assert got.values.tolist() == [
        [2017, "kwb.a_inw", 1020.0, "kruistabel"],
        [2017, "kwb.p_wcorpw", 3.0, "kruistabel"],
        [2019, "kwb.a_inw", 1035.0, "kruistabel"],
        [2019, "kwb.p_wcorpw", 7.0, "kruistabel"],
    ]
    n = store.query("SELECT count(*) n FROM translated_values WHERE status = 'ok'").n.iloc[0]
    assert n == 15395 + 17264


def test_cli_vertalen_prints_dutch_table(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    from veerkracht.cli import console, main

    path = tmp_path / "cli.duckdb"
    values = _store_values(["BU09990001", "BU09990002"], [100, 200], 2017)
    cw = pd.DataFrame(
        {
            "from_code": ["BU09990001"],
            "from_edition": 2017,
            "to_code": ["BU0999AA01"],
            "to_edition": 2022,
            "weight": 1.0,
        }
    )
    with Store(path) as st:
        st.import_table(_table(values, crosswalk=cw), file_hash="h4", reader="test")
    console.width = 200
    code = main(
        ["data", "vertalen", "--gemeente", "Proefstad", "--naar", "2022", "--store", str(path)]
    )
    out = capsys.readouterr().out
    assert code in (0, None), out
    assert "Proefstad (GM0999) vertaald naar indeling 2022" in out
    assert "kruistabel 2017→2022" in out
    assert "−66,67%" in out  # 100 of 300 inwoners matched
    with Store(path, read_only=True) as st:
        err = st.query("SELECT n_unmatched FROM translation_errors WHERE variable = 't.inw'")
    assert err["n_unmatched"].tolist() == [1]


def test_point_weighted_overlay_follows_where_people_live() -> None:
    import geopandas as gpd
    from shapely.geometry import Point, box

    # one old buurt split into west and east halves; all 30 dwellings are in the east
    source = gpd.GeoDataFrame(
        {"region_code": ["OUD"]}, geometry=[box(0, 0, 200, 100)], crs="EPSG:28992"
    )
    target = gpd.GeoDataFrame(
        {"region_code": ["WEST", "OOST"]},
        geometry=[box(0, 0, 100, 100), box(100, 0, 200, 100)],
        crs="EPSG:28992",
    )
    by_area = hm.overlay_weights(source, target).set_index("to_code").weight
    assert by_area.to_dict() == pytest.approx({"WEST": 0.5, "OOST": 0.5})
    points = gpd.GeoDataFrame(
        {"gewicht": [10.0, 20.0]}, geometry=[Point(150, 50), Point(160, 20)], crs="EPSG:28992"
    )
    weighted = hm.overlay_weights(source, target, points=points)
    assert weighted.set_index("to_code").weight.to_dict() == pytest.approx({"OOST": 1.0})
    assert set(weighted.method) == {"overlap-gewogen"}
    # a buurt without any point keeps its area weights
    two = pd.concat(
        [
            source,
            gpd.GeoDataFrame(
                {"region_code": ["LEEG"]}, geometry=[box(0, 100, 200, 200)], crs="EPSG:28992"
            ),
        ],
        ignore_index=True,
    )
    target2 = pd.concat(
        [
            target,
            gpd.GeoDataFrame(
                {"region_code": ["NOORD"]}, geometry=[box(0, 100, 200, 200)], crs="EPSG:28992"
            ),
        ],
        ignore_index=True,
    )
    mixed = hm.overlay_weights(two, target2, points=points)
    leeg = mixed[mixed.from_code == "LEEG"]
    assert leeg.method.tolist() == ["overlap"] and leeg.weight.tolist() == pytest.approx([1.0])


def test_two_crosswalks_from_one_edition_do_not_double_counts(store: Store) -> None:
    # 2017 -> 2022 and 2017 -> 2021 both published for the same old buurt; the 2021 code
    # still exists in 2022, so both crosswalks are usable for a translation to 2022
    store.import_table(
        _table(_store_values(["BU09990001"], [100], 2017)), file_hash="v", reader="test"
    )
    cw = pd.DataFrame(
        {
            "from_code": ["BU09990001", "BU09990001"],
            "from_edition": [2017, 2017],
            "to_code": ["BU09990010", "BU09990010"],
            "to_edition": [2022, 2021],
            "weight": [1.0, 1.0],
        }
    )
    regions = pd.DataFrame(
        {
            "region_code": ["BU09990010"],
            "level": ["buurt"],
            "edition": [2022],
            "name": ["Nieuw"],
            "gemeente_code": ["GM0999"],
        }
    )
    empty = _store_values([], [], 2022)
    store.import_table(
        SourceTable(
            DatasetInfo("kruistabel", "test", "kruistabel"),
            Path("cw.csv"),
            empty,
            regions=regions,
            crosswalk=cw,
        ),
        file_hash="cw",
        reader="test",
    )
    result = hm.translated_values_from_store(store, gemeente="GM0999", edition=2022)
    counts = result.values[result.values.variable == "t.inw"]
    assert counts.value.sum() == pytest.approx(100.0)
    assert counts.region_code.tolist() == ["BU09990010"]

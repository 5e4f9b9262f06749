"""Boundary readers: real files from shared/data and small hand-made bad inputs."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from shapely.geometry import Polygon, box

from veerkracht.errors import InputFileError, MissingColumnsError
from veerkracht.sources import boundaries
from veerkracht.sources.base import CROSSWALK_COLUMNS, REGION_COLUMNS, VALUE_COLUMNS
from veerkracht.sources.registry import detect

GEOM_COLUMNS = ["region_code", "level", "edition", "name", "gemeente_code", "geometry"]


def _assert_contract(table) -> None:
    g = table.geometries
    assert list(g.columns) == GEOM_COLUMNS
    assert g.crs == "EPSG:28992"
    assert g["region_code"].is_unique
    assert shapely.is_valid(g.geometry.to_numpy()).all()
    assert list(table.regions.columns) == REGION_COLUMNS
    assert list(table.values.columns) == VALUE_COLUMNS


# ------------------------------------------------------------------ real files
def test_amsterdam_csv_two_editions_and_crosswalk(shared_data: Path) -> None:
    path = shared_data / "geometry_amsterdam" / "gemeente_amsterdam_buurten_2015_2022.csv"
    assert detect(path).code == "grenzen_gemeente_csv"
    table = boundaries.read_wkt_csv(path)
    _assert_contract(table)
    g = table.geometries
    assert g.groupby("edition").size().to_dict() == {2015: 439, 2022: 439}
    assert table.editions == [2015, 2022]
    assert set(g["gemeente_code"]) == {"GM0363"}
    first = g[g.region_code == "BU03630000"].iloc[0]
    assert first["name"] == "Kop Zeedijk" and first["edition"] == 2015
    cw = table.crosswalk
    assert list(cw.columns) == CROSSWALK_COLUMNS
    assert len(cw) == 439 and (cw["weight"] == 1.0).all()
    row = cw[cw.from_code == "BU03630000"].iloc[0]
    assert (row.to_code, row.from_edition, row.to_edition) == ("BU0363AE01", 2015, 2022)
    # the same polygon under both codes
    old = g[g.region_code == "BU03630000"].geometry.iloc[0]
    new = g[g.region_code == "BU0363AE01"].geometry.iloc[0]
    assert old.equals(new)


def test_groningen_kaart_zip_with_kwb_values(shared_data: Path) -> None:
    path = shared_data / "cbs_wijkbuurtkaart_2017_groningen" / "buurt2017.zip"
    assert detect(path).code == "cbs_wijkbuurtkaart"
    table = boundaries.read_wijkbuurtkaart(path)
    _assert_contract(table)
    g = table.geometries
    assert len(g) == 108 and set(g["level"]) == {"buurt"} and table.editions == [2017]
    minx, miny, maxx, maxy = g.total_bounds
    assert 226_000 < minx < maxx < 245_000 and 577_000 < miny < maxy < 588_000
    v = table.values.set_index(["region_code", "variable"])
    assert v.loc[("BU00140000", "kwb.a_inw"), "value"] == 4440
    assert set(table.values["period"]) == {2017}
    assert table.dataset.title == "Wijk- en buurtkaart 2017"
    wijken = boundaries.read_wijkbuurtkaart(
        shared_data / "cbs_wijkbuurtkaart_2017_groningen" / "wijk2017.zip"
    )
    assert len(wijken.geometries) == 15 and set(wijken.geometries["level"]) == {"wijk"}


def test_whole_nl_wijk_attributes_dbf(shared_data: Path) -> None:
    folder = shared_data / "cbs_wijkbuurtkaart_2017_nl_wijk_gem_attributes"
    assert detect(folder / "wijk_2017.dbf").code == "cbs_wijkbuurtkaart"
    table = boundaries.read_wijkbuurtkaart(folder / "wijk_2017.dbf")
    assert table.geometries is None
    assert len(table.regions) == 3159
    assert any("88 gebieden zijn water" in n for n in table.notes)
    v = table.values.set_index(["region_code", "variable"])
    assert v.loc[("WK000300", "kwb.a_inw"), "value"] == 11970
    # water wijken are regions without values
    assert "WK001099" in set(table.regions["region_code"])
    assert "WK001099" not in set(table.values["region_code"])
    gem = boundaries.read_wijkbuurtkaart(folder / "gem_2017.dbf")
    assert len(gem.regions) == 389  # 477 rows minus 88 water parts of the same gemeenten
    assert (
        gem.values.set_index(["region_code", "variable"]).loc[("GM0003", "kwb.a_inw"), "value"]
        == 11971
    )


def test_pdok_geojson_edition_from_folder(shared_data: Path) -> None:
    folder = shared_data / "pdok_cbs_gebiedsindelingen_2025_gegeneraliseerd"
    assert detect(folder / "GM0344_buurten.geojson").code == "pdok_geojson"
    table = boundaries.read_geojson(folder / "GM0344_buurten.geojson")
    _assert_contract(table)
    g = table.geometries
    assert len(g) == 111 and table.editions == [2025]
    assert table.dataset.key == "cbs_gebiedsindelingen"
    assert g.set_index("region_code").loc["BU03440111", "name"] == "Welgelegen, Den Hommel"
    # Utrecht: about 99 km² (generalised), in RD metres
    assert 95e6 < g.area.sum() < 102e6
    wijken = boundaries.read_geojson(folder / "GM0344_wijken.geojson")
    assert len(wijken.geometries) == 10 and set(wijken.geometries["level"]) == {"wijk"}


def test_rotterdam_tir(shared_data: Path) -> None:
    folder = shared_data / "geometry_rotterdam"
    assert detect(folder / "TIR_Buurten_vlakken.shp").code == "grenzen_rotterdam_tir"
    table = boundaries.read_tir(folder / "TIR_Buurten_vlakken.shp")
    _assert_contract(table)
    g = table.geometries
    assert len(g) == 91 and table.editions == [2020]
    raw = gpd.read_file(folder / "TIR_Buurten_vlakken.shp")
    assert set(g["region_code"]) == set("BU0599" + raw["TEKST"])
    assert any("2020" in n for n in table.notes)
    gebieden = boundaries.read_tir(folder / "TIR_Gebieden_vlakken.shp")
    assert len(gebieden.geometries) == 21
    assert "WK059905" in set(gebieden.geometries["region_code"])
    assert any("niet geverifieerd" in n for n in gebieden.notes)


def test_store_after_folder_import(amsterdam_store) -> None:
    st = amsterdam_store
    assert len(st.geometries("GM0363", 2022)) == 439
    assert len(st.geometries("GM0363", 2015)) == 439
    assert len(st.geometries("GM0599", 2020)) == 91
    assert len(st.geometries("GM0599", 2020, level="wijk")) == 21
    assert len(st.geometries("GM0014", 2017)) == 108
    assert len(st.geometries("GM0344", 2025)) == 111
    cw = st.query(
        "SELECT count(*) AS n, sum(weight) AS w FROM crosswalks "
        "WHERE from_edition = 2015 AND to_edition = 2022"
    )
    assert (cw.n[0], cw.w[0]) == (439, 439.0)
    per_source = st.query("SELECT source_key, count(*) AS n FROM geometries GROUP BY 1")
    assert dict(zip(per_source.source_key, per_source.n, strict=True)) == {
        "gemeente_gebiedsindeling": 878,
        "cbs_kwb": 123,
        "rotterdam_tir": 112,
        "cbs_gebiedsindelingen": 571,
    }


# ------------------------------------------------------------------ hand-made files
RD_SQUARE = box(120_000, 480_000, 121_000, 481_000)


def _feature(props: dict, geom) -> dict:
    return {"type": "Feature", "properties": props, "geometry": shapely.geometry.mapping(geom)}


def _geojson(path: Path, features: list[dict], crs: str | None = None) -> Path:
    doc: dict = {"type": "FeatureCollection"}
    if crs:
        doc["crs"] = {"type": "name", "properties": {"name": crs}}
    doc["features"] = features
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def _pdok_gpkg(path: Path) -> Path:
    buurten = gpd.GeoDataFrame(
        {
            "buurtcode": ["BU03630001", "BU03630002", "BU03639999"],
            "buurtnaam": ["Één", "Twee", "IJ"],
            "wijkcode": ["WK036300"] * 3,
            "gemeentecode": ["GM0363"] * 3,
            "gemeentenaam": ["Amsterdam"] * 3,
            "water": ["NEE", "NEE", "JA"],
            "aantalInwoners": [1200, -99997, -99997],
            "percentagePersonen0Tot15Jaar": [12, 10, -99997],
        },
        geometry=[
            RD_SQUARE,
            box(121_000, 480_000, 122_000, 481_000),
            box(122_000, 480_000, 123_000, 481_000),
        ],
        crs="EPSG:28992",
    )
    wijken = gpd.GeoDataFrame(
        {
            "wijkcode": ["WK036300"],
            "wijknaam": ["Centrum"],
            "gemeentecode": ["GM0363"],
            "water": ["NEE"],
            "aantalInwoners": [1200],
        },
        geometry=[box(120_000, 480_000, 123_000, 481_000)],
        crs="EPSG:28992",
    )
    gemeenten = gpd.GeoDataFrame(
        {"gemeentecode": ["GM0363"], "gemeentenaam": ["Amsterdam"], "water": ["NEE"]},
        geometry=[box(120_000, 480_000, 123_000, 481_000)],
        crs="EPSG:28992",
    )
    for layer, frame in (("buurten", buurten), ("wijken", wijken), ("gemeenten", gemeenten)):
        frame.to_file(path, layer=layer, driver="GPKG")
    return path


def test_pdok_geopackage_layers(tmp_path: Path) -> None:
    path = _pdok_gpkg(tmp_path / "wijkenbuurten_2022_v3.gpkg")
    assert detect(path).code == "cbs_wijkbuurtkaart"
    table = boundaries.read_wijkbuurtkaart(path)
    _assert_contract(table)
    g = table.geometries
    assert g.groupby("level").size().to_dict() == {"buurt": 3, "wijk": 1, "gemeente": 1}
    assert table.editions == [2022]
    assert g.set_index("region_code").loc["BU03630001", "name"] == "Één"
    v = table.values.set_index(["region_code", "variable"])
    assert v.loc[("BU03630001", "kwb.a_inw"), ["value", "status"]].tolist() == [1200.0, "ok"]
    assert v.loc[("BU03630002", "kwb.a_inw"), "status"] == "geheim"
    assert "BU03639999" not in set(table.values["region_code"])  # water: no values
    assert any("1 gebieden zijn water" in n for n in table.notes)


def test_geopackage_without_year_asks_for_it(tmp_path: Path) -> None:
    folder = tmp_path / "grenzen"
    folder.mkdir()
    path = _pdok_gpkg(folder / "buurten.gpkg")
    with pytest.raises(InputFileError, match=r"(?s)indelingsjaar.*jaar = 2022") as info:
        boundaries.read_wijkbuurtkaart(path)
    assert "buurten.gpkg" in str(info.value)
    assert boundaries.read_wijkbuurtkaart(path, year=2021).editions == [2021]


def test_geojson_mixed_editions(tmp_path: Path) -> None:
    path = _geojson(
        tmp_path / "buurten.geojson",
        [
            _feature({"buurtcode": "BU03630001", "jaarcode": 2021}, RD_SQUARE),
            _feature({"buurtcode": "BU03630002", "jaarcode": 2022}, RD_SQUARE),
        ],
        crs="urn:ogc:def:crs:EPSG::28992",
    )
    with pytest.raises(InputFileError, match=r"gemengde indelingsjaren.*2021, 2022") as info:
        boundaries.read_geojson(path)
    assert info.value.column == "jaarcode" and info.value.rows == [2]


def test_geojson_year_from_content_and_declared_rd(tmp_path: Path) -> None:
    path = _geojson(
        tmp_path / "wfs.json",
        [
            _feature({"buurtcode": "BU03630001", "buurtnaam": "A", "jaar": 2023}, RD_SQUARE),
        ],
        crs="urn:ogc:def:crs:EPSG::28992",
    )
    table = boundaries.read_geojson(path)
    assert table.editions == [2023]
    assert table.geometries.geometry.iloc[0].equals(RD_SQUARE)
    with pytest.raises(InputFileError, match=r"veerkracht.toml zegt jaar = 2022"):
        boundaries.read_geojson(path, year=2022)


def test_rd_coordinates_declared_wgs84(tmp_path: Path) -> None:
    path = _geojson(
        tmp_path / "buurten_2022.geojson",
        [_feature({"statcode": "BU03630001"}, RD_SQUARE)],
        crs="urn:ogc:def:crs:OGC:1.3:CRS84",
    )
    with pytest.raises(InputFileError, match="zijn RD-meters") as info:
        boundaries.read_geojson(path)
    assert "EPSG:28992" in info.value.fix


def test_geojson_without_crs_member_guesses_rd(tmp_path: Path) -> None:
    path = _geojson(
        tmp_path / "buurten_2022.geojson", [_feature({"statcode": "BU03630001"}, RD_SQUARE)]
    )
    table = boundaries.read_geojson(path)
    assert table.geometries.geometry.iloc[0].equals(RD_SQUARE)
    assert any("EPSG:28992" in n for n in table.notes)


def test_wgs84_geojson_is_reprojected(tmp_path: Path) -> None:
    square = box(4.89, 52.37, 4.90, 52.38)
    path = _geojson(
        tmp_path / "buurten_2025.geojson", [_feature({"statcode": "BU03630001"}, square)]
    )
    g = boundaries.read_geojson(path).geometries
    x, y = g.geometry.iloc[0].centroid.coords[0]
    assert 121_000 < x < 122_500 and 487_000 < y < 488_500


@pytest.mark.filterwarnings("ignore:.crs. was not provided")
def test_shapefile_without_prj_and_outside_nl(tmp_path: Path) -> None:
    frame = gpd.GeoDataFrame({"BU_CODE": ["BU03630001"], "BU_NAAM": ["A"]}, geometry=[RD_SQUARE])
    path = tmp_path / "buurt_2019.shp"
    frame.to_file(path)
    assert not path.with_suffix(".prj").exists()
    table = boundaries.read_wijkbuurtkaart(path)
    assert any("afgeleid uit de coördinaten: EPSG:28992" in n for n in table.notes)

    far = gpd.GeoDataFrame({"BU_CODE": ["BU03630001"]}, geometry=[box(52.3, 4.8, 52.4, 4.9)])
    far_path = tmp_path / "swapped_2019.shp"
    far.to_file(far_path)
    with pytest.raises(InputFileError, match="onbekend coördinatenstelsel"):
        boundaries.read_wijkbuurtkaart(far_path)


def test_invalid_geometry_repaired_or_rejected(tmp_path: Path) -> None:
    bowtie = Polygon(
        [
            (120_000, 480_000),
            (121_000, 481_000),
            (121_000, 480_000),
            (120_000, 481_000),
            (120_000, 480_000),
        ]
    )
    assert not bowtie.is_valid
    path = _geojson(
        tmp_path / "b_2022.geojson",
        [_feature({"statcode": "BU03630001"}, bowtie)],
        crs="urn:ogc:def:crs:EPSG::28992",
    )
    # a bow tie repaired is a different area: refused, not imported (rule VK301)
    with pytest.raises(InputFileError, match=r"BU03630001 \(0 m² → 0,50 km²\).*VK301"):
        boundaries.read_geojson(path)

    # a tiny self-intersection at a corner: repaired, the area stays (within 10 m²)
    x, y = 120_000, 480_000
    twisted = Polygon(
        [(x, y), (x + 1000, y), (x + 1000, y + 1000), (x, y + 1000), (x, y + 2), (x + 2, y + 4),
         (x + 2, y + 2), (x, y + 4), (x, y)]
    )  # fmt: skip
    assert not twisted.is_valid
    path = _geojson(
        tmp_path / "t_2022.geojson",
        [_feature({"statcode": "BU03630001"}, twisted)],
        crs="urn:ogc:def:crs:EPSG::28992",
    )
    table = boundaries.read_geojson(path)
    geom = table.geometries.geometry.iloc[0]
    assert geom.is_valid and geom.area == pytest.approx(1_000_000, abs=10)
    assert any("gerepareerd" in n and "BU03630001" in n for n in table.notes)

    flat = Polygon([(120_000, 480_000), (121_000, 481_000), (122_000, 482_000), (120_000, 480_000)])
    path = _geojson(
        tmp_path / "c_2022.geojson",
        [
            _feature({"statcode": "BU03630001"}, RD_SQUARE),
            _feature({"statcode": "BU03630002"}, flat),
        ],
        crs="urn:ogc:def:crs:EPSG::28992",
    )
    with pytest.raises(InputFileError, match=r"geen vlak blijft.*BU03630002"):
        boundaries.read_geojson(path)


def test_empty_and_codeless_files(tmp_path: Path) -> None:
    empty = _geojson(tmp_path / "leeg_2022.geojson", [], crs=None)
    empty.write_text('{"type": "FeatureCollection", "buurtcode": null, "features": []}')
    with pytest.raises(InputFileError, match="geen gebieden"):
        boundaries.read_geojson(empty)
    codeless = _geojson(tmp_path / "naam_2022.geojson", [_feature({"naam": "A"}, RD_SQUARE)])
    with pytest.raises(MissingColumnsError, match="buurtcode") as info:
        boundaries.read_geojson(codeless)
    assert "naam" in info.value.fix
    bad = _geojson(
        tmp_path / "fout_2022.geojson",
        [
            _feature({"statcode": "BU03630001"}, RD_SQUARE),
            _feature({"statcode": "0363-01"}, RD_SQUARE),
        ],
    )
    with pytest.raises(InputFileError, match=r"ongeldige regiocode.*0363-01"):
        boundaries.read_geojson(bad)


def test_wkt_csv_split_gives_area_weights(tmp_path: Path) -> None:
    left = box(120_000, 480_000, 120_250, 481_000)
    right = box(120_250, 480_000, 121_000, 481_000)
    frame = pd.DataFrame(
        {
            "BUURTCODE_CBS_2015": ["BU03630001", "BU03630001"],
            "BUURTCODE_CBS_2022": ["BU0363AA01", "BU0363AA02"],
            "BUURTNAAM_2022": ["Links", "Rechts"],
            "geometrie": [f"SRID=28992;{left.wkt}", f"SRID=28992;{right.wkt}"],
        }
    )
    path = tmp_path / "grenzen.csv"
    frame.to_csv(path, index=False)
    assert detect(path).code == "grenzen_gemeente_csv"
    table = boundaries.read_wkt_csv(path)
    g = table.geometries
    assert g.groupby("edition").size().to_dict() == {2015: 1, 2022: 2}
    assert g[g.edition == 2015].geometry.iloc[0].area == pytest.approx(1_000_000)
    weights = table.crosswalk.set_index("to_code")["weight"]
    assert weights.to_dict() == pytest.approx({"BU0363AA01": 0.25, "BU0363AA02": 0.75})

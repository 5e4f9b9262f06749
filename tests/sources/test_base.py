"""The reader contract's shared helpers: FileSample and file hashing."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from veerkracht.sources.base import FileSample


def test_header_keeps_quoted_titles_with_separators_whole(tmp_path: Path) -> None:
    path = tmp_path / "statline.csv"
    path.write_text(
        '\ufeff"Regiocode (gemeente, wijk, buurt)","Wijken en buurten","Bevolking/Aantal inwoners '
        '(aantal)"\n"BU03630000","Kop Zeedijk","1010"\n',
        encoding="utf-8",
    )
    assert FileSample(path).header == [
        "Regiocode (gemeente, wijk, buurt)",
        "Wijken en buurten",
        "Bevolking/Aantal inwoners (aantal)",
    ]


def test_header_semicolons_and_padding(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text(' "code" ; naam;"x;y"\n1;2;3\n', encoding="utf-8")
    assert FileSample(path).header == ["code", "naam", "x;y"]


def test_header_of_an_empty_file_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "leeg.csv"
    path.write_bytes(b"")
    assert FileSample(path).header == []


def test_source_table_pickles_geometries_as_wkb_and_back() -> None:
    """Worker processes hand tables to the store by pickle: nothing may change on the way."""
    import pickle

    import geopandas as gpd
    from shapely.geometry import Point, Polygon

    from veerkracht.sources.base import DatasetInfo, SourceTable

    gdf = gpd.GeoDataFrame(
        {
            "region_code": ["BU03630000", "BU03630001", "BU03630002"],
            "geometry": [Polygon([(0, 0), (10, 0), (10, 10)]), None, Point(121000.5, 487000.25)],
            "name": ["Kop van Zuid", "Súdwest", "Centrum"],
        },
        crs="EPSG:28992",
    )
    table = SourceTable(
        dataset=DatasetInfo(key="cbs_wijkbuurtkaart", publisher="CBS", title="kaart"),
        path=Path("kaart.gpkg"),
        values=pd.DataFrame(),
        geometries=gdf,
    )
    back = pickle.loads(pickle.dumps(table)).geometries
    assert isinstance(back, gpd.GeoDataFrame)
    assert list(back.columns) == ["region_code", "geometry", "name"]
    assert back.crs == gdf.crs and back.geometry.name == "geometry"
    assert back.geometry.isna().tolist() == [False, True, False]
    assert back.geometry.iloc[0].equals_exact(gdf.geometry.iloc[0], 0)
    assert back.geometry.iloc[2].equals_exact(gdf.geometry.iloc[2], 0)
    assert back.name.tolist() == gdf.name.tolist()

"""`veerkracht data vertalen --gewichten`: a split buurt follows the dwellings, not the area."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
from shapely.geometry import box

from veerkracht.cli import main
from veerkracht.sources.base import DatasetInfo, SourceTable, Variable
from veerkracht.store import Store

DS = DatasetInfo(key="cbs_kwb", publisher="CBS", title="Kerncijfers wijken en buurten")


def _build(path: Path) -> None:
    geoms = gpd.GeoDataFrame(
        {
            "region_code": ["BU09990001", "BU09990010", "BU09990011"],
            "level": "buurt",
            "edition": [2017, 2022, 2022],
            "name": ["Oud", "West", "Oost"],
            "gemeente_code": "GM0999",
        },
        geometry=[
            box(150000, 400000, 150200, 400100),
            box(150000, 400000, 150100, 400100),
            box(150100, 400000, 150200, 400100),
        ],
        crs="EPSG:28992",
    )
    values = pd.DataFrame(
        {
            "region_code": ["BU09990001"],
            "level": ["buurt"],
            "edition": [2017],
            "period": [2017],
            "variable": ["kwb.a_inw"],
            "value": [300.0],
            "status": ["ok"],
        }
    )
    regions = pd.DataFrame(
        {
            "region_code": ["GM0999"],
            "level": ["gemeente"],
            "edition": [2022],
            "name": ["Proefstad"],
            "gemeente_code": ["GM0999"],
        }
    )
    with Store(path) as st:
        st.import_table(
            SourceTable(DS, Path("g.gpkg"), values.iloc[0:0], regions=regions, geometries=geoms),
            file_hash="g",
            reader="test",
        )
        st.import_table(
            SourceTable(
                DS,
                Path("k.csv"),
                values,
                variables=[Variable("kwb.a_inw", "Inwoners", "aantal", "aantal")],
            ),
            file_hash="k",
            reader="test",
        )


def test_vertalen_with_dwelling_points(tmp_path: Path, capsys) -> None:
    store = tmp_path / "s.duckdb"
    _build(store)
    points = tmp_path / "adressen.csv"
    # 3 dwellings in the west half, 1 in the east half
    points.write_text(
        "x;y;woningen\n150020;400050;1\n150040;400050;1\n150060;400050;1\n150150;400050;1\n",
        encoding="utf-8",
    )
    code = main(
        [
            "data",
            "vertalen",
            "--gemeente",
            "Proefstad",
            "--naar",
            "2022",
            "--gewichten",
            str(points),
            "--store",
            str(store),
        ]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    assert "overlap-gewogen" in out  # the method column of the summary table
    with Store(store, read_only=True) as st:
        v = st.query(
            "SELECT region_code, value, method FROM translated_values ORDER BY region_code"
        )
    assert v.value.tolist() == [225.0, 75.0]  # 300 inwoners split 3 : 1, not 150 : 150
    assert set(v.method) == {"overlap-gewogen"}


def test_vertalen_points_without_count_column(tmp_path: Path, capsys) -> None:
    store = tmp_path / "s.duckdb"
    _build(store)
    points = tmp_path / "adressen.csv"
    points.write_text("x;y;aantal\n150020;400050;1\n", encoding="utf-8")
    code = main(
        [
            "data",
            "vertalen",
            "--gemeente",
            "GM0999",
            "--naar",
            "2022",
            "--gewichten",
            str(points),
            "--store",
            str(store),
        ]
    )
    err = capsys.readouterr().err
    assert code == 1
    assert "woningen" in err and "--gewichtkolom" in err

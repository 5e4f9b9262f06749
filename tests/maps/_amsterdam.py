"""A real Amsterdam MapSet for the map tests and the benchmark.

Geometry: Gemeente Amsterdam gebiedsindeling (439 buurten that exist 1:1 in the
2015 and 2022 indeling); values: CBS KWB 2017 and 2019, read with
``veerkracht.sources.read`` and joined on the 2015-coded CBS buurtcode.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely import wkt

from veerkracht.maps.layers import MapLayer, MapSet
from veerkracht.sources.registry import read

GEOMETRY = "geometry_amsterdam/gemeente_amsterdam_buurten_2015_2022.csv"
KWB = {
    2017: "cbs_kwb_amsterdam/Kerncijfers_wijken_en_buurten_2017_amsterdam_Rexport.csv",
    2019: "cbs_kwb_amsterdam/Kerncijfers_wijken_en_buurten_2019_amsterdam_Rexport.csv",
}
VARIABLES = ["kwb.p_hh_lkk", "kwb.p_wcorpw", "kwb.a_inw", "kwb.g_vernoo"]
SOURCES = [
    "CBS, Kerncijfers wijken en buurten 2017 en 2019 (83765NED, 84583NED)",
    "Gemeente Amsterdam, gebiedsindeling buurten 2015/2022",
]
TYPES = {
    "hoog_stijgend": ("Hoog en stijgend", "#D55E00"),
    "hoog_stabiel": ("Hoog, niet stijgend", "#E69F00"),
    "laag_stijgend": ("Lager, wel stijgend", "#56B4E9"),
    "laag_stabiel": ("Lager, niet stijgend", "#009E73"),
}


def read_geometry(shared: Path) -> gpd.GeoDataFrame:
    raw = pd.read_csv(shared / GEOMETRY)
    geoms = [wkt.loads(text.split(";", 1)[1]) for text in raw["geometrie"]]
    return gpd.GeoDataFrame(
        {
            "region_code": raw["BUURTCODE_CBS_2022"],
            "code_2015": raw["BUURTCODE_CBS_2015"],
            "name": raw["BUURTNAAM_2022"],
        },
        geometry=geoms,
        crs="EPSG:28992",
    )


def read_kwb(shared: Path) -> pd.DataFrame:
    """Wide frame: index region_code, columns like ``p_hh_lkk__2019``."""
    parts = []
    for year, rel in KWB.items():
        values = read(shared / rel).values
        values = values[values["variable"].isin(VARIABLES)]
        wide = values.pivot_table(
            index="region_code", columns="variable", values="value", aggfunc="first"
        )
        wide.columns = [f"{c.removeprefix('kwb.')}__{year}" for c in wide.columns]
        parts.append(wide)
    return pd.concat(parts, axis=1)


def amsterdam_mapset(shared: Path) -> MapSet:
    gdf = read_geometry(shared)
    kwb = read_kwb(shared)
    gdf = gdf.join(kwb, on="code_2015")
    gdf["p_hh_lkk"] = gdf["p_hh_lkk__2019"]
    gdf["p_wcorpw"] = gdf["p_wcorpw__2019"]
    gdf["a_inw"] = gdf["a_inw__2019"]
    gdf["verandering_lkk"] = gdf["p_hh_lkk__2019"] - gdf["p_hh_lkk__2017"]
    for col in ("p_hh_lkk", "p_wcorpw", "a_inw"):
        gdf[f"{col}__nl"] = kwb.loc["NL00", f"{col}__2019"]
        gdf[f"{col}__gemeente"] = kwb.loc["GM0363", f"{col}__2019"]
    high = gdf["p_hh_lkk"] >= gdf["p_hh_lkk"].median()
    rising = gdf["verandering_lkk"] > 0
    typ = np.where(
        high,
        np.where(rising, "hoog_stijgend", "hoog_stabiel"),
        np.where(rising, "laag_stijgend", "laag_stabiel"),
    )
    gdf["typology"] = pd.Series(typ, index=gdf.index).where(
        gdf["p_hh_lkk"].notna() & gdf["verandering_lkk"].notna()
    )
    layers = [
        MapLayer(
            key="concentratie",
            title="Huishoudens met een laag inkomen, 2019",
            column="p_hh_lkk",
            kind="klassen",
            legend_title="Huishoudens met een laag inkomen (% van alle huishoudens)",
            unit="%",
            bins=[8.0, 12.0, 16.0, 20.0, 35.0],
            sources=SOURCES,
            period="2019",
            note="Buurten met te weinig huishoudens geeft CBS niet vrij (geheim).",
        ),
        MapLayer(
            key="ontwikkeling",
            title="Verandering aandeel huishoudens met een laag inkomen, 2017–2019",
            column="verandering_lkk",
            kind="klassen",
            legend_title="Verandering (procentpunt)",
            bins=[-2.0, -0.5, 0.5, 2.0, 12.0],
            sources=SOURCES,
            period="2017–2019",
        ),
        MapLayer(
            key="typologie",
            title="Typologie laag inkomen: niveau en ontwikkeling",
            column="typology",
            kind="categorie",
            legend_title="Type buurt",
            categories=TYPES,
            sources=SOURCES,
            period="2017–2019",
        ),
        MapLayer(
            key="bivariaat",
            title="Laag inkomen: niveau 2019 en verandering 2017–2019",
            column="bivariaat_code",
            kind="bivariaat",
            legend_title="Niveau en verandering",
            bivariate=("verandering_lkk", "p_hh_lkk"),
            sources=SOURCES,
            period="2017–2019",
        ),
        MapLayer(
            key="corporatiebezit",
            title="Huurwoningen in bezit van woningcorporaties, 2019",
            column="p_wcorpw",
            kind="klassen",
            legend_title="Corporatiewoningen (% van de woningvoorraad)",
            unit="%",
            bins=[10.0, 30.0, 50.0, 70.0, 100.0],
            sources=SOURCES,
            period="2019",
        ),
    ]
    profile = {
        "p_hh_lkk": "Huishoudens met een laag inkomen (%)",
        "p_wcorpw": "Corporatiewoningen (%)",
        "a_inw": "Inwoners",
        "verandering_lkk": "Verandering laag inkomen (procentpunt)",
    }
    return MapSet("GM0363", "Amsterdam", 2022, gdf, layers, profile)

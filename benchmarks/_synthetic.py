"""Synthetic whole-NL inputs for the store benchmark.

~14,000 buurten as Voronoi cells over the RD extent of the Netherlands, grouped into
~340 gemeenten and ~3,300 wijken; KWB-like figures for 10 years written as CBS
``kwb-YYYY.csv`` downloads (``;``, short column names, decimal comma, ``.`` =
geheim, padded codes); buurt polygons as PDOK-style GeoPackages (layer ``buurten``,
``buurtcode``/``buurtnaam``/``gemeentecode``/``jaarcode``).

The boundaries change once: editions up to ``CHANGE_YEAR - 1`` use the "old" cells,
later editions jittered cells with new codes, so a translation between two editions
has real work to do.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

RD_EXTENT = (13_000.0, 306_000.0, 278_000.0, 620_000.0)
YEARS = list(range(2015, 2025))
CHANGE_YEAR = 2020

#: (short name, kind) of 40 KWB variables, as in cbs_kwb.toml.
COUNTS = ["a_inw", "a_00_14", "a_15_24", "a_25_44", "a_45_64", "a_65_oo", "a_w_all",
          "a_nw_all", "a_hh", "a_1p_hh", "a_woning", "a_inkont", "a_soz_wb", "a_soz_ao",
          "a_soz_ww", "a_soz_ow", "a_jz_tn", "a_wmo_t", "a_opl_lg", "a_opl_hg", "a_opp_ha",
          "a_lan_ha"]
RATES = ["p_leegsw", "p_koopw", "p_huurw", "p_wcorpw", "p_ov_hw", "p_ink_li", "p_ink_hi",
         "p_hh_li", "p_hh_lkk", "p_hh_osm", "p_arb_pp"]
MEANS = ["g_hhgro", "bev_dich", "g_woz", "g_ink_po", "g_ink_pi", "g_wodief", "g_geweld"]
VARIABLES = COUNTS + RATES + MEANS
assert len(VARIABLES) == 40


@dataclass
class Regions:
    buurten: pd.DataFrame  # code, name, wijk, gemeente, gemeente_name, x, y
    geometry_old: np.ndarray
    geometry_new: np.ndarray
    codes_new: np.ndarray


def _voronoi(points: np.ndarray, extent: tuple[float, float, float, float]) -> np.ndarray:
    import shapely

    frame = shapely.box(*extent)
    cells = shapely.voronoi_polygons(shapely.multipoints(points), extend_to=frame, ordered=True)
    # ~100 vertices per buurt, like real (generalised) buurt boundaries
    return shapely.segmentize(shapely.intersection(shapely.get_parts(cells), frame), 100.0)


def _moved_within_gemeenten(
    frame: pd.DataFrame, pts: np.ndarray, old: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """New buurt boundaries: seeds moved ~150 m, gemeente boundaries unchanged (as in CBS)."""
    import shapely

    new = np.empty(len(pts), dtype=object)
    moved = pts + rng.normal(0, 150, pts.shape)
    for _, idx in frame.groupby("gem").indices.items():
        outline = shapely.union_all(old[idx])
        if len(idx) == 1:
            new[idx] = [outline]
            continue
        cells = _voronoi(moved[idx], shapely.bounds(outline))
        new[idx] = shapely.intersection(cells, outline)
    return new


def make_regions(n_buurten: int = 14_000, n_gemeenten: int = 340, seed: int = 1) -> Regions:
    rng = np.random.default_rng(seed)
    x0, y0, x1, y1 = RD_EXTENT
    pts = np.column_stack([rng.uniform(x0, x1, n_buurten), rng.uniform(y0, y1, n_buurten)])
    # gemeenten: a coarse grid of cells; wijken: ~4 buurten each, ordered west to east
    nx = int(np.ceil(np.sqrt(n_gemeenten * (x1 - x0) / (y1 - y0))))
    ny = int(np.ceil(n_gemeenten / nx))
    gx = np.minimum(((pts[:, 0] - x0) / (x1 - x0) * nx).astype(int), nx - 1)
    gy = np.minimum(((pts[:, 1] - y0) / (y1 - y0) * ny).astype(int), ny - 1)
    gem = gy * nx + gx + 1
    frame = pd.DataFrame({"gem": gem, "x": pts[:, 0], "y": pts[:, 1]})
    frame = frame.sort_values(["gem", "x"]).reset_index(drop=True)
    rank = frame.groupby("gem").cumcount()
    frame["wijk"] = rank // 4
    frame["bu"] = rank % 4
    g = frame["gem"].map("{:04d}".format)
    w = frame["wijk"].map("{:02d}".format)
    frame["code"] = "BU" + g + w + frame["bu"].map("{:02d}".format)
    frame["wijk_code"] = "WK" + g + w
    frame["gemeente"] = "GM" + g
    frame["gemeente_name"] = "Gemeente " + g
    frame["name"] = "Buurt " + frame["code"].str[2:]
    pts = frame[["x", "y"]].to_numpy()
    old = _voronoi(pts, RD_EXTENT)
    new = _moved_within_gemeenten(frame, pts, old, rng)
    # new edition: new codes (buurt number + 50), same wijk and gemeente
    codes_new = ("BU" + frame["code"].str[2:8] + (frame["bu"] + 50).map("{:02d}".format))
    return Regions(frame, old, new, codes_new.to_numpy())


def _fmt(values: np.ndarray, decimals: int) -> np.ndarray:
    text = np.char.mod(f"%.{decimals}f", values)
    return np.char.replace(text, ".", ",") if decimals else text


def write_kwb_csv(regions: Regions, year: int, path: Path, seed: int = 0) -> None:
    """One ``kwb-YYYY.csv`` with GM, WK and BU rows."""
    rng = np.random.default_rng(seed + year)
    b = regions.buurten
    codes = regions.codes_new if year >= CHANGE_YEAR else b["code"].to_numpy()
    n = len(b)
    inw = np.round(rng.lognormal(7.0, 0.9, n))
    cols: dict[str, np.ndarray] = {}
    for var in COUNTS:
        share = rng.uniform(0.05, 0.4, n) if var != "a_inw" else 1.0
        cols[var] = _fmt(np.round(inw * share), 0)
    for var in RATES:
        cols[var] = _fmt(rng.uniform(0, 100, n), 1)
    for var in MEANS:
        cols[var] = _fmt(rng.lognormal(3, 0.5, n), 1)
    body = pd.DataFrame(cols)
    secret = rng.random(body.shape) < 0.05
    body = body.mask(secret, ".")
    bu = pd.DataFrame({
        "gwb_code_10": codes, "gwb_code_8": [c[2:] for c in codes],
        "regio": b["name"].to_numpy(), "gm_naam": b["gemeente_name"].to_numpy(),
        "recs": "Buurt", "gwb_code": codes, "ind_wbi": "1",
    })
    bu = pd.concat([bu, body], axis=1)
    higher = []
    for level, key, name in (("Wijk", "wijk_code", "Wijk"), ("Gemeente", "gemeente", "")):
        part = b.drop_duplicates(key)
        frame = pd.DataFrame({
            "gwb_code_10": part[key].to_numpy(), "gwb_code_8": part[key].str[2:].to_numpy(),
            "regio": (name + " " + part[key].str[2:]).str.strip().to_numpy()
            if name else part["gemeente_name"].to_numpy(),
            "gm_naam": part["gemeente_name"].to_numpy(), "recs": level,
            "gwb_code": part[key].to_numpy(), "ind_wbi": ".",
        })
        for var in VARIABLES:
            frame[var] = "."
        higher.append(frame)
    out = pd.concat([*higher, bu], ignore_index=True)
    out["gwb_code_10"] = out["gwb_code_10"].str.ljust(10)
    out["gm_naam"] = out["gm_naam"].str.ljust(40)
    out.to_csv(path, sep=";", index=False, encoding="utf-8-sig")


def write_geopackage(regions: Regions, year: int, path: Path) -> None:
    import geopandas as gpd

    b = regions.buurten
    new = year >= CHANGE_YEAR
    gpd.GeoDataFrame(
        {
            "buurtcode": regions.codes_new if new else b["code"].to_numpy(),
            "buurtnaam": b["name"].to_numpy(),
            "wijkcode": b["wijk_code"].to_numpy(),
            "gemeentecode": b["gemeente"].to_numpy(),
            "gemeentenaam": b["gemeente_name"].to_numpy(),
            "water": "NEE",
            "jaarcode": year,
        },
        geometry=regions.geometry_new if new else regions.geometry_old,
        crs="EPSG:28992",
    ).to_file(path, layer="buurten", driver="GPKG")


def write_inputs(folder: Path, *, n_buurten: int = 14_000) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    regions = make_regions(n_buurten)
    paths = []
    for year in YEARS:
        path = folder / f"kwb-{year}.csv"
        write_kwb_csv(regions, year, path)
        paths.append(path)
    for year in (CHANGE_YEAR - 1, YEARS[-1]):
        path = folder / f"wijkenbuurten_{year}_v1.gpkg"
        write_geopackage(regions, year, path)
        paths.append(path)
    return paths

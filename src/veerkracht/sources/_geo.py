"""Shared geometry handling for boundary readers.

Every boundary file ends up as one GeoDataFrame in the store projection
(EPSG:28992) with one valid (multi)polygon per region. This module holds the
checks every reader needs: which coordinate system the numbers really are in,
repair of invalid polygons, one row per code, and the boundary edition (year).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from veerkracht.codes import NL_BOX_RD, NL_BOX_WGS84, clean_codes, gemeente_of, levels_of
from veerkracht.errors import InputFileError
from veerkracht.settings import STORE_CRS
from veerkracht.sources.base import REGION_COLUMNS
from veerkracht.sources.validation.geometry_repair import check_repair

if TYPE_CHECKING:
    import geopandas as gpd

RD = "EPSG:28992"
WGS84 = "EPSG:4326"
_RD_BOX, _WGS84_BOX = NL_BOX_RD, NL_BOX_WGS84
GEOMETRY_COLUMNS = ["region_code", "level", "edition", "name", "gemeente_code", "geometry"]

_YEAR = re.compile(r"(?<!\d)(199\d|20[0-3]\d)(?!\d)")
_REGION_CODE_IN_NAME = re.compile(r"(GM|WK|BU)\d{4,8}", re.IGNORECASE)


def _inside(bounds: tuple[float, ...], box: tuple[float, ...]) -> bool:
    minx, miny, maxx, maxy = bounds
    return box[0] <= minx and maxx <= box[2] and box[1] <= miny and maxy <= box[3]


def guess_crs(bounds: tuple[float, ...]) -> str | None:
    """Coordinate system the numbers must be in: RD metres, WGS84 degrees, or unknown."""
    if _inside(bounds, _RD_BOX):
        return RD
    if _inside(bounds, _WGS84_BOX):
        return WGS84
    return None


def _bounds_text(bounds: tuple[float, ...]) -> str:
    return f"x {bounds[0]:.6g} – {bounds[2]:.6g}, y {bounds[1]:.6g} – {bounds[3]:.6g}"


def to_store_crs(
    gdf: gpd.GeoDataFrame, path: Path, notes: list[str], *, declared: bool = True
) -> gpd.GeoDataFrame:
    """Reproject to EPSG:28992 after checking the declared CRS against the coordinates.

    ``declared=False`` means the file format has an implicit default (GeoJSON without
    a ``crs`` member): the coordinates decide, without complaint.
    """
    bounds = tuple(float(b) for b in gdf.total_bounds)
    guess = guess_crs(bounds)
    if gdf.crs is None or not declared:
        if guess is None:
            raise InputFileError(
                path,
                f"onbekend coördinatenstelsel: de coördinaten ({_bounds_text(bounds)}) passen "
                "niet bij RD (EPSG:28992) of WGS84 (EPSG:4326) binnen Nederland",
                fix="Sla het bestand op met een coördinatenstelsel (.prj bij een shapefile, "
                "'crs' in GeoJSON) in EPSG:28992 of EPSG:4326.",
            )
        if gdf.crs is None:
            notes.append(
                f"geen coördinatenstelsel in het bestand; afgeleid uit de coördinaten: {guess}"
            )
        elif guess != WGS84:
            notes.append(f"GeoJSON zonder 'crs'; de coördinaten zijn {guess}, niet WGS84")
        gdf = gdf.set_crs(guess, allow_override=True)
    else:
        epsg = gdf.crs.to_epsg()
        if gdf.crs.is_geographic and guess == RD:
            raise InputFileError(
                path,
                f"het bestand zegt {gdf.crs.name} (graden), maar de coördinaten "
                f"({_bounds_text(bounds)}) zijn RD-meters (EPSG:28992)",
                fix="Zet het juiste coördinatenstelsel EPSG:28992 in het bestand (.prj of 'crs'), "
                "of laat het weg zodat veerkracht het afleidt.",
            )
        if gdf.crs.is_projected and guess == WGS84:
            raise InputFileError(
                path,
                f"het bestand zegt {gdf.crs.name} (EPSG:{epsg}), maar de coördinaten "
                f"({_bounds_text(bounds)}) zijn graden (WGS84, EPSG:4326)",
                fix="Zet het juiste coördinatenstelsel EPSG:4326 in het bestand (.prj of 'crs').",
            )
    out = gdf.to_crs(STORE_CRS) if gdf.crs != STORE_CRS else gdf
    after = tuple(float(b) for b in out.total_bounds)
    if not _inside(after, _RD_BOX):
        raise InputFileError(
            path,
            f"de gebieden liggen niet in Nederland ({_bounds_text(after)} in EPSG:28992); "
            "zijn x en y verwisseld of is het coördinatenstelsel fout?",
            fix="Controleer het coördinatenstelsel en de volgorde van de coördinaten.",
        )
    return out


def repair(gdf: gpd.GeoDataFrame, path: Path, notes: list[str]) -> gpd.GeoDataFrame:
    """Make polygons valid; a geometry that is missing or not a polygon is an error."""
    import shapely

    geoms = gdf.geometry.to_numpy()
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if missing.any():
        codes = gdf.loc[missing, "region_code"].tolist()
        raise InputFileError(
            path,
            f"{len(codes)} gebied(en) zonder geometrie: {', '.join(map(str, codes[:10]))}",
            fix="Vul de ontbrekende vlakken aan of verwijder die rijen.",
        )
    invalid = ~shapely.is_valid(geoms)
    if invalid.any():
        fixed = shapely.make_valid(geoms[invalid])
        fixed = [_polygonal(g) for g in fixed]
        failed = [
            c for c, g in zip(gdf.loc[invalid, "region_code"], fixed, strict=True) if g is None
        ]
        if failed:
            raise InputFileError(
                path,
                f"ongeldige geometrie die geen vlak blijft na reparatie: {', '.join(failed[:10])}",
                fix="Herstel de vlakken in een GIS (bijv. QGIS 'Geometrieën repareren').",
            )
        check_repair(
            path,
            gdf.loc[invalid, "region_code"].astype(str).tolist(),
            shapely.area(geoms[invalid]) * _m2_per_unit(gdf),
            shapely.area(np.asarray(fixed, dtype=object)) * _m2_per_unit(gdf),
        )
        geoms = geoms.copy()
        geoms[invalid] = fixed
        gdf = gdf.set_geometry(list(geoms), crs=gdf.crs)
        codes = gdf.loc[invalid, "region_code"].tolist()
        notes.append(
            f"{len(codes)} ongeldige geometrie(ën) gerepareerd (make_valid): "
            + ", ".join(codes[:10])
        )
    kinds = set(gdf.geometry.geom_type.unique())
    if not kinds <= {"Polygon", "MultiPolygon"}:
        bad = gdf.loc[~gdf.geometry.geom_type.isin(["Polygon", "MultiPolygon"]), "region_code"]
        raise InputFileError(
            path,
            f"geen vlakken maar {', '.join(sorted(kinds - {'Polygon', 'MultiPolygon'}))}: "
            f"{', '.join(bad.astype(str).tolist()[:10])}",
            fix="Een grenzenbestand moet (multi)polygonen bevatten.",
        )
    return gdf


def _m2_per_unit(gdf: gpd.GeoDataFrame) -> float:
    """Square metres per squared coordinate unit, roughly (degrees at 52° N for WGS84)."""
    crs = gdf.crs
    geographic = crs.is_geographic if crs is not None else guess_crs(
        tuple(gdf.total_bounds)
    ) == "EPSG:4326"
    return 111_320.0 * 68_700.0 if geographic else 1.0


def _polygonal(geom: object) -> object | None:
    """The polygon part of a repaired geometry, or None when nothing areal is left."""
    import shapely

    if geom.geom_type in {"Polygon", "MultiPolygon"}:
        return geom
    parts = [p for p in shapely.get_parts(geom) if p.geom_type in {"Polygon", "MultiPolygon"}]
    if not parts or shapely.union_all(parts).area == 0:
        return None
    return shapely.union_all(parts)


def one_row_per_code(gdf: gpd.GeoDataFrame, notes: list[str]) -> gpd.GeoDataFrame:
    """Dissolve repeated codes (a region delivered in several parts) into one row."""
    dup = gdf["region_code"].duplicated(keep=False)
    if not dup.any():
        return gdf
    n = int(gdf.loc[dup, "region_code"].nunique())
    notes.append(f"{n} code(s) kwamen in meerdere delen voor; samengevoegd tot één vlak")
    first = gdf.drop(columns="geometry").drop_duplicates("region_code").set_index("region_code")
    merged = gdf.dissolve(by="region_code")
    merged = merged[["geometry"]].join(first)
    return merged.reset_index()[GEOMETRY_COLUMNS]


def finish(
    codes: pd.Series,
    names: pd.Series | None,
    geometry: object,
    *,
    crs: object,
    edition: int,
    path: Path,
    notes: list[str],
    declared: bool = True,
) -> gpd.GeoDataFrame:
    """Codes + names + geometry -> checked store GeoDataFrame (EPSG:28992, valid, unique)."""
    import geopandas as gpd

    codes = clean_codes(pd.Series(codes).reset_index(drop=True))
    names = codes if names is None else pd.Series(names).reset_index(drop=True)
    bad = levels_of(codes).isna()
    if bad.any():
        rows = [int(i) + 2 for i in codes.index[bad]]
        raise InputFileError(
            path,
            f"ongeldige regiocode(s): {', '.join(codes[bad].astype(str).tolist()[:10])}",
            rows=rows,
            fix="Regiocodes hebben de vorm GM0363, WK036300 of BU03630000.",
        )
    gdf = gpd.GeoDataFrame(
        {
            "region_code": codes.astype(str).to_numpy(),
            "level": levels_of(codes).astype(str).to_numpy(),
            "edition": int(edition),
            "name": names.astype("string").str.strip().to_numpy(),
            "gemeente_code": gemeente_of(codes).to_numpy(),
        },
        geometry=list(geometry),
        crs=crs,
    )
    if gdf.empty:
        raise InputFileError(
            path, "het bestand bevat geen gebieden", fix="Download het bestand opnieuw."
        )
    gdf = repair(gdf, path, notes)
    gdf = to_store_crs(gdf, path, notes, declared=declared)
    gdf = one_row_per_code(gdf, notes)
    gdf["edition"] = gdf["edition"].astype("int32")
    return gdf[GEOMETRY_COLUMNS].reset_index(drop=True)


def regions_of(gdf: pd.DataFrame) -> pd.DataFrame:
    """The regions frame (REGION_COLUMNS) for a geometry or attribute frame."""
    return (
        pd.DataFrame(gdf[REGION_COLUMNS])
        .drop_duplicates(["region_code", "edition"])
        .reset_index(drop=True)
    )


def year_from_path(path: Path) -> int | None:
    """Boundary year from the file name, else from the folder name (e.g. ``buurt2017.zip``).

    Region codes in the name (``GM0344_buurten``) are ignored; two different years in
    one name are ambiguous and give None.
    """
    for part in (path.name, path.parent.name):
        found = set(_YEAR.findall(_REGION_CODE_IN_NAME.sub("", part)))
        if len(found) == 1:
            return int(found.pop())
        if len(found) > 1:
            return None
    return None


def year_from_column(frame: pd.DataFrame, path: Path) -> int | None:
    """Boundary year from a ``jaar``/``jaarcode`` column; mixed years are an error."""
    lower = {str(c).lower(): c for c in frame.columns}
    column = next((lower[c] for c in ("jaarcode", "jaar", "year") if c in lower), None)
    if column is None:
        return None
    text = frame[column].astype("string")
    # a whole-NL layer has ~14,000 rows and one distinct value: extract from the distinct
    distinct = pd.Series(text.dropna().unique(), dtype="string")
    found = sorted(
        {int(y) for y in distinct.str.extract(r"((?:19|20)\d\d)")[0].dropna()}
    )
    if len(found) > 1:
        years = pd.to_numeric(text.str.extract(r"((?:19|20)\d\d)")[0])
        rows = [int(i) + 1 for i in frame.index[years != found[0]][:10]]
        raise InputFileError(
            path,
            f"gemengde indelingsjaren in één bestand: {', '.join(map(str, found))}",
            column=str(column),
            rows=rows,
            fix="Eén grenzenbestand hoort bij één indelingsjaar; splits het bestand per jaar.",
        )
    return found[0] if found else None


def resolve_edition(
    path: Path, *, content: int | None, manifest: int | None, fixed: int | None = None
) -> int:
    """The boundary edition: content, else manifest (``jaar``), else fixed rule, else name."""
    if content is not None and manifest is not None and int(content) != int(manifest):
        raise InputFileError(
            path,
            f"het bestand zegt indelingsjaar {content}, "
            f"maar veerkracht.toml zegt jaar = {manifest}",
            fix="Verwijder of corrigeer 'jaar' in veerkracht.toml.",
        )
    for candidate in (content, manifest, fixed, year_from_path(path)):
        if candidate is not None:
            return int(candidate)
    raise InputFileError(
        path,
        "het indelingsjaar (jaar van de grenzen) is niet af te leiden uit de inhoud of de naam",
        fix="Zet het jaar in de bestandsnaam (buurten_2022.gpkg) of in veerkracht.toml: "
        f'[bestanden."{path.name}"] jaar = 2022',
    )

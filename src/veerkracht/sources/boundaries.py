"""Boundary files: buurt/wijk/gemeente polygons with CBS codes, recognised by content.

* CBS *Wijk- en buurtkaart*: PDOK GeoPackage (layers ``buurten``/``wijken``/``gemeenten``,
  columns ``buurtcode``, ``gemeentecode``, ``water`` …), the older shapefiles (zipped or
  not; ``BU_CODE``, ``WK_CODE``, ``GM_CODE``, ``WATER``) and their attribute-only ``.dbf``.
  KWB figures in the kaart (``AANT_INW``, ``aantalInwoners`` …) become ``kwb.*`` values
  with the kaart's year as period and edition.
* PDOK GeoJSON (WFS / OGC API Features): ``statcode``/``statnaam`` (CBS Gebiedsindelingen)
  or ``buurtcode``/``buurtnaam`` (the ``wijken-en-buurten-JJJJ`` collections).
* Municipal files with CBS codes: a CSV with WKT polygons and ``BUURTCODE_CBS_JJJJ``
  columns (Amsterdam: two indelingen in one file -> geometries for both plus a
  crosswalk), and the Rotterdam TIR shapefiles.

Boundary edition (the year of the indeling), in this order: a ``jaar``/``jaarcode``
column in the file; ``jaar`` in veerkracht.toml; a fixed rule for the source (TIR: 2020);
a year in the file name (``buurt2017.zip``, ``wijkenbuurten_2022_v3.gpkg``) or else in
the folder name (``…_gebiedsindelingen_2025_…``). Otherwise the import stops and asks
for ``jaar`` in veerkracht.toml.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from veerkracht.codes import clean_codes, gemeente_of, levels_of
from veerkracht.errors import InputFileError, MissingColumnsError
from veerkracht.settings import get_limits
from veerkracht.sources import _geo
from veerkracht.sources._columns import load_spec
from veerkracht.sources._tabular import normalise_title, numeric_frame, read_delimited, to_long
from veerkracht.sources.base import (
    CROSSWALK_COLUMNS,
    REGION_COLUMNS,
    STATUS_SUPPRESSED,
    VALUE_COLUMNS,
    DatasetInfo,
    FileSample,
    Reader,
    SourceTable,
    Variable,
)
from veerkracht.sources.cbs_kwb import PREFIX, SPEC_PATH
from veerkracht.sources.validation import refuse
from veerkracht.sources.validation.text_lines import too_many_rows

#: Own-level code column per layer, most specific first, with its name column.
_CODE_NAME = [
    ("statcode", "statnaam"),
    ("buurtcode", "buurtnaam"),
    ("bu_code", "bu_naam"),
    ("wijkcode", "wijknaam"),
    ("wk_code", "wk_naam"),
    ("gemeentecode", "gemeentenaam"),
    ("gm_code", "gm_naam"),
]
_CODE_COLUMNS = {c for c, _ in _CODE_NAME}
#: PDOK GeoPackage / OGC API attribute names of KWB variables (normalised), beyond the
#: kaart aliases already in cbs_kwb.toml (AANT_INW, AANTAL_HH, BEV_DICHTH, …).
_WIJKBUURTKAART_ALIASES = {
    "a_inw": ["aantalinwoners", "aantal inwoners"],
    "a_hh": ["aantalhuishoudens", "aantal huishoudens"],
    "a_woning": ["woningvoorraad", "woningen"],
    "ste_oad": ["omgevingsadressendichtheid"],
    # PDOK wijken-en-buurten (GeoPackage v3, OGC API): snake_case names, compared
    # normalised (underscores -> spaces)
    "g_hhgro": ["gemiddeldehuishoudsgrootte", "gemiddeldehuishoudensgrootte",
                "gemiddelde_huishoudsgrootte"],
    "bev_dich": ["bevolkingsdichtheidinwonersperkm2", "bevolkingsdichtheid_inwoners_per_km2"],
    "g_woz": ["gemiddeldewoningwaarde", "woz", "gemiddelde_woningwaarde"],
    "p_koopw": ["percentagekoopwoningen", "p koopwon", "percentage_koopwoningen"],
    "p_huurw": ["percentagehuurwoningen", "p huurwon", "percentage_huurwoningen"],
    "p_wcorpw": ["perc_huurwoningen_in_bezit_woningcorporaties"],
    "p_ov_hw": ["perc_huurwoningen_in_bezit_overige_verhuurders"],
    "p_leegsw": ["percentage_onbewoond"],
    "a_w_all": ["westerse_migratieachtergrond"],
    "a_nw_all": ["niet_westerse_migratieachtergrond"],
    "a_inkont": ["aantal_inkomensontvangers"],
    "g_ink_po": ["gemiddeld_inkomen_per_inkomensontvanger"],
    "g_ink_pi": ["gemiddeld_inkomen_per_inwoner"],
    "p_ink_li": ["percentage_personen_met_laag_inkomen"],
    "p_ink_hi": ["percentage_personen_met_hoog_inkomen"],
    "p_hh_li": ["percentage_huishoudens_met_laag_inkomen"],
    "p_hh_lkk": ["percentage_huishoudens_met_lage_koopkracht"],
    "p_hh_osm": ["percentage_huishoudens_onder_of_rond_sociaal_minimum"],
    "p_hh_110": ["huishoudens_tot_110_percent_van_sociaal_minimum"],
    "p_hh_120": ["huishoudens_tot_120_percent_van_sociaal_minimum"],
    "a_soz_wb": ["aantal_personen_met_een_algemene_bijstandsuitkering_totaal"],
    "a_soz_ao": ["aantal_personen_met_een_ao_uitkering_totaal"],
    "a_soz_ww": ["aantal_personen_met_een_ww_uitkering_totaal"],
    "a_soz_ow": ["aantal_personen_met_een_aow_uitkering_totaal"],
    "a_jz_tn": ["aantal_jongeren_met_jeugdzorg_in_natura"],
    "a_wmo_t": ["aantal_wmo_clienten"],
    "p_arb_pp": ["netto_arbeidsparticipatie"],
    "a_opp_ha": ["oppervlaktetotaalinha", "oppervlakte_totaal_in_ha"],
    "a_lan_ha": ["oppervlaktelandinha", "oppervlakte_land_in_ha"],
    "pst_mvp": ["meestvoorkomendepostcode", "meest_voorkomende_postcode"],
}
#: PDOK publishes 'geheim'/'niet beschikbaar' as large negative numbers (-99995, -99997, …).
_SENTINEL_BELOW = -99990


def wijkbuurtkaart_info(year: int | None) -> DatasetInfo:
    # Key cbs_kwb: the kaart carries KWB figures; sharing the key lets a later KWB file
    # for the same region/year replace them instead of duplicating them.
    return DatasetInfo(
        key="cbs_kwb",
        publisher="CBS",
        title=f"Wijk- en buurtkaart {year}" if year else "Wijk- en buurtkaart",
        licence="CC BY 4.0",
        url="https://www.cbs.nl/nl-nl/dossier/nederland-regionaal/geografische-data",
    )


def gebiedsindelingen_info(year: int | None) -> DatasetInfo:
    return DatasetInfo(
        key="cbs_gebiedsindelingen",
        publisher="CBS / PDOK",
        title=f"CBS Gebiedsindelingen {year}" if year else "CBS Gebiedsindelingen",
        licence="CC BY 4.0",
        url="https://service.pdok.nl/cbs/gebiedsindelingen",
    )


AMSTERDAM_INFO = DatasetInfo(
    key="gemeente_gebiedsindeling",
    publisher="Gemeente (gebiedsindeling met CBS-codes)",
    title="Gemeentelijke buurtgrenzen met CBS-buurtcodes",
    licence="open data van de gemeente",
)
TIR_INFO = DatasetInfo(
    key="rotterdam_tir",
    publisher="Gemeente Rotterdam",
    title="Territoriale Indeling Rotterdam (TIR)",
    licence="open data Gemeente Rotterdam (licentie niet vermeld)",
)


# ---------------------------------------------------------------- shared layer handling
def _lower_map(columns: list[str]) -> dict[str, str]:
    return {str(c).lower(): str(c) for c in columns}


def _code_and_name(columns: list[str]) -> tuple[str, str | None] | None:
    lower = _lower_map(columns)
    for code, name in _CODE_NAME:
        if code in lower:
            return lower[code], lower.get(name)
    return None


def _kwb_columns(columns: list[str]) -> dict[str, str]:
    """KWB key -> kaart column, by exact (normalised) alias only: no fuzzy title matching."""
    spec = load_spec(SPEC_PATH, PREFIX)
    found: dict[str, str] = {}
    normalised = {normalise_title(c): c for c in columns}
    for column_spec in spec.columns:
        aliases = {normalise_title(a) for a in column_spec.aliases}
        aliases |= {normalise_title(a) for a in _WIJKBUURTKAART_ALIASES.get(column_spec.key, [])}
        hit = next((normalised[a] for a in aliases if a in normalised), None)
        if hit is not None and hit not in found.values():
            found[column_spec.key] = hit
    return found


def _water_mask(frame: pd.DataFrame) -> pd.Series:
    lower = _lower_map(list(frame.columns))
    if "water" not in lower:
        return pd.Series(False, index=frame.index)
    return frame[lower["water"]].astype("string").str.strip().str.upper().eq("JA").fillna(False)


def _drop_water_parts(frame: pd.DataFrame, code_col: str, notes: list[str]) -> pd.DataFrame:
    """Drop WATER='JA' rows whose code also has a land row (gemeente land/water split)."""
    water = _water_mask(frame)
    if not water.any():
        return frame
    codes = clean_codes(frame[code_col])
    parts = water & codes.isin(codes[~water].unique())
    if parts.any():
        notes.append(
            f"{int(parts.sum())} waterdelen (WATER='JA') met dezelfde code als het landdeel "
            "weggelaten; het landdeel telt"
        )
    return frame.loc[~parts]


def _wijkbuurtkaart_values(
    frame: pd.DataFrame, codes: pd.Series, edition: int, notes: list[str]
) -> tuple[pd.DataFrame, list[Variable]]:
    """KWB figures in a kaart attribute table -> long values (water regions left out)."""
    mapping = _kwb_columns(list(frame.columns))
    if not mapping:
        return pd.DataFrame(columns=VALUE_COLUMNS), []
    keep = ~_water_mask(frame).to_numpy()
    raw = frame.loc[keep, list(mapping.values())].copy()
    raw.columns = [f"{PREFIX}.{k}" for k in mapping]
    values, statuses = numeric_frame(raw)
    sentinel = values <= _SENTINEL_BELOW
    values = values.mask(sentinel)
    statuses = statuses.mask(sentinel, STATUS_SUPPRESSED)
    long = to_long(
        codes[keep].reset_index(drop=True),
        values.reset_index(drop=True),
        statuses.reset_index(drop=True),
        edition=edition,
        period=edition,
    )
    spec = load_spec(SPEC_PATH, PREFIX)
    used = set(raw.columns)
    notes.append(
        f"{len(mapping)} KWB-variabelen uit de kaart overgenomen als kwb.* (periode {edition})"
    )
    return long, [v for v in spec.variables if v.key in used]


def _regions_from_attributes(
    frame: pd.DataFrame, code_col: str, name_col: str | None, edition: int
) -> pd.DataFrame:
    codes = clean_codes(frame[code_col])
    names = frame[name_col].astype("string").str.strip() if name_col else codes
    return pd.DataFrame(
        {
            "region_code": codes.to_numpy(),
            "level": levels_of(codes).to_numpy(),
            "edition": np.int32(edition),
            "name": names.fillna(codes).to_numpy(),
            "gemeente_code": gemeente_of(codes).to_numpy(),
        }
    )[REGION_COLUMNS]


def _missing_code_error(path: Path, columns: list[str]) -> MissingColumnsError:
    return MissingColumnsError(
        path,
        ["buurtcode / wijkcode / gemeentecode (of statcode, BU_CODE, WK_CODE, GM_CODE)"],
        expected="een kolom met CBS-codes zoals BU03630000, WK036300 of GM0363; gevonden: "
        + ", ".join(map(str, columns[:15])),
    )


def _layer_parts(
    frame: pd.DataFrame,
    path: Path,
    edition: int,
    notes: list[str],
    *,
    declared_crs: bool = True,
) -> tuple[pd.DataFrame | None, pd.DataFrame, pd.DataFrame, list[Variable]]:
    """One layer (with or without geometry) -> geometries, regions, values, variables."""
    found = _code_and_name(list(frame.columns))
    if found is None:
        raise _missing_code_error(path, list(frame.columns))
    code_col, name_col = found
    frame = frame[frame[code_col].notna()]
    frame = _drop_water_parts(frame, code_col, notes)
    water = _water_mask(frame)
    if water.any():
        notes.append(
            f"{int(water.sum())} gebieden zijn water (WATER='JA'): wel als regio, zonder waarden"
        )
    codes = clean_codes(frame[code_col]).reset_index(drop=True)
    regions = _regions_from_attributes(frame, code_col, name_col, edition)
    values, variables = _wijkbuurtkaart_values(frame, codes, edition, notes)
    geometries = None
    if "geometry" in frame.columns and frame.geometry.notna().any():
        geometries = _geo.finish(
            codes,
            frame[name_col] if name_col else None,
            frame.geometry.to_numpy(),
            crs=frame.crs,
            edition=edition,
            path=path,
            notes=notes,
            declared=declared_crs,
        )
    return geometries, regions, values, variables


def _concat_table(
    info: DatasetInfo, path: Path, parts: list[tuple], notes: list[str]
) -> SourceTable:
    geoms = [g for g, *_ in parts if g is not None]
    regions = pd.concat([r for _, r, *_ in parts], ignore_index=True)
    values = [v for _, _, v, _ in parts if not v.empty]
    variables: dict[str, Variable] = {}
    for *_, vs in parts:
        variables.update({v.key: v for v in vs})
    geometries = (
        gpd.GeoDataFrame(pd.concat(geoms, ignore_index=True), crs=geoms[0].crs) if geoms else None
    )
    return SourceTable(
        dataset=info,
        path=path,
        values=pd.concat(values, ignore_index=True)
        if values
        else pd.DataFrame(columns=VALUE_COLUMNS),
        variables=list(variables.values()),
        regions=regions.drop_duplicates(["region_code", "edition"]).reset_index(drop=True),
        geometries=geometries,
        notes=list(dict.fromkeys(notes)),
    )


def _check_feature_count(path: Path, source: str, layer: str | None = None) -> None:
    """Refuse a layer with more features than ``max_rows`` before GDAL reads it whole
    (VK103): the count comes from the layer's header (GeoPackage, shapefile, dbf)."""
    limit = get_limits().max_rows
    features = int(pyogrio.read_info(source, layer=layer)["features"])
    if features > limit:
        refuse(path, [too_many_rows(limit, "objecten (vlakken of rijen)")])


# ---------------------------------------------------------------- CBS wijk- en buurtkaart
def _wijkbuurtkaart_source(path: Path) -> str:
    return f"zip://{path}" if path.suffix.lower() == ".zip" else str(path)


def _layer_fields(source: str) -> dict[str, list[str]]:
    layers = pyogrio.list_layers(source)
    out = {}
    for name, _geom in layers:
        info = pyogrio.read_info(source, layer=name)
        out[str(name)] = [str(f) for f in info["fields"]]
    return out


def _sniff_wijkbuurtkaart(sample: FileSample) -> bool:
    if sample.suffix not in {".gpkg", ".zip", ".shp", ".dbf"}:
        return False
    if sample.suffix == ".zip":
        with zipfile.ZipFile(sample.path) as zf:
            if not any(n.lower().endswith((".shp", ".dbf", ".gpkg")) for n in zf.namelist()):
                return False
    if sample.suffix == ".gpkg" and not sample.head_bytes.startswith(b"SQLite format 3"):
        return False
    fields = _layer_fields(_wijkbuurtkaart_source(sample.path))
    return any(_code_and_name(cols) is not None for cols in fields.values())


def read_wijkbuurtkaart(path: Path, *, year: int | None = None) -> SourceTable:
    """CBS wijk- en buurtkaart (GeoPackage, shapefile, zipped shapefile or attribute .dbf)."""
    path = Path(path)
    source = _wijkbuurtkaart_source(path)
    notes: list[str] = []
    attributes_only = path.suffix.lower() == ".dbf"
    layers = []
    for name, cols in _layer_fields(source).items():
        if _code_and_name(cols) is None:
            notes.append(f"laag '{name}' overgeslagen: geen kolom met CBS-codes")
            continue
        layers.append(name)
    if not layers:
        raise _missing_code_error(path, next(iter(_layer_fields(source).values()), []))
    for name in layers:
        _check_feature_count(path, source, name)
    frames = {
        name: pyogrio.read_dataframe(source, layer=name, read_geometry=not attributes_only)
        for name in layers
    }
    content_years = {y for f in frames.values() if (y := _geo.year_from_column(f, path))}
    if len(content_years) > 1:
        raise InputFileError(
            path,
            f"gemengde indelingsjaren in één bestand: {sorted(content_years)}",
            fix="Eén grenzenbestand hoort bij één indelingsjaar; splits het bestand per jaar.",
        )
    edition = _geo.resolve_edition(path, content=next(iter(content_years), None), manifest=year)
    parts = [_layer_parts(frame, path, edition, notes) for frame in frames.values()]
    if attributes_only:
        notes.append("alleen attributen (.dbf zonder .shp): regio's en waarden, geen geometrie")
    return _concat_table(wijkbuurtkaart_info(edition), path, parts, notes)


# ---------------------------------------------------------------- PDOK GeoJSON
_GEOJSON_CODE = re.compile(r'"(statcode|buurtcode|wijkcode|gemeentecode)"\s*:')


def _sniff_geojson(sample: FileSample) -> bool:
    if sample.suffix not in {".geojson", ".json"}:
        return False
    head = sample.head_text
    return '"FeatureCollection"' in head and bool(_GEOJSON_CODE.search(head))


def read_geojson(path: Path, *, year: int | None = None) -> SourceTable:
    """PDOK WFS / OGC API Features GeoJSON with statcode or buurtcode properties."""
    path = Path(path)
    try:
        _check_feature_count(path, str(path))
        frame = gpd.read_file(path)
    except Exception as exc:
        raise InputFileError(
            path, f"geen leesbare GeoJSON: {exc}", fix="Download het bestand opnieuw."
        ) from exc
    if frame.empty:
        raise InputFileError(
            path,
            "het bestand bevat geen gebieden (lege FeatureCollection)",
            fix="Controleer de filter van de download (gemeentecode).",
        )
    notes: list[str] = []
    edition = _geo.resolve_edition(path, content=_geo.year_from_column(frame, path), manifest=year)
    # RFC 7946: GeoJSON without a 'crs' member is WGS84; old exports still put RD in it.
    with path.open("rb") as fh:
        declared = b'"crs"' in fh.read(65536)
    part = _layer_parts(frame, path, edition, notes, declared_crs=declared)
    statcode = "statcode" in _lower_map(list(frame.columns))
    info = gebiedsindelingen_info(edition) if statcode else wijkbuurtkaart_info(edition)
    return _concat_table(info, path, [part], notes)


# ---------------------------------------------------------------- municipal CSV with WKT
_CBS_CODE_YEAR = re.compile(r"^(buurt|wijk)code_cbs_(\d{4})$", re.IGNORECASE)
_WKT_COLUMNS = ("geometrie", "geometry", "geom", "wkt", "the_geom")


def _sniff_wkt_csv(sample: FileSample) -> bool:
    if sample.suffix not in {".csv", ".txt"}:
        return False
    columns = sample.header
    has_codes = any(_CBS_CODE_YEAR.match(c) for c in columns)
    return has_codes and any(c.lower() in _WKT_COLUMNS for c in columns)


def _parse_wkt(texts: pd.Series, path: Path, column: str) -> tuple[np.ndarray, str | None]:
    """EWKT/WKT strings -> geometries and the SRID they declare (None when absent)."""
    text = texts.astype("string").str.strip()
    srid = text.str.extract(r"^SRID=(\d+);", flags=re.IGNORECASE)[0].dropna().unique()
    if len(srid) > 1:
        raise InputFileError(
            path,
            f"gemengde SRID's: {', '.join(srid)}",
            column=column,
            fix="Gebruik één coördinatenstelsel voor alle rijen.",
        )
    body = text.str.replace(r"^SRID=\d+;", "", regex=True, flags=re.IGNORECASE)
    empty = body.isna() | (body == "")
    if empty.any():
        raise InputFileError(
            path,
            "rij(en) zonder geometrie",
            column=column,
            rows=[int(i) + 2 for i in body.index[empty]],
            fix="Vul de geometrie aan of verwijder de rij.",
        )
    try:
        geoms = shapely.from_wkt(body.to_numpy(dtype=object), on_invalid="raise")
    except shapely.errors.GEOSException as exc:
        bad = [
            int(i) + 2 for i, t in body.items() if shapely.from_wkt(t, on_invalid="ignore") is None
        ]
        raise InputFileError(
            path,
            f"onleesbare WKT: {exc}",
            column=column,
            rows=bad,
            fix="Geometrieën moeten WKT zijn, bijv. 'SRID=28992;POLYGON ((…))'.",
        ) from exc
    return geoms, (f"EPSG:{srid[0]}" if len(srid) else None)


def read_wkt_csv(path: Path, *, year: int | None = None) -> SourceTable:
    """Municipal buurt polygons (WKT) with CBS codes of one or more indelingen."""
    path = Path(path)
    frame = read_delimited(path)
    columns = list(frame.columns)
    wkt_col = next(c for c in columns if c.lower() in _WKT_COLUMNS)
    geoms, crs = _parse_wkt(frame[wkt_col], path, wkt_col)
    notes: list[str] = []
    per_edition: dict[int, gpd.GeoDataFrame] = {}
    row_codes: dict[int, np.ndarray] = {}
    for column in columns:
        match = _CBS_CODE_YEAR.match(column)
        if not match:
            continue
        edition = int(match.group(2))
        kind = match.group(1).upper()
        name_col = next((c for c in columns if c.upper() == f"{kind}NAAM_{edition}"), None)
        codes = clean_codes(frame[column])
        if codes.isna().any() or (codes == "").any():
            rows = [int(i) + 2 for i in codes.index[codes.isna() | (codes == "")]]
            raise InputFileError(
                path,
                "lege CBS-code",
                column=column,
                rows=rows,
                fix="Elke rij heeft een CBS-code nodig.",
            )
        per_edition[edition] = _geo.finish(
            codes,
            frame[name_col] if name_col else None,
            geoms,
            crs=crs,
            edition=edition,
            path=path,
            notes=notes,
        )
        row_codes[edition] = codes.to_numpy()
    crosswalk = _crosswalk(row_codes, geoms)
    geometries = gpd.GeoDataFrame(
        pd.concat(per_edition.values(), ignore_index=True), crs=next(iter(per_edition.values())).crs
    )
    if year is not None:
        notes.append(f"jaar = {year} uit veerkracht.toml genegeerd: de kolomnamen geven de jaren")
    editions = sorted(per_edition)
    notes.append(
        f"{len(frame)} vlakken met CBS-codes voor indeling {', '.join(map(str, editions))}"
    )
    if crosswalk is not None and not crosswalk.empty:
        notes.append(f"kruistabel {editions[0]} → {editions[-1]}: {len(crosswalk)} koppelingen")
    return SourceTable(
        dataset=AMSTERDAM_INFO,
        path=path,
        values=pd.DataFrame(columns=VALUE_COLUMNS),
        regions=_geo.regions_of(geometries),
        geometries=geometries,
        crosswalk=crosswalk,
        notes=notes,
    )


def _crosswalk(row_codes: dict[int, np.ndarray], geoms: np.ndarray) -> pd.DataFrame | None:
    """From each older edition to the newest: weight = area share of the from-region.

    Each row is one polygon carrying a code per edition, so a from-code spread over
    several rows splits by area; the 1:1 rows of Amsterdam get weight 1.0.
    """
    if len(row_codes) < 2:
        return None
    editions = sorted(row_codes)
    newest = editions[-1]
    area = shapely.area(geoms)
    frames = []
    for old in editions[:-1]:
        pairs = pd.DataFrame(
            {
                "from_code": row_codes[old],
                "to_code": row_codes[newest],
                "area": area,
            }
        )
        pairs = pairs.groupby(["from_code", "to_code"], as_index=False)["area"].sum()
        total = pairs.groupby("from_code")["area"].transform("sum")
        pairs["weight"] = np.where(total > 0, pairs["area"] / total, 1.0)
        pairs["from_edition"] = np.int32(old)
        pairs["to_edition"] = np.int32(newest)
        frames.append(pairs[CROSSWALK_COLUMNS])
    return pd.concat(frames, ignore_index=True)


# ---------------------------------------------------------------- Rotterdam TIR
_TIR_FIELDS = {"GEMEENTE", "GEBIED", "BUURT", "TEKST", "NIVO"}
#: The TIR buurt codes match CBS indeling 2020 91/91 (checked against 50090NED).
TIR_EDITION = 2020


def _sniff_tir(sample: FileSample) -> bool:
    if sample.suffix != ".shp":
        return False

    fields = {str(f).upper() for f in pyogrio.read_info(sample.path)["fields"]}
    return fields >= _TIR_FIELDS


def read_tir(path: Path, *, year: int | None = None) -> SourceTable:
    """Territoriale Indeling Rotterdam: buurten ("BU0599"+gebied+buurt) or gebieden (wijken)."""
    path = Path(path)
    frame = gpd.read_file(path)
    if frame.empty:
        raise InputFileError(path, "het bestand bevat geen gebieden")
    gemeenten = pd.to_numeric(frame["GEMEENTE"], errors="coerce").dropna().astype(int).unique()
    if len(gemeenten) != 1:
        raise InputFileError(
            path,
            f"meer dan één gemeente in één TIR-bestand: {list(gemeenten)}",
            column="GEMEENTE",
            fix="Splits het bestand per gemeente.",
        )
    gm = f"{gemeenten[0]:04d}"
    area = pd.to_numeric(frame["GEBIED"], errors="coerce").astype("Int64")
    buurt = pd.to_numeric(frame["BUURT"], errors="coerce").astype("Int64")
    notes: list[str] = []
    if (buurt > 0).all():
        codes = "BU" + gm + area.map("{:02d}".format) + buurt.map("{:02d}".format)
        names = frame["BUURTNAAM"]
        notes.append(
            f"CBS-buurtcode = 'BU{gm}' + gebied + buurt (= TEKST); indeling {TIR_EDITION} "
            "aangenomen: de codes vallen 91/91 samen met CBS-indeling 2020"
        )
    elif (buurt <= 0).all():
        codes = "WK" + gm + area.map("{:02d}".format)
        names = frame["GEBDNAAM"]
        notes.append(
            f"TIR-gebieden als CBS-wijken 'WK{gm}' + gebied: "
            "niet geverifieerd tegen een CBS-bestand"
        )
    else:
        raise InputFileError(
            path,
            "buurten en gebieden door elkaar in één bestand",
            column="BUURT",
            fix="Gebruik het buurten- of het gebiedenbestand.",
        )
    edition = _geo.resolve_edition(path, content=None, manifest=year, fixed=TIR_EDITION)
    geometries = _geo.finish(
        codes,
        names,
        frame.geometry.to_numpy(),
        crs=frame.crs,
        edition=edition,
        path=path,
        notes=notes,
    )
    return SourceTable(
        dataset=TIR_INFO,
        path=path,
        values=pd.DataFrame(columns=VALUE_COLUMNS),
        regions=_geo.regions_of(geometries),
        geometries=geometries,
        notes=notes,
    )


#: this module's readers, most specific first (listed in ``sources.registry``)
READERS = (
    Reader(
        "grenzen_gemeente_csv",
        AMSTERDAM_INFO,
        _sniff_wkt_csv,
        read_wkt_csv,
        "Gemeentelijke buurtgrenzen (WKT) met CBS-codes per indeling, bijv. Amsterdam",
    ),
    Reader(
        "grenzen_rotterdam_tir",
        TIR_INFO,
        _sniff_tir,
        read_tir,
        "Rotterdam TIR-shapefile (buurten / gebieden)",
    ),
    Reader(
        "cbs_wijkbuurtkaart",
        wijkbuurtkaart_info(None),
        _sniff_wijkbuurtkaart,
        read_wijkbuurtkaart,
        "CBS Wijk- en buurtkaart: GeoPackage, (gezipte) shapefile of .dbf",
    ),
    Reader(
        "pdok_geojson",
        gebiedsindelingen_info(None),
        _sniff_geojson,
        read_geojson,
        "PDOK GeoJSON (WFS / OGC API) met statcode of buurtcode",
    ),
)

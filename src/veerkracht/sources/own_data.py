"""An organisation's own data: a CSV/XLSX keyed by buurtcode, postcode or coordinates.

For example a housing corporation's complexes (number of homes, a policy label) or
a welfare organisation's contacts per postcode. The file could look like anything,
so it is never recognised automatically. To place it in buurten (every key type, with
the unplaceable rows listed) use :func:`veerkracht.own_data.place_own_data` — the path the
CLI (``veerkracht kaart --eigen-data``) and the web app use; veerkracht.toml with
``bron = "eigen_data"`` stores buurtcode/postcode keys as ``eigen.<organisatie>.<kolom>``.

Key columns, recognised by name and checked by value:

* buurtcode (``BU03630000``): ``buurtcode``, ``bu_code``, ``gwb_code_10``, ``code`` …
* pc6 (``1012AB``) / pc4 (``1012``): ``postcode``, ``pc6``, ``pc4`` …
* points: ``x``/``y`` (RD New, EPSG:28992) or ``lat``/``lon`` (WGS84); which one is
  decided by the value ranges, not only by the names.
* address: ``adres`` (``Damrak 1``), with ``postcode``/``plaats`` columns added to it
  when present; placed through PDOK Locatieserver (online only, see
  :mod:`veerkracht.own_data`).

``lenient=True`` (the placement path in :mod:`veerkracht.own_data`) keeps rows with a bad
key and gives their reason in the column ``_fout`` instead of refusing the whole file.

Every other column is a value column: numeric when its cells are numbers (decimal
comma allowed), otherwise a label (text). Label cells that a spreadsheet would run
as a formula (starting with ``=``, ``+``, ``-``, ``@``, tab or CR) are neutralised
with a leading ``'`` and reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from veerkracht.codes import NL_BOX_RD, NL_BOX_WGS84
from veerkracht.errors import InputFileError, ParameterError
from veerkracht.settings import STORE_CRS, get_limits
from veerkracht.sources._tabular import (
    first_line,
    normalise_title,
    read_csv_blocks,
    sniff_separator,
    text_encoding,
)
from veerkracht.sources.base import (
    STATUS_OK,
    VALUE_COLUMNS,
    DatasetInfo,
    FileSample,
    Reader,
    SourceTable,
    Variable,
)
from veerkracht.sources.validation import check_file
from veerkracht.spreadsheet import neutralise_formulas

KEY_TYPES = ("buurt", "pc6", "pc4", "punt", "adres")
#: column with the reason a row cannot be used (lenient reading only)
ERROR_COLUMN = "_error"
_BUURT_NAMES = {
    "buurtcode",
    "bu code",
    "buurt code",
    "gwb code 10",
    "code",
    "regiocode",
    "statcode",
}
_PC_NAMES = {"postcode", "pc6", "pc4", "postcode6", "postcode4", "pc", "zip"}
_X_NAMES = {"x", "x rd", "rd x", "xcoord", "x coord", "x coordinaat", "xcoordinaat"}
_Y_NAMES = {"y", "y rd", "rd y", "ycoord", "y coord", "y coordinaat", "ycoordinaat"}
_LAT_NAMES = {"lat", "latitude", "breedtegraad", "breedte"}
_LON_NAMES = {"lon", "lng", "long", "longitude", "lengtegraad", "lengte"}
_ADDRESS_NAMES = {"adres", "address", "straat en huisnummer", "straat huisnummer", "woonadres"}
_PLACE_NAMES = {"plaats", "woonplaats", "plaatsnaam", "stad"}

_BUURT = re.compile(r"^BU\d{4}[0-9A-Z]{4}$")
_PC6 = re.compile(r"^[1-9]\d{3}\s?[A-Z]{2}$")
_PC4 = re.compile(r"^[1-9]\d{3}$")
_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d+)?|[.,]\d+)([eE][+-]?\d+)?$")
_ORGANISATION = re.compile(r"^[0-9A-Za-zÀ-ÿ][0-9A-Za-zÀ-ÿ _.-]{0,59}$")
#: (min, max) ranges of the Netherlands per axis, from the one box in ``codes``.
_RD_X, _RD_Y = (NL_BOX_RD[0], NL_BOX_RD[2]), (NL_BOX_RD[1], NL_BOX_RD[3])
_LON, _LAT = (NL_BOX_WGS84[0], NL_BOX_WGS84[2]), (NL_BOX_WGS84[1], NL_BOX_WGS84[3])

INFO = DatasetInfo(key="eigen_data", publisher="eigen organisatie", title="Eigen data")


@dataclass
class OwnData:
    """An organisation's file, tidy: one row per record with its key and value columns."""

    organisation: str
    path: Path
    key_type: str  # buurt | pc6 | pc4 | punt | adres
    frame: pd.DataFrame  # key_type, key, <numeric columns>, <label columns>
    numeric: list[str]
    labels: list[str]
    edition: int | None = None  # boundary edition of buurtcodes
    points: gpd.GeoDataFrame | None = None  # EPSG:28992, for key_type "punt"
    notes: list[str] = field(default_factory=list)


# ------------------------------------------------------------------ reading
def _check_organisation(organisation: str) -> str:
    text = str(organisation).strip()
    if not _ORGANISATION.match(text) or ".." in text:
        raise ParameterError(
            "organisatie",
            organisation,
            "ongeldige naam: alleen letters, cijfers, spatie, punt, '-' en '_' (max. 60 tekens), "
            "geen pad",
            fix="Geef een korte naam, bijv. 'Woonstichting De Key'.",
        )
    return text


def _check_path(path: str | Path) -> Path:
    path = Path(path)
    if not path.is_file():
        raise InputFileError(
            path,
            "bestand bestaat niet of is geen gewoon bestand",
            fix="Geef het pad naar een CSV- of XLSX-bestand.",
        )
    if path.suffix.lower() not in {".csv", ".txt", ".tsv", ".xlsx", ".xlsm"}:
        raise InputFileError(
            path,
            f"onbekend bestandstype '{path.suffix}'",
            fix="Sla het bestand op als CSV (UTF-8) of XLSX.",
        )
    return path


def _read_table(path: Path, notes: list[str]) -> pd.DataFrame:
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        try:
            frame = pd.read_excel(
                path, sheet_name=0, dtype=str, keep_default_na=False, engine="openpyxl"
            )
        except Exception as exc:  # openpyxl's messages are not for users
            raise InputFileError(
                path,
                f"kan het werkboek niet lezen: {exc}",
                fix="Open het in Excel en sla het opnieuw op als .xlsx.",
            ) from exc
    else:
        frame = _read_own_csv(path, notes)
        if frame.shape[1] == 1:
            raise InputFileError(
                path,
                f"maar één kolom gevonden ('{frame.columns[0][:60]}'): verkeerd scheidingsteken?",
                fix="Gebruik ; , of tab als scheidingsteken tussen de kolommen.",
            )
    frame.columns = [str(c).strip().lstrip("\ufeff") for c in frame.columns]
    frame = frame.apply(lambda col: col.astype("string").str.strip())
    frame = frame.loc[~(frame.fillna("") == "").all(axis=1)]
    if frame.empty:
        raise InputFileError(path, "het bestand heeft een kop maar geen rijen")
    return frame


def _read_own_csv(path: Path, notes: list[str]) -> pd.DataFrame:
    """A CSV of own data as text columns, streamed (encoding sniffed in one pass, then
    parsed block by block with the row and cell limits of every CSV reader)."""
    limits = get_limits()
    encoding = text_encoding(path)
    if encoding != "utf-8":
        notes.append(f"tekencodering {encoding} (Windows) aangenomen; bewaar liever als UTF-8")
    sep = sniff_separator(first_line(path, encoding, limits.max_line_bytes))
    try:
        frame = read_csv_blocks(path, encoding, sep, limits)
    except InputFileError as exc:
        if "kan de CSV niet lezen" not in exc.message:
            raise
        raise InputFileError(
            path,
            exc.message,
            fix="Controleer scheidingsteken (; of ,) en aanhalingstekens.",
        ) from exc
    text = pd.concat([pd.Series(frame.columns, dtype=object), *(frame[c] for c in frame.columns)])
    if text.astype("string").str.contains(r"Ã[©«¨¯¶¼]", regex=True, na=False).any():
        raise InputFileError(
            path,
            "de tekst is dubbel gecodeerd (bijv. 'Ã©' in plaats van 'é')",
            fix="Sla het bestand op als CSV UTF-8 en lees het niet eerst als ANSI.",
        )
    return frame


def _rows(index: pd.Index) -> list[int]:
    """File row numbers (header = row 1) for frame index labels."""
    return [int(i) + 2 for i in index]


def _find(frame: pd.DataFrame, names: set[str]) -> str | None:
    return next((c for c in frame.columns if normalise_title(c) in names), None)


def _numbers(column: pd.Series) -> pd.Series:
    text = column.astype("string").str.replace(" ", "", regex=False)
    # '1.234,5' (Dutch) and '1234.5' both; a lone comma is a decimal comma
    dutch = text.str.contains(",", regex=False, na=False)
    text = text.where(
        ~dutch, text.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    )
    return pd.to_numeric(text, errors="coerce").astype("float64")


def _detect_key(frame: pd.DataFrame, path: Path, notes: list[str]) -> tuple[str, list[str]]:
    """Key type and its column(s)."""
    address = _find(frame, _ADDRESS_NAMES)
    if address is not None:
        extra = [c for c in (_find(frame, _PC_NAMES), _find(frame, _PLACE_NAMES)) if c]
        return "adres", [address, *extra]
    buurt = _find(frame, _BUURT_NAMES)
    if buurt is not None:
        return "buurt", [buurt]
    pc = _find(frame, _PC_NAMES)
    if pc is not None:
        values = frame[pc].str.upper().str.replace(" ", "", regex=False)
        filled = values[values.fillna("") != ""]
        if len(filled) and filled.str.match(_PC4.pattern).all():
            return "pc4", [pc]
        return "pc6", [pc]
    x, y = _find(frame, _X_NAMES), _find(frame, _Y_NAMES)
    lat, lon = _find(frame, _LAT_NAMES), _find(frame, _LON_NAMES)
    if x and y:
        return "punt", [x, y]
    if lat and lon:
        return "punt", [lon, lat]
    # no telling name: look for a column of buurtcodes by content
    for column in frame.columns:
        filled = frame[column][frame[column].fillna("") != ""].str.upper()
        if len(filled) and filled.str.match(_BUURT.pattern).mean() > 0.9:
            notes.append(f"kolom '{column}' herkend als buurtcode aan de inhoud")
            return "buurt", [column]
    raise InputFileError(
        path,
        "geen sleutelkolom gevonden; kolommen: " + ", ".join(map(str, frame.columns[:20])),
        fix="Geef één kolom 'buurtcode' (BU03630000), 'postcode' (1012AB of 1012) of "
        "'adres' (Damrak 1), of twee kolommen 'x' en 'y' (RD) of 'lat' en 'lon' (WGS84).",
    )


_KEY_NAMES = {"buurt": "buurtcode", "pc6": "postcode", "pc4": "postcode"}
_KEY_EXAMPLES = {"buurt": "BU03630000", "pc6": "1012AB", "pc4": "1012"}


def _codes(
    frame: pd.DataFrame, column: str, key_type: str, path: Path, errors: pd.Series | None = None
) -> pd.Series:
    codes = frame[column].astype("string").str.upper().str.replace(" ", "", regex=False)
    pattern = {"buurt": _BUURT, "pc6": re.compile(r"^[1-9]\d{3}[A-Z]{2}$"), "pc4": _PC4}[key_type]
    bad = ~codes.fillna("").str.match(pattern.pattern)
    example = _KEY_EXAMPLES[key_type]
    if errors is not None:  # lenient: the row gets its reason, the file goes on
        for i in frame.index[bad]:
            shown = frame.at[i, column]
            errors[i] = (
                f"{_KEY_NAMES[key_type]} ontbreekt"
                if pd.isna(shown) or not str(shown)
                else f"'{shown}' is geen geldige {_KEY_NAMES[key_type]} (verwacht bijv. {example})"
            )
        return codes
    if bad.any():
        shown = ", ".join(f"'{v}'" for v in frame.loc[bad, column].head(5).tolist())
        raise InputFileError(
            path,
            f"{int(bad.sum())} ongeldige {key_type}-code(s): {shown}",
            column=column,
            rows=_rows(frame.index[bad]),
            fix=f"Verwacht codes als {example}; vul lege cellen of verwijder die rijen.",
        )
    return codes


def _points_crs(xs: pd.Series, ys: pd.Series) -> tuple[str | None, bool]:
    """(CRS, swapped) decided by where most rows lie: RD, WGS84 lon/lat, or lat/lon."""
    rd = (xs.between(*_RD_X) & ys.between(*_RD_Y)).sum()
    wgs = (xs.between(*_LON) & ys.between(*_LAT)).sum()
    swapped = (ys.between(*_LON) & xs.between(*_LAT)).sum()
    best = max(rd, wgs, swapped)
    if best == 0:
        return None, False
    if best == rd:
        return "EPSG:28992", False
    return "EPSG:4326", best == swapped and best != wgs


def _points(
    frame: pd.DataFrame,
    columns: list[str],
    path: Path,
    notes: list[str],
    errors: pd.Series | None = None,
):
    """Points in EPSG:28992; lenient (``errors`` given): bad rows get an empty point and a
    reason, otherwise they refuse the file."""
    xs, ys = (_numbers(frame[c]) for c in columns)
    missing = xs.isna() | ys.isna()
    if missing.any() and errors is None:
        raise InputFileError(
            path,
            "coördinaat ontbreekt of is geen getal",
            column=f"{columns[0]}/{columns[1]}",
            rows=_rows(frame.index[missing]),
            fix="Elke rij heeft twee getallen nodig (x en y, of lon en lat).",
        )
    crs, swapped = _points_crs(xs[~missing], ys[~missing])
    if swapped:
        xs, ys = ys, xs
        notes.append(
            f"'{columns[0]}' bevat breedtegraden en '{columns[1]}' lengtegraden: omgedraaid"
        )
    if crs == "EPSG:28992":
        inside = xs.between(*_RD_X) & ys.between(*_RD_Y)
    elif crs == "EPSG:4326":
        inside = xs.between(*_LON) & ys.between(*_LAT)
    else:
        inside = pd.Series(False, index=frame.index)
    outside = ~inside & ~missing
    if outside.any() and errors is None:
        raise InputFileError(
            path,
            "coördinaten liggen niet in Nederland (RD of WGS84)",
            column=f"{columns[0]}/{columns[1]}",
            rows=_rows(frame.index[outside]),
            fix="Gebruik RD-coördinaten (EPSG:28992, x 0–300000, y 300000–625000) of "
            "WGS84 (lon 3–7.5, lat 50.5–53.7) voor alle rijen.",
        )
    if errors is not None:
        for i in frame.index[missing]:
            errors[i] = (
                f"coördinaat ontbreekt of is geen getal ('{frame.at[i, columns[0]]}', "
                f"'{frame.at[i, columns[1]]}')"
            )
        for i in frame.index[outside]:
            errors[i] = (
                f"coördinaat ({frame.at[i, columns[0]]}, {frame.at[i, columns[1]]}) ligt niet "
                "in Nederland (RD x 0–300000, y 300000–625000 of WGS84 lon 3–7,5, lat 50,5–53,7)"
            )
    crs = crs or STORE_CRS
    notes.append(f"punten in {crs}" + (" omgezet naar EPSG:28992" if crs != STORE_CRS else ""))
    good = inside & ~missing
    pts = gpd.GeoDataFrame(
        geometry=gpd.points_from_xy(xs.where(good), ys.where(good)), crs=crs, index=frame.index
    )
    return pts.to_crs(STORE_CRS)


def _neutralise(column: pd.Series, name: str, notes: list[str]) -> pd.Series:
    """Prefix cells a spreadsheet would execute as a formula with ``'``.

    The one rule shared with the exports (:func:`veerkracht.spreadsheet.neutralise_formulas`).
    """
    text = column.astype("string")
    # NFKC first: a fullwidth '＝' (U+FF1D) or '＋' starts a formula in some spreadsheets too
    probe = text.str.normalize("NFKC")
    flagged = neutralise_formulas(probe.to_frame(name="tekst"))["tekst"]
    risky = (flagged != probe).fillna(False).astype(bool)
    safe = text.mask(risky, "'" + text)
    if risky.any():
        rows = ", ".join(map(str, _rows(column.index[risky])[:10]))
        notes.append(
            f"kolom '{name}': {int(risky.sum())} cel(len) die als formule zouden werken "
            f"(begint met = + - @) onschadelijk gemaakt met ' (rij {rows})"
        )
    return safe


def _split_values(
    frame: pd.DataFrame, path: Path, notes: list[str]
) -> tuple[pd.DataFrame, list[str], list[str]]:
    """Numeric columns (numbers) and label columns (text)."""
    out, numeric, labels = {}, [], []
    for column in frame.columns:
        text = frame[column].astype("string")
        filled = text.fillna("") != ""
        is_number = text.fillna("").str.replace(" ", "", regex=False).str.match(_NUMBER.pattern)
        is_number |= text.fillna("").str.match(r"^-?\d{1,3}(\.\d{3})+,\d+$")  # 1.234,5
        share = is_number[filled].mean() if filled.any() else 0.0
        if filled.any() and share >= 0.5:
            bad = filled & ~is_number
            if bad.any():
                shown = ", ".join(f"'{v}'" for v in text[bad].head(5).tolist())
                raise InputFileError(
                    path,
                    f"niet-numerieke waarde(n) in een kolom met getallen: {shown}",
                    column=str(column),
                    rows=_rows(frame.index[bad]),
                    fix="Vul een getal in of laat de cel leeg (leeg = onbekend).",
                )
            out[column] = _numbers(text)
            numeric.append(str(column))
        else:
            out[column] = _neutralise(text, str(column), notes)
            labels.append(str(column))
    return pd.DataFrame(out, index=frame.index), numeric, labels


def own_data_from_file(
    path: str | Path, *, organisation: str, edition: int | None = None, lenient: bool = False
) -> OwnData:
    """Read an organisation's file; errors name the file, column and rows at fault.

    ``lenient``: a row with a bad key (code, coordinate) is kept with its reason in the
    column ``_fout`` (the placement path lists it) instead of refusing the file.
    """
    organisation = _check_organisation(organisation)
    path = _check_path(path)
    check_file(path)  # size, lines, zip bombs: before pandas or openpyxl open it
    notes: list[str] = []
    frame = _read_table(path, notes)
    key_type, key_columns = _detect_key(frame, path, notes)
    errors = pd.Series(pd.NA, index=frame.index, dtype="string") if lenient else None
    points = None
    if key_type == "punt":
        points = _points(frame, key_columns, path, notes, errors)
        keys = pd.Series(
            [
                f"{p.x:.0f},{p.y:.0f}" if np.isfinite(p.x) and np.isfinite(p.y) else None
                for p in points.geometry
            ],
            index=frame.index,
            dtype="string",
        )
    elif key_type == "adres":
        keys = _addresses(frame, key_columns, errors)
    else:
        keys = _codes(frame, key_columns[0], key_type, path, errors)
    values, numeric, labels = _split_values(frame.drop(columns=key_columns), path, notes)
    if not numeric and not labels:
        raise InputFileError(
            path,
            "geen waardekolommen naast de sleutel",
            fix="Voeg kolommen met getallen of labels toe.",
        )
    head = pd.DataFrame({"key_type": key_type, "key": keys}, index=frame.index)
    if errors is not None:
        head[ERROR_COLUMN] = errors
    head["row"] = _rows(frame.index)
    tidy = pd.concat([head, values], axis=1).reset_index(drop=True)
    if points is not None:
        points = points.reset_index(drop=True)
        points = points.join(tidy)
    if key_type == "buurt" and edition is None:
        notes.append("indelingsjaar van de buurtcodes onbekend; kies de buurtindeling")
    return OwnData(
        organisation,
        path,
        key_type,
        tidy,
        numeric,
        labels,
        edition=edition,
        points=points,
        notes=notes,
    )


def _addresses(frame: pd.DataFrame, columns: list[str], errors: pd.Series | None) -> pd.Series:
    """One search text per row: 'Damrak 1, 1012LG, Amsterdam' (postcode/plaats if given)."""
    parts = frame[columns].astype("string").fillna("")
    text = parts.apply(lambda row: ", ".join(v for v in row if v.strip()), axis=1)
    text = text.astype("string").str.strip()
    empty = parts[columns[0]].str.strip() == ""
    if errors is not None:
        for i in frame.index[empty]:
            errors[i] = "adres ontbreekt"
    return text.mask(empty)


# ------------------------------------------------------------------ aggregation
def _mode(labels: pd.Series) -> object:
    counts = labels.dropna().value_counts()
    if counts.empty:
        return pd.NA
    top = counts[counts == counts.max()].index
    return sorted(map(str, top))[0]  # ties: alphabetical, so the result is reproducible


def _assign_buurt(
    own: OwnData, buurten: gpd.GeoDataFrame, mapping: pd.DataFrame | None
) -> pd.DataFrame:
    """Own rows with the buurt they fall in (``region_code``) and a ``weight``."""
    frame = own.frame.copy()
    if own.key_type == "buurt":
        return frame.assign(region_code=frame["key"], weight=1.0)
    if own.key_type == "punt":
        polys = buurten[["region_code", "geometry"]].to_crs(STORE_CRS)
        pts = gpd.GeoDataFrame(frame[[]], geometry=own.points.geometry.to_numpy(), crs=STORE_CRS)
        joined = gpd.sjoin(pts, polys, how="left", predicate="within")
        joined = joined[~joined.index.duplicated()]  # a point on a shared edge: first buurt
        return frame.assign(region_code=joined["region_code"].to_numpy(), weight=1.0)
    return _via_mapping(own, frame, mapping)


def _via_mapping(own: OwnData, frame: pd.DataFrame, mapping: pd.DataFrame | None) -> pd.DataFrame:
    kind = own.key_type
    if mapping is None:
        raise InputFileError(
            own.path,
            f"de sleutel is {kind}; om naar buurten te gaan is een koppeltabel "
            f"{kind} → buurtcode nodig",
            fix="Geef mapping= een tabel met kolommen 'postcode' (of 'pc6'/'pc4') en 'buurtcode' "
            "(bijv. CBS 'Buurt, wijk en gemeente bij postcode-huisnummer'), en bij pc4 "
            "liefst een kolom 'gewicht' (aandeel van de pc4 in de buurt).",
        )
    pc = _find(mapping, _PC_NAMES)
    bu = _find(mapping, _BUURT_NAMES | {"region code"})
    if pc is None or bu is None:
        raise ParameterError(
            "mapping",
            list(mapping.columns),
            "kolommen postcode/buurtcode ontbreken",
            fix="Noem de kolommen 'postcode' en 'buurtcode'.",
        )
    weight_col = _find(mapping, {"gewicht", "weight", "aandeel"})
    link = pd.DataFrame(
        {
            "key": mapping[pc].astype("string").str.upper().str.replace(" ", "", regex=False),
            "region_code": mapping[bu].astype("string").str.strip().str.upper(),
            "weight": pd.to_numeric(mapping[weight_col], errors="coerce") if weight_col else 1.0,
        }
    )
    if weight_col is None and link["key"].duplicated().any():
        dup = link.loc[link["key"].duplicated(), "key"].head(5).tolist()
        raise ParameterError(
            "mapping",
            dup,
            "postcode(s) horen bij meerdere buurten",
            fix="Voeg een kolom 'gewicht' toe (aandeel per buurt, samen 1).",
        )
    merged = frame.merge(link, on="key", how="left")
    return merged


def buurt_values_from_own_data(
    own: OwnData,
    buurten: gpd.GeoDataFrame | pd.DataFrame,
    *,
    mapping: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Per buurt in ``buurten``: sums of numeric columns, most frequent label, row count.

    Buurten without any record get ``n_rijen = 0`` and empty values (not 0: the
    organisation may simply not work there). Records outside every buurt are reported
    in ``own.notes``.
    """
    if own.edition is not None and "edition" in buurten:
        editions = set(int(e) for e in buurten["edition"].unique())
        if editions and own.edition not in editions:
            raise ParameterError(
                "edition",
                own.edition,
                f"de buurtcodes horen bij indeling {own.edition}, "
                f"de buurten bij {sorted(editions)}",
                fix="Gebruik buurten van dezelfde indeling of vertaal eerst de codes.",
            )
    assigned = _assign_buurt(own, buurten, mapping)
    known = assigned["region_code"].isin(set(buurten["region_code"]))
    if (~known).any():
        outside = assigned.loc[~known].index
        own.notes.append(
            f"{int((~known).sum())} rij(en) vallen buiten de opgegeven buurten "
            f"(rij {', '.join(map(str, _rows(outside)[:10]))})"
        )
    assigned = assigned.loc[known]
    result = pd.DataFrame({"region_code": buurten["region_code"].astype(str).to_numpy()})
    grouped = assigned.groupby("region_code")
    for column in own.numeric:
        weighted = assigned[column] * assigned["weight"]
        sums = weighted.groupby(assigned["region_code"]).sum(min_count=1)
        result[column] = result["region_code"].map(sums)
    for column in own.labels:
        top = (
            assigned.sort_values("weight", ascending=False)
            .groupby("region_code")[column]
            .agg(_mode)
        )
        result[column] = result["region_code"].map(top).astype("string")
    counts = grouped.size()
    result["n_rijen"] = result["region_code"].map(counts).fillna(0).astype(int)
    return result


# ------------------------------------------------------------------ manifest import
def _slug(text: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", normalise_title(text)).strip("_") or "kolom"


def read_for_store(path: Path, *, year: int | None = None) -> SourceTable:
    """``bron = "eigen_data"`` in veerkracht.toml: buurt/pc4/pc6 values into the store."""
    path = Path(path)
    own = own_data_from_file(path, organisation=_slug(path.stem)[:60], edition=year)
    if own.key_type == "punt":
        raise InputFileError(
            path,
            "punten kunnen niet rechtstreeks in de store: ze moeten eerst naar buurten",
            fix="Zet het bestand op de kaart met 'veerkracht kaart GEMEENTE --eigen-data "
            f"{path.name}' of in de web-app via 'Eigen data toevoegen', of lever het per "
            "buurtcode aan.",
        )
    if year is None:
        raise InputFileError(
            path,
            "het jaar van de gegevens (en de buurtindeling) ontbreekt",
            fix=f'Zet in veerkracht.toml: [bestanden."{path.name}"] '
            'bron = "eigen_data" en jaar = 2024',
        )
    prefix = f"eigen.{own.organisation}"
    variables = [Variable(f"{prefix}.{_slug(c)}", c, "", "aantal") for c in own.numeric]
    sums = own.frame.groupby("key")[own.numeric].sum(min_count=1)
    long = sums.reset_index().melt(id_vars="key", var_name="column", value_name="value")
    long = long.dropna(subset=["value"])
    values = pd.DataFrame(
        {
            "region_code": long["key"].astype("string"),
            "level": own.key_type,
            "edition": np.int32(year),
            "period": np.int32(year),
            "variable": [f"{prefix}.{_slug(c)}" for c in long["column"]],
            "value": long["value"].astype("float64"),
            "status": STATUS_OK,
        }
    )[VALUE_COLUMNS]
    notes = list(own.notes)
    if own.labels:
        notes.append(f"labelkolommen niet in de store (alleen getallen): {', '.join(own.labels)}")
    return SourceTable(dataset=INFO, path=path, values=values, variables=variables, notes=notes)


def _never(_sample: FileSample) -> bool:
    # An organisation's file can look like anything: only by name in veerkracht.toml.
    return False


#: this module's readers, most specific first (listed in ``sources.registry``)
READERS = (
    Reader(
        "eigen_data",
        INFO,
        _never,
        read_for_store,
        'Eigen data van een organisatie (alleen via veerkracht.toml: bron = "eigen_data")',
    ),
)

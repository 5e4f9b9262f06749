"""Leefbaarometer (Ministerie van BZK): 2.0 (PC4 and wijk/gemeente) and 3.0 downloads.

Leefbaarometer 2.0 (meting 2016/2018):
  * ``PC4LBR.csv``: ``CODE`` (PC4), ``KLyy`` class 1-9 per year, ``VKLaabb`` development
    class 1-7 between two years.
  * ``PC4DIMENSIE.csv``: ``GBD`` (PC4), ``RLBRMTRyy`` total score and the dimensions
    ``RLBWON/BEV/VRZ/VEI/FYSyy`` (deviation from the national mean).
  * wijk/gemeente JSON ``{"WK000300": {"KL02": "6", ..., "VKL1416": "4"}}`` (values are
    strings; converted from the official xlsx).
Leefbaarometer 3.0: the official CSV "Leefbaarometer-scores buurten|wijken|gemeenten|grid
2002-20xx.csv" with ``bu_code``/``wk_code``/``gm_code``/``grid_id``, ``jaar``, ``lbm``,
``afw``, ``fys``, ``onv``, ``soc``, ``vrz``, ``won`` (optionally a class column ``kl``).

Editions. A Leefbaarometer meting recomputes every year on one region set, so all
periods of a file share one edition: the meting year, taken as the latest year in the
file. For CBS wijk/buurt/gemeente codes that is the CBS indeling of that year (LBM 3.0
meting 2022 -> indeling 2022; LBM 2.0 wijk JSON meting 2016 -> indeling 2016). PC4 and
the 100 m grid have no CBS edition; the meting year stands in for it.

Development classes ``VKLaabb`` are stored as ``lbm2.ontwikkeling_vanaf_20aa`` with
period ``20bb``: one series per baseline year, each value at the year it reaches.

The LBM 3.0 nine-class label is not derived from the score: the official class bounds
are not in any file here, and guessing them would put buurten in the wrong class.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd

from veerkracht.codes import clean_codes, gemeente_of, levels_of
from veerkracht.errors import InputFileError, MissingColumnsError
from veerkracht.sources._tabular import numeric_frame, read_delimited
from veerkracht.sources.base import (
    STATUS_EMPTY,
    DatasetInfo,
    FileSample,
    Reader,
    SourceTable,
    Variable,
)

PUBLISHER = "Ministerie van BZK / Leefbaarometer"
LICENCE = "vrij hergebruik, bron: Leefbaarometer, Ministerie van BZK"
URL = "https://www.leefbaarometer.nl"


def dataset(version: int, meting: int | None = None) -> DatasetInfo:
    title = f"Leefbaarometer {version}.0" + (f", meting {meting}" if meting else "")
    return DatasetInfo(
        key=f"leefbaarometer_{version}", publisher=PUBLISHER, title=title, licence=LICENCE, url=URL
    )


# --- variables ---------------------------------------------------------------------------

LBM2_CLASS = Variable(
    "lbm2.klasse", "Leefbaarometer 2.0 klasse (1 = zeer onvoldoende … 9 = uitstekend)",
    "klasse", "klasse",
)
LBM2_SCORES = {
    "RMTR": Variable("lbm2.totaal", "Leefbaarometer 2.0 totaalscore (t.o.v. landelijk gemiddelde)",
                     "score", "score"),
    "WON": Variable("lbm2.won", "Leefbaarometer 2.0 dimensie woningen", "score", "score"),
    "BEV": Variable("lbm2.bev", "Leefbaarometer 2.0 dimensie bewoners", "score", "score"),
    "VRZ": Variable("lbm2.vrz", "Leefbaarometer 2.0 dimensie voorzieningen", "score", "score"),
    "VEI": Variable("lbm2.vei", "Leefbaarometer 2.0 dimensie veiligheid", "score", "score"),
    "FYS": Variable("lbm2.fys", "Leefbaarometer 2.0 dimensie fysieke omgeving", "score", "score"),
}
LBM3 = {
    "lbm": Variable("lbm3.lbm", "Leefbaarometer 3.0 score", "score", "score"),
    "afw": Variable("lbm3.afw", "Leefbaarometer 3.0 afwijking van de referentie", "score", "score"),
    "fys": Variable("lbm3.fys", "Leefbaarometer 3.0 fysieke omgeving", "score", "score"),
    "onv": Variable("lbm3.onv", "Leefbaarometer 3.0 overlast en onveiligheid", "score", "score"),
    "soc": Variable("lbm3.soc", "Leefbaarometer 3.0 sociale samenhang", "score", "score"),
    "vrz": Variable("lbm3.vrz", "Leefbaarometer 3.0 voorzieningen", "score", "score"),
    "won": Variable("lbm3.won", "Leefbaarometer 3.0 woningvoorraad", "score", "score"),
}
LBM3_CLASS = Variable(
    "lbm3.klasse", "Leefbaarometer 3.0 klasse (1 = zeer onvoldoende … 9 = uitstekend)",
    "klasse", "klasse",
)
LBM3_CLASS_COLUMNS = {"kl", "klasse", "lbm_kl", "kl_lbm", "lbm_klasse"}
LBM3_CODE_COLUMNS = {
    "bu_code": "buurt", "wk_code": "wijk", "gm_code": "gemeente", "grid_id": "grid",
}


def development(start: int) -> Variable:
    return Variable(
        f"lbm2.ontwikkeling_vanaf_{start}",
        f"Leefbaarometer 2.0 ontwikkeling sinds {start} (1 = grote achteruitgang … "
        "7 = grote vooruitgang)",
        "klasse",
        "klasse",
    )


def _year(yy: str) -> int:
    return 2000 + int(yy)


# --- shared: wide columns -> long values -----------------------------------------------


def _long(
    codes: pd.Series, levels: pd.Series, frame: pd.DataFrame, mapping: dict[str, tuple[str, int]],
    edition: int,
) -> pd.DataFrame:
    """Columns of ``frame`` mapped to (variable key, period) -> store long format."""
    values, statuses = numeric_frame(frame[list(mapping)])
    parts = []
    for column, (key, period) in mapping.items():
        part = pd.DataFrame(
            {
                "region_code": codes.to_numpy(),
                "level": levels.to_numpy(),
                "edition": np.int32(edition),
                "period": np.int32(period),
                "variable": key,
                "value": values[column].to_numpy(),
                "status": statuses[column].to_numpy(),
            }
        )
        parts.append(part[part["status"] != STATUS_EMPTY])
    long = pd.concat(parts, ignore_index=True)
    for col in ("region_code", "level", "variable", "status"):
        long[col] = long[col].astype("string")
    return long


def _pc4_codes(column: pd.Series, path: Path, name: str) -> pd.Series:
    codes = column.astype("string").str.strip().str.replace(r"\.0$", "", regex=True)
    bad = ~codes.str.fullmatch(r"[1-9]\d{3}").fillna(False)
    if bad.any():
        rows = [int(i) + 2 for i in codes.index[bad][:10]]
        raise InputFileError(
            path, f"geen geldige postcode (PC4): {codes[bad].iloc[0]!r}", column=name, rows=rows,
            fix="Een PC4 bestaat uit vier cijfers, bijvoorbeeld 1011.",
        )
    return codes


# --- Leefbaarometer 2.0, PC4 -------------------------------------------------------------

_KL = re.compile(r"^KL(\d\d)$")
_VKL = re.compile(r"^VKL(\d\d)(\d\d)$")
_RLB = re.compile(r"^RLB(RMTR|WON|BEV|VRZ|VEI|FYS)(\d\d)$")


def _class_mapping(columns: list[str]) -> tuple[dict[str, tuple[str, int]], list[Variable]]:
    mapping, variables = {}, {}
    for column in columns:
        if m := _KL.match(column):
            mapping[column] = (LBM2_CLASS.key, _year(m[1]))
            variables[LBM2_CLASS.key] = LBM2_CLASS
        elif m := _VKL.match(column):
            var = development(_year(m[1]))
            mapping[column] = (var.key, _year(m[2]))
            variables[var.key] = var
    return mapping, list(variables.values())


def _sniff_pc4_classes(sample: FileSample) -> bool:
    header = sample.header if sample.suffix in {".csv", ".txt"} else []
    return bool(header) and header[0].upper() == "CODE" and any(_KL.match(c) for c in header)


def _sniff_pc4_dimensions(sample: FileSample) -> bool:
    header = sample.header if sample.suffix in {".csv", ".txt"} else []
    return bool(header) and header[0].upper() == "GBD" and any(_RLB.match(c) for c in header)


def _pc4_table(
    path: Path, frame: pd.DataFrame, mapping: dict, variables: list[Variable]
) -> SourceTable:
    code_col = frame.columns[0]
    codes = _pc4_codes(frame[code_col], path, code_col)
    edition = max(period for _key, period in mapping.values())
    levels = pd.Series("pc4", index=codes.index)
    long = _long(codes, levels, frame, mapping, edition)
    return SourceTable(
        dataset=dataset(2, edition),
        path=path,
        values=long,
        variables=variables,
        notes=[f"PC4 heeft geen CBS-indeling; als indeling staat het meetjaar {edition}"],
    )


def read_pc4_classes(path: Path, *, year: int | None = None) -> SourceTable:
    frame = read_delimited(path)
    mapping, variables = _class_mapping(list(frame.columns))
    if not mapping:
        raise MissingColumnsError(path, ["KLjj"], expected="CODE, KL02, KL08, …, VKL0208, …")
    return _pc4_table(path, frame, mapping, variables)


def read_pc4_dimensions(path: Path, *, year: int | None = None) -> SourceTable:
    frame = read_delimited(path)
    mapping, variables = {}, {}
    for column in frame.columns:
        if m := _RLB.match(column):
            var = LBM2_SCORES[m[1]]
            mapping[column] = (var.key, _year(m[2]))
            variables[var.key] = var
    if not mapping:
        raise MissingColumnsError(path, ["RLBRMTRjj"], expected="GBD, RLBRMTR12, RLBWON12, …")
    return _pc4_table(path, frame, mapping, list(variables.values()))


# --- Leefbaarometer 2.0, wijk/gemeente JSON ---------------------------------------------

_JSON_ENTRY = re.compile(r'^\s*\{\s*"(GM|WK|BU)\d{4,8}"\s*:\s*\{\s*"V?KL\d{2}', re.S)


def _sniff_json(sample: FileSample) -> bool:
    return sample.suffix == ".json" and bool(_JSON_ENTRY.match(sample.head_text))


def read_json(path: Path, *, year: int | None = None) -> SourceTable:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputFileError(path, f"geen geldige JSON: {exc}") from exc
    if not isinstance(data, dict) or not data:
        raise InputFileError(path, "verwacht een object {regiocode: {KL02: …}}")
    frame = pd.DataFrame.from_dict(data, orient="index").astype("string")
    mapping, variables = _class_mapping(list(frame.columns))
    if not mapping:
        raise MissingColumnsError(path, ["KLjj"], expected="sleutels KL02, KL08, …, VKL0208, …")
    codes = clean_codes(pd.Series(frame.index, index=frame.index))
    known = levels_of(codes).notna()
    frame, codes = frame.loc[known], codes.loc[known]
    edition = max(period for _key, period in mapping.values())
    long = _long(codes, levels_of(codes), frame, mapping, edition)
    return SourceTable(
        dataset=dataset(2, edition),
        path=path,
        values=long,
        variables=variables,
        regions=_regions(codes, None, edition),
        notes=[f"indeling {edition} (meetjaar) voor alle jaren"],
    )


def _regions(codes: pd.Series, names: pd.Series | None, edition: int) -> pd.DataFrame:
    levels = levels_of(codes)
    if names is None:
        names = pd.Series(pd.NA, index=codes.index, dtype="string")
    return pd.DataFrame(
        {
            "region_code": codes.to_numpy(),
            "level": levels.to_numpy(),
            "edition": edition,
            "name": names.to_numpy(),
            "gemeente_code": gemeente_of(codes).to_numpy(),
        }
    ).drop_duplicates("region_code").reset_index(drop=True)


# --- Leefbaarometer 3.0 CSV ----------------------------------------------------------------


def _lbm3_columns(columns: list[str]) -> dict[str, str]:
    """Lower-cased known name -> actual column."""
    return {c.strip().lower(): c for c in columns}


def _sniff_lbm3(sample: FileSample) -> bool:
    if sample.suffix not in {".csv", ".txt"}:
        return False
    cols = _lbm3_columns(sample.header)
    scores = {"lbm", "afw"} & set(cols)  # the WFS has no total score 'lbm', only 'afw'
    return bool(set(cols) & set(LBM3_CODE_COLUMNS)) and "jaar" in cols and bool(scores)


def read_lbm3(path: Path, *, year: int | None = None) -> SourceTable:
    frame = read_delimited(path)
    cols = _lbm3_columns(list(frame.columns))
    code_key = next((k for k in LBM3_CODE_COLUMNS if k in cols), None)
    absent = [c for c in ("jaar",) if c not in cols] + ([] if code_key else ["bu_code"])
    if "lbm" not in cols and "afw" not in cols:
        absent.append("lbm")
    if absent:
        raise MissingColumnsError(
            path, absent, expected="bu_code/wk_code/gm_code/grid_id, jaar, lbm, afw, fys, onv, "
            "soc, vrz, won",
        )
    years = pd.to_numeric(frame[cols["jaar"]].str.strip(), errors="coerce")
    if years.isna().any():
        rows = [int(i) + 2 for i in years.index[years.isna()][:10]]
        raise InputFileError(path, "jaar is geen getal", column=cols["jaar"], rows=rows)
    years = years.astype(int)
    edition = int(years.max())
    level = LBM3_CODE_COLUMNS[code_key]
    raw_codes = frame[cols[code_key]].astype("string").str.strip()
    if level == "grid":
        codes = raw_codes.str.replace(r"\.0$", "", regex=True)  # grid id as published
        levels = pd.Series("grid", index=codes.index, dtype="string")
    else:
        codes = clean_codes(raw_codes)
        levels = levels_of(codes)
        bad = levels.isna()
        if bad.any():
            rows = [int(i) + 2 for i in codes.index[bad][:10]]
            raise InputFileError(path, f"ongeldige regiocode {codes[bad].iloc[0]!r}",
                                 column=cols[code_key], rows=rows)
    variables = {k: v for k, v in LBM3.items() if k in cols}
    class_col = next((cols[c] for c in LBM3_CLASS_COLUMNS if c in cols), None)
    parts = []
    for period, index in frame.groupby(years).groups.items():
        mapping = {cols[k]: (v.key, int(period)) for k, v in variables.items()}
        if class_col:
            mapping[class_col] = (LBM3_CLASS.key, int(period))
        parts.append(_long(codes.loc[index], levels.loc[index], frame.loc[index], mapping, edition))
    out_vars = list(variables.values()) + ([LBM3_CLASS] if class_col else [])
    name_key = code_key.replace("_code", "_naam")
    regions = None
    if level != "grid":
        names = frame[cols[name_key]].astype("string").str.strip() if name_key in cols else None
        regions = _regions(codes, names, edition)
    used = {cols[code_key], cols["jaar"], *(cols[k] for k in variables), class_col,
            cols.get(name_key)}
    unused = [c for c in frame.columns if c not in used]
    notes = [f"indeling {edition} (meetjaar) voor alle jaren"]
    missing = {}
    if "lbm" not in cols:  # Leefbaarometer WFS: z-scores and class, no total score
        missing = {int(p): [LBM3["lbm"].key] for p in sorted(years.unique())}
        notes.append("geen totaalscore 'lbm' in het bestand (WFS): lbm3.lbm ontbreekt; "
                     "afwijking (afw), dimensies en klasse wel")
    if unused:
        notes.append(f"kolommen niet gebruikt: {', '.join(unused)}")
    return SourceTable(
        dataset=dataset(3, edition),
        path=path,
        values=pd.concat(parts, ignore_index=True),
        variables=out_vars,
        regions=regions,
        missing=missing,
        notes=notes,
    )


#: this module's readers, most specific first (listed in ``sources.registry``)
READERS = (
    Reader("lbm2_pc4_klassen", dataset(2), _sniff_pc4_classes, read_pc4_classes,
           "Leefbaarometer 2.0 PC4LBR.csv (klassen per PC4)"),
    Reader("lbm2_pc4_dimensies", dataset(2), _sniff_pc4_dimensions, read_pc4_dimensions,
           "Leefbaarometer 2.0 PC4DIMENSIE.csv (scores per PC4)"),
    Reader("lbm2_json", dataset(2), _sniff_json, read_json,
           "Leefbaarometer 2.0 klassen per wijk/gemeente (JSON)"),
    Reader("lbm3_csv", dataset(3), _sniff_lbm3, read_lbm3,
           "Leefbaarometer 3.0 scores buurten/wijken/gemeenten/grid (CSV)"),
)

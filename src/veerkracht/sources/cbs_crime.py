"""Geregistreerde misdrijven per wijk en buurt (CBS/Politie 47022NED per maand, 47018NED per jaar).

Reads the StatLine CSV export (``Soort misdrijf``, ``Wijken en buurten`` plus a code
column, ``Perioden`` as ``2021MM01`` / ``2020JJ00`` / ``2021 januari`` / ``2020``,
``Geregistreerde misdrijven (aantal)``) and the OData v3 TypedDataSet JSON
(``SoortMisdrijf``, ``WijkenEnBuurten``, ``Perioden``, ``GeregistreerdeMisdrijven_1``).

Months are summed to calendar years; a year is stored only when the file has all 12
months (or a yearly row), otherwise it is named in the notes. In a month sum, ``.``
in any month makes the year "geheim"; empty months count as 0 unless all are empty.
Crime codes are grouped into veerkracht variables by ``cbs_crime.toml``.

Boundary edition: the police tables use the wijk/buurt indeling of the registration
year, so edition = period.
"""

from __future__ import annotations

import re
import tomllib
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from veerkracht.codes import clean_codes, levels_of
from veerkracht.errors import InputFileError, MissingColumnsError
from veerkracht.sources import _odata
from veerkracht.sources._columns import ColumnSpec, resolve
from veerkracht.sources._tabular import parse_numbers, read_delimited
from veerkracht.sources.base import (
    STATUS_EMPTY,
    STATUS_OK,
    STATUS_SUPPRESSED,
    DatasetInfo,
    FileSample,
    Reader,
    SourceTable,
    Variable,
)

SPEC_PATH = Path(__file__).with_name("cbs_crime.toml")
PREFIX = "misdrijven"
MONTHS = {
    name: i + 1
    for i, names in enumerate(
        ["januari jan", "februari feb", "maart mrt maa", "april apr", "mei", "juni jun",
         "juli jul", "augustus aug", "september sep", "oktober okt", "november nov",
         "december dec"]
    )
    for name in names.split()
}

ID_COLUMNS = (
    ColumnSpec("crime_type", aliases=("soort misdrijf",), odata=("SoortMisdrijf",)),
    ColumnSpec("code", aliases=("regiocode", "codering"), odata=("Codering",),
               titles=(r"^regiocode", r"codering( code)?$")),
    ColumnSpec("region", aliases=("wijken en buurten",), odata=("WijkenEnBuurten",)),
    ColumnSpec("period", aliases=("perioden",), odata=("Perioden",)),
    ColumnSpec("count", odata=("GeregistreerdeMisdrijven",),
               titles=(r"^geregistreerde misdrijven( aantal)?$",)),
)


@cache
def load_categories() -> dict[str, tuple[str, tuple[str, ...]]]:
    data = tomllib.loads(SPEC_PATH.read_text(encoding="utf-8"))
    return {k: (v["label"], tuple(v["codes"])) for k, v in data["categorie"].items()}


@cache
def _tables() -> dict[str, str]:
    return tomllib.loads(SPEC_PATH.read_text(encoding="utf-8"))["tables"]


def dataset(monthly: bool | None = None) -> DatasetInfo:
    table = "" if monthly is None else _tables()["maand" if monthly else "jaar"]
    return DatasetInfo(
        key="cbs_misdrijven",
        publisher="CBS/Politie",
        title="Geregistreerde misdrijven; soort misdrijf, wijk en buurt",
        dataset_id=table,
        licence="CC BY 4.0",
        url=f"https://dataderden.cbs.nl/ODataApi/odata/{table}" if table else "",
    )


def variables() -> list[Variable]:
    return [
        Variable(f"{PREFIX}.{key}", label, "aantal", "aantal")
        for key, (label, _codes) in load_categories().items()
    ]


def _sniff_csv(sample: FileSample) -> bool:
    if sample.suffix not in {".csv", ".txt"}:
        return False
    found = resolve(sample.header, ID_COLUMNS)
    return {"crime_type", "count"} <= set(found)


def _sniff_json(sample: FileSample) -> bool:
    text = sample.head_text
    return (
        sample.suffix == ".json"
        and _odata.looks_like_odata(text)
        and _odata.table_id_in(text, set(_tables().values()))
    )


def crime_code(label: str) -> str | None:
    """``'1.1.1 Diefstal/inbraak woning'`` -> ``'1.1.1'``; the total -> ``'0.0.0'``."""
    text = str(label).strip()
    if m := re.match(r"^(\d+\.\d+\.\d+)", text):
        return m[1]
    if text.lower().startswith("totaal"):
        return "0.0.0"
    return None


def parse_period(text: str) -> tuple[int, str, int] | None:
    """(year, granularity 'JJ'/'KW'/'MM', number) from any StatLine period notation."""
    t = str(text).strip().rstrip("*").strip().lower()
    if m := re.fullmatch(r"(\d{4})(jj|kw|mm)(\d\d)", t):
        return int(m[1]), m[2].upper(), int(m[3])
    if m := re.fullmatch(r"(\d{4})", t):
        return int(m[1]), "JJ", 0
    if m := re.fullmatch(r"(\d{4})\s+(\d)e\s+kwartaal", t):
        return int(m[1]), "KW", int(m[2])
    if (m := re.fullmatch(r"(\d{4})\s+([a-z]+)\.?", t)) and m[2] in MONTHS:
        return int(m[1]), "MM", MONTHS[m[2]]
    return None


def frame_to_table(frame: pd.DataFrame, path: Path) -> SourceTable:
    ids = resolve(list(frame.columns), ID_COLUMNS)
    absent = [n for n in ("crime_type", "period", "count") if n not in ids]
    if absent:
        names = {"crime_type": "Soort misdrijf", "period": "Perioden",
                 "count": "Geregistreerde misdrijven (aantal)"}
        raise MissingColumnsError(
            path, [names[a] for a in absent],
            expected="Soort misdrijf, Wijken en buurten/Regiocode, Perioden, "
            "Geregistreerde misdrijven (aantal)",
        )
    codes = _region_codes(frame, ids, path)
    crime_types = frame[ids["crime_type"]].map(crime_code)
    periods = frame[ids["period"]].map(parse_period)
    bad = periods.isna()
    if bad.any():
        rows = [int(i) + 2 for i in frame.index[bad][:10]]
        raise InputFileError(
            path, f"periode niet te lezen: {frame[ids['period']][bad].iloc[0]!r}",
            column=ids["period"], rows=rows,
            fix="Verwacht bijvoorbeeld 2021MM01, 2020JJ00, '2021 januari' of 2020.",
        )
    values, statuses = parse_numbers(frame[ids["count"]])
    rows = pd.DataFrame(
        {
            "region_code": codes,
            "crime_type": crime_types,
            "year": [p[0] for p in periods],
            "gran": [p[1] for p in periods],
            "n": [p[2] for p in periods],
            "value": values,
            "status": statuses,
        }
    ).dropna(subset=["crime_type"])
    notes: list[str] = []
    rows = _complete_years(rows, notes)
    yearly = _sum_groups(rows, ["region_code", "crime_type", "year"])
    long, missing = _categories(yearly)
    if frame[ids["period"]].astype("string").str.strip().str.endswith("*").any():
        notes.append("bevat voorlopige cijfers (*)")
    monthly = bool((rows["gran"] == "MM").any()) if not rows.empty else None
    present = set(long["variable"])
    return SourceTable(
        dataset=dataset(monthly),
        path=path,
        values=long,
        variables=[v for v in variables() if v.key in present],
        missing=missing,
        notes=notes,
    )


def _region_codes(frame: pd.DataFrame, ids: dict[str, str], path: Path) -> pd.Series:
    for key in ("code", "region"):
        if key in ids:
            codes = clean_codes(frame[ids[key]])
            if levels_of(codes).notna().mean() > 0.5:
                return codes.where(levels_of(codes).notna())
    raise InputFileError(
        path,
        "geen kolom met regiocodes (BU…/WK…/GM…) gevonden; alleen namen zijn niet eenduidig",
        fix="Kies bij het downloaden ook de regiocode ('Codering'), of gebruik de OData-JSON.",
    )


def _complete_years(rows: pd.DataFrame, notes: list[str]) -> pd.DataFrame:
    """Keep, per year, the finest complete granularity: a yearly row, 12 months or 4 quarters."""
    keep = []
    for year, group in rows.groupby("year"):
        grans = {g: set(group.loc[group["gran"] == g, "n"]) for g in ("JJ", "MM", "KW")}
        if grans["JJ"]:
            keep.append(group[group["gran"] == "JJ"])
        elif len(grans["MM"]) == 12:
            keep.append(group[group["gran"] == "MM"])
        elif len(grans["KW"]) == 4:
            keep.append(group[group["gran"] == "KW"])
        else:
            n = len(grans["MM"])
            notes.append(f"{year}: onvolledig jaar ({n} maanden), niet opgeslagen")
    return pd.concat(keep, ignore_index=True) if keep else rows.iloc[0:0]


def _sum_groups(rows: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Sum counts; any '.' makes the sum 'geheim', all-empty stays empty."""
    rows = rows.assign(
        _secret=rows["status"] == STATUS_SUPPRESSED,
        _ok=rows["status"] == STATUS_OK,
        _v=rows["value"].where(rows["status"] == STATUS_OK, 0.0),
    )
    out = rows.groupby(by, dropna=True).agg(
        value=("_v", "sum"), secret=("_secret", "any"), ok=("_ok", "any")
    ).reset_index()
    out["status"] = np.where(out["secret"], STATUS_SUPPRESSED, np.where(out["ok"], STATUS_OK,
                                                                        STATUS_EMPTY))
    out["value"] = out["value"].where(out["status"] == STATUS_OK)
    return out.drop(columns=["secret", "ok"])


def _categories(yearly: pd.DataFrame) -> tuple[pd.DataFrame, dict[int, list[str]]]:
    parts, missing = [], {}
    for year, group in yearly.groupby("year"):
        in_file = set(group["crime_type"])
        for key, (_label, codes) in load_categories().items():
            if not set(codes) <= in_file:
                missing.setdefault(int(year), []).append(f"{PREFIX}.{key}")
                continue
            summed = _sum_groups(group[group["crime_type"].isin(codes)], ["region_code", "year"])
            parts.append(summed.assign(variable=f"{PREFIX}.{key}"))
    if not parts:
        long = pd.DataFrame(columns=["region_code", "year", "value", "status", "variable"])
    else:
        long = pd.concat(parts, ignore_index=True)
    long = long[long["status"] != STATUS_EMPTY]
    codes = long["region_code"].astype("string")
    out = pd.DataFrame(
        {
            "region_code": codes,
            "level": levels_of(codes),
            "edition": long["year"].astype("int32"),
            "period": long["year"].astype("int32"),
            "variable": long["variable"].astype("string"),
            "value": long["value"].astype("float64"),
            "status": long["status"].astype("string"),
        }
    ).reset_index(drop=True)
    return out, missing


def read_csv(path: Path, *, year: int | None = None) -> SourceTable:
    return frame_to_table(read_delimited(path), path)


def read_odata_json(path: Path, *, year: int | None = None) -> SourceTable:
    frame, _table_id = _odata.frame_from_file(path)
    return frame_to_table(frame, path)


#: this module's readers, most specific first (listed in ``sources.registry``)
READERS = (
    Reader("cbs_misdrijven_csv", dataset(), _sniff_csv, read_csv,
           "Geregistreerde misdrijven per wijk/buurt (StatLine-CSV)"),
    Reader("cbs_misdrijven_odata", dataset(), _sniff_json, read_odata_json,
           "Geregistreerde misdrijven per wijk/buurt (OData-JSON)"),
)

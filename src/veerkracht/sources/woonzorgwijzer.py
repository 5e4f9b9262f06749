"""WoonZorgwijzer export (RIGO/Vilans): shares of residents per care group per buurt or PC6.

Not open data: a user with access exports it as CSV or xlsx. Expected columns (names
matched case- and accent-insensitively, with or without "aandeel"/"percentage"):

* region: ``buurtcode`` (``BU03630000``; also ``bu_code``) or ``pc6`` (``1011AB``;
  also ``postcode``);
* ``jaar`` (or give the year in ``veerkracht.toml``); optional ``indeling`` = the CBS
  boundary edition of the buurtcodes (default: ``jaar``);
* one column per care group, in % (``3,2``, ``3.2`` or ``3,2%``) or as a fraction
  (``0.032``; recognised when no value in the group columns exceeds 1):
  psychiatrisch, lvb, dementie, somatisch, lichamelijk, zintuiglijk, verslaving.

Values are shares of residents modelled by the WoonZorgwijzer; the file has no resident
count, so they are stored as kind "score" (weighted mean when regions merge).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from veerkracht.codes import clean_codes, gemeente_of
from veerkracht.errors import InputFileError, MissingColumnsError
from veerkracht.sources._tabular import (
    normalise_title,
    parse_numbers,
    read_delimited,
)
from veerkracht.sources.base import (
    STATUS_EMPTY,
    STATUS_OK,
    DatasetInfo,
    FileSample,
    Reader,
    SourceTable,
    Variable,
    register,
)

PREFIX = "wzw"
DATASET = DatasetInfo(
    key="woonzorgwijzer",
    publisher="RIGO/Vilans (WoonZorgwijzer)",
    title="WoonZorgwijzer-export: aandeel bewoners per doelgroep",
    licence="niet open; gebruik volgens de voorwaarden van de WoonZorgwijzer",
    url="https://www.woonzorgwijzer.info",
)

#: key -> (Dutch label, accepted normalised column names)
GROUPS: dict[str, tuple[str, tuple[str, ...]]] = {
    "psychiatrisch": ("Psychiatrische problematiek", (
        "psychiatrisch", "psychiatrische problematiek", "psychische problematiek", "ggz")),
    "lvb": ("Licht verstandelijke beperking", ("lvb", "licht verstandelijke beperking")),
    "dementie": ("Dementie", ("dementie",)),
    "somatisch": ("Somatische problematiek", ("somatisch", "somatische problematiek")),
    "lichamelijk": ("Lichamelijke beperking", ("lichamelijk", "lichamelijke beperking")),
    "zintuiglijk": ("Zintuiglijke beperking", ("zintuiglijk", "zintuiglijke beperking")),
    "verslaving": ("Verslavingsproblematiek", ("verslaving", "verslavingsproblematiek")),
}
BUURT_NAMES = ("buurtcode", "bu code", "buurt code")
PC6_NAMES = ("pc6", "postcode", "postcode6")
YEAR_NAMES = ("jaar", "peiljaar")
EDITION_NAMES = ("indeling",)
EXPECTED = "buurtcode of pc6, jaar, en een kolom per doelgroep (" + ", ".join(GROUPS) + ")"

_PREFIX_WORDS = re.compile(r"^(aandeel|percentage|pct|perc)\s+|\s+(pct|perc|procent)$")


def _norm(column: str) -> str:
    return _PREFIX_WORDS.sub("", normalise_title(column)).strip()


def _find(columns: list[str]) -> dict[str, str]:
    """Role or group key -> actual column name."""
    found: dict[str, str] = {}
    for column in columns:
        n = _norm(column)
        for role, names in (("buurt", BUURT_NAMES), ("pc6", PC6_NAMES), ("jaar", YEAR_NAMES),
                            ("indeling", EDITION_NAMES)):
            if n in names:
                found.setdefault(role, column)
        for key, (_label, names) in GROUPS.items():
            if n in names:
                found.setdefault(key, column)
    return found


def _recognises(columns: list[str]) -> bool:
    found = _find(columns)
    return ("buurt" in found or "pc6" in found) and any(k in found for k in GROUPS)


def _sniff_csv(sample: FileSample) -> bool:
    if sample.suffix not in {".csv", ".txt"}:
        return False
    return _recognises(sample.header)


def _sniff_xlsx(sample: FileSample) -> bool:
    return bool(sample.xlsx_header) and _recognises(sample.xlsx_header)


def _rows(mask: pd.Series) -> list[int]:
    # +2: header line and 1-based numbering, as the user sees it in a spreadsheet
    return [int(i) + 2 for i in np.flatnonzero(mask.to_numpy())]


def _regions(frame: pd.DataFrame, found: dict[str, str], path: Path) -> tuple[pd.Series, str]:
    if "buurt" in found:
        codes = clean_codes(frame[found["buurt"]])
        bad = ~codes.str.fullmatch(r"BU\d{4}[0-9A-Z]{4}").fillna(False)
        level = "buurt"
        fix = "Een buurtcode heeft de vorm BU03630000."
    else:
        codes = frame[found["pc6"]].astype("string").str.replace(r"\s+", "", regex=True).str.upper()
        bad = ~codes.str.fullmatch(r"[1-9]\d{3}[A-Z]{2}").fillna(False)
        level = "pc6"
        fix = "Een pc6 heeft de vorm 1011AB."
    if bad.any():
        column = found["buurt" if level == "buurt" else "pc6"]
        raise InputFileError(
            path, f"ongeldige regiocode {codes[bad].iloc[0]!r}", column=column,
            rows=_rows(bad), fix=fix,
        )
    return codes, level


def _years(frame: pd.DataFrame, found: dict[str, str], role: str, path: Path) -> pd.Series:
    years = pd.to_numeric(frame[found[role]].astype("string").str.strip(), errors="coerce")
    bad = years.isna() | (years < 1990) | (years > 2100)
    if bad.any():
        raise InputFileError(
            path, f"ongeldig jaar {frame[found[role]][bad].iloc[0]!r}", column=found[role],
            rows=_rows(bad), fix="Een jaar heeft vier cijfers, bijvoorbeeld 2023.",
        )
    return years.astype(int)


def frame_to_table(frame: pd.DataFrame, path: Path, year: int | None = None) -> SourceTable:
    frame = frame.reset_index(drop=True)
    found = _find(list(frame.columns))
    groups = [k for k in GROUPS if k in found]
    absent = []
    if "buurt" not in found and "pc6" not in found:
        absent.append("buurtcode of pc6")
    if "jaar" not in found and year is None:
        absent.append("jaar")
    if not groups:
        absent.append("doelgroep (bijv. psychiatrisch, lvb, dementie, somatisch)")
    if absent:
        raise MissingColumnsError(path, absent, expected=EXPECTED)
    codes, level = _regions(frame, found, path)
    if "jaar" in found:
        periods = _years(frame, found, "jaar", path)
    else:
        periods = pd.Series(year, index=frame.index)
    editions = _years(frame, found, "indeling", path) if "indeling" in found else periods

    values, statuses = {}, {}
    for key in groups:
        text = frame[found[key]].astype("string").str.replace("%", "", regex=False)
        values[key], statuses[key] = parse_numbers(text)
    values = pd.DataFrame(values)
    notes = []
    if values.max().max() <= 1.0:
        values = values * 100  # the export gave fractions
        notes.append("aandelen als fractie (0–1) aangeleverd; omgerekend naar %")
    for key in groups:
        bad = (values[key] < 0) | (values[key] > 100)
        if bad.any():
            raise InputFileError(
                path, f"aandeel buiten 0–100 %: {frame[found[key]][bad].iloc[0]!r}",
                column=found[key], rows=_rows(bad),
                fix="Geef aandelen als percentage (0–100) of als fractie (0–1).",
            )
    parts = [
        pd.DataFrame({
            "region_code": codes, "level": level, "edition": editions.astype("int32"),
            "period": periods.astype("int32"), "variable": f"{PREFIX}.{key}",
            "value": values[key], "status": statuses[key],
        })
        for key in groups
    ]
    long = pd.concat(parts, ignore_index=True)
    long = long[long["status"] != STATUS_EMPTY].reset_index(drop=True)
    for col in ("region_code", "level", "variable", "status"):
        long[col] = long[col].astype("string")
    published = set(long.loc[long["status"] == STATUS_OK, "variable"])
    variables = [
        Variable(f"{PREFIX}.{k}", f"Aandeel bewoners: {GROUPS[k][0].lower()}", "%", "score")
        for k in groups if f"{PREFIX}.{k}" in published
    ]
    missing = [f"{PREFIX}.{k}" for k in GROUPS if f"{PREFIX}.{k}" not in published]
    regions = None
    if level == "buurt":
        regions = pd.DataFrame({
            "region_code": codes, "level": level, "edition": editions, "name": pd.NA,
            "gemeente_code": gemeente_of(codes),
        }).drop_duplicates(["region_code", "edition"]).reset_index(drop=True)
        regions["name"] = regions["name"].astype("string")
    return SourceTable(
        dataset=DATASET, path=path, values=long, variables=variables, regions=regions,
        missing={int(p): missing for p in sorted(periods.unique())} if missing else {},
        notes=notes,
    )


def read_csv(path: Path, *, year: int | None = None) -> SourceTable:
    return frame_to_table(read_delimited(path), path, year)


def read_xlsx(path: Path, *, year: int | None = None) -> SourceTable:
    frame = pd.read_excel(path, sheet_name=0, dtype=str, keep_default_na=False)
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame_to_table(frame, path, year)


register(Reader("woonzorgwijzer_csv", DATASET, _sniff_csv, read_csv, "WoonZorgwijzer (CSV)"))
register(Reader("woonzorgwijzer_xlsx", DATASET, _sniff_xlsx, read_xlsx, "WoonZorgwijzer (xlsx)"))

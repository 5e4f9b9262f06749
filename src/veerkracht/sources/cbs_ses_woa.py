"""CBS "Sociaal-economische status; scores per wijk en buurt" (SES-WOA, 85163NED).

Reads the StatLine CSV download (titles as headers, ``;``, BOM, numbers as strings
with leading spaces and a decimal point, padded codes, ``.`` = suppressed) and the
OData v3 JSON. Columns are found by normalised title or OData key prefix.

Boundary edition: the table publishes every year on one wijk/buurt indeling; we take
the latest period in the file as that edition (2019 for the 2019 download).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from veerkracht.codes import clean_codes, gemeente_of, levels_of
from veerkracht.errors import InputFileError, MissingColumnsError
from veerkracht.sources import _odata
from veerkracht.sources._columns import ColumnSpec, resolve
from veerkracht.sources._tabular import numeric_frame, read_delimited, to_long
from veerkracht.sources.base import (
    STATUS_OK,
    DatasetInfo,
    FileSample,
    Reader,
    SourceTable,
    Variable,
    register,
)

PREFIX = "seswoa"
TABLE_ID = "85163NED"
DATASET = DatasetInfo(
    key="cbs_ses_woa",
    publisher="CBS",
    title="Sociaal-economische status; scores per wijk en buurt (SES-WOA)",
    dataset_id=TABLE_ID,
    licence="CC BY 4.0",
    url=f"https://opendata.cbs.nl/statline/#/CBS/nl/dataset/{TABLE_ID}",
)

HOUSEHOLDS = f"{PREFIX}.huishoudens"
VARIABLES = (
    Variable(HOUSEHOLDS, "Particuliere huishoudens", "aantal", "aantal"),
    # Education shares are % of persons; the table has no person count, so households
    # are the closest available weight when regions merge.
    Variable(f"{PREFIX}.opleiding_laag", "Opleidingsniveau laag", "%", "percentage", HOUSEHOLDS),
    Variable(
        f"{PREFIX}.opleiding_middelbaar", "Opleidingsniveau middelbaar", "%", "percentage",
        HOUSEHOLDS,
    ),
    Variable(f"{PREFIX}.opleiding_hoog", "Opleidingsniveau hoog", "%", "percentage", HOUSEHOLDS),
    Variable(f"{PREFIX}.totaal", "SES-WOA totaalscore", "score", "score", HOUSEHOLDS),
    Variable(f"{PREFIX}.spreiding", "SES-WOA spreiding", "score", "score", HOUSEHOLDS),
)

COLUMNS = (
    ColumnSpec("huishoudens", odata=("ParticuliereHuishoudens",),
               titles=(r"^particuliere huishoudens( aantal)?$",)),
    ColumnSpec("opleiding_laag", odata=("Laag",), titles=(r"^opleidingsniveau laag",)),
    ColumnSpec("opleiding_middelbaar", odata=("Middelbaar",),
               titles=(r"^opleidingsniveau middelbaar",)),
    ColumnSpec("opleiding_hoog", odata=("Hoog",), titles=(r"^opleidingsniveau hoog",)),
    ColumnSpec("totaal", odata=("GemiddeldeScore",), titles=(r"^ses woa totaalscore",)),
    ColumnSpec("spreiding", odata=("SpreidingTotaal", "Spreiding"),
               titles=(r"^spreiding spreiding totaal",)),
)
ID_COLUMNS = (
    ColumnSpec("code", aliases=("regiocode",), odata=("Codering", "WijkenEnBuurten"),
               titles=(r"^regiocode", r"codering( code)?$")),
    ColumnSpec("name", titles=(r"^wijken en buurten$",)),
    ColumnSpec("period", aliases=("perioden",), odata=("Perioden",)),
)


def _recognises(columns: list[str]) -> bool:
    found = resolve(columns, COLUMNS)
    return "totaal" in found and "code" in resolve(columns, ID_COLUMNS[:1])


def _sniff_csv(sample: FileSample) -> bool:
    if sample.suffix not in {".csv", ".txt"}:
        return False
    return _recognises(sample.header)


def _sniff_json(sample: FileSample) -> bool:
    text = sample.head_text
    return (
        sample.suffix == ".json"
        and _odata.looks_like_odata(text)
        and _odata.table_id_in(text, {TABLE_ID})
    )


def frame_to_table(frame: pd.DataFrame, path: Path, year: int | None = None) -> SourceTable:
    columns = list(frame.columns)
    ids = resolve(columns, ID_COLUMNS)
    found = resolve(columns, COLUMNS)
    if "code" not in ids or "totaal" not in found:
        absent = [n for n, ok in (("regiocode", "code" in ids), ("SES-WOA totaalscore",
                  "totaal" in found)) if not ok]
        raise MissingColumnsError(
            path, absent, expected="'Regiocode (gemeente, wijk, buurt) (code)' en "
            "'SES-WOA/Totaalscore/Gemiddelde score (Getal)'"
        )
    codes = clean_codes(frame[ids["code"]])
    known = levels_of(codes).notna()
    frame, codes = frame.loc[known], codes.loc[known]
    periods = _periods(frame, ids, path, year)
    edition = int(periods.max())
    parts = []
    for period, index in frame.groupby(periods).groups.items():
        raw = frame.loc[index, list(found.values())]
        raw.columns = [f"{PREFIX}.{k}" for k in found]
        values, statuses = numeric_frame(raw)
        parts.append(to_long(codes.loc[index], values, statuses, edition=edition, period=period))
    long = pd.concat(parts, ignore_index=True)
    published = set(long.loc[long["status"] == STATUS_OK, "variable"])
    long = long[long["variable"].isin(published)].reset_index(drop=True)
    missing = [v.key for v in VARIABLES if v.key not in published]
    names = frame[ids["name"]].astype("string").str.strip() if "name" in ids else codes
    regions = pd.DataFrame(
        {
            "region_code": codes.to_numpy(),
            "level": levels_of(codes).to_numpy(),
            "edition": edition,
            "name": names.to_numpy(),
            "gemeente_code": gemeente_of(codes).to_numpy(),
        }
    ).drop_duplicates("region_code")
    return SourceTable(
        dataset=DATASET,
        path=path,
        values=long,
        variables=[v for v in VARIABLES if v.key in published],
        regions=regions,
        missing={int(p): missing for p in periods.unique()} if missing else {},
        notes=[f"indeling {edition} (laatste periode in het bestand) voor alle perioden"],
    )


def _periods(frame: pd.DataFrame, ids: dict[str, str], path: Path, year: int | None) -> pd.Series:
    if "period" not in ids:
        if year is None:
            raise InputFileError(
                path, "geen kolom 'Perioden' en geen jaar opgegeven",
                fix='Zet in veerkracht.toml: [bestanden."naam.csv"] jaar = 2019',
            )
        return pd.Series(year, index=frame.index)
    years = frame[ids["period"]].astype("string").str.extract(r"(\d{4})")[0]
    if years.isna().any():
        rows = [int(i) + 2 for i in years.index[years.isna()][:10]]
        raise InputFileError(path, "periode niet te lezen", column=ids["period"], rows=rows)
    return years.astype(int)


def read_csv(path: Path, *, year: int | None = None) -> SourceTable:
    return frame_to_table(read_delimited(path), path, year)


def read_odata_json(path: Path, *, year: int | None = None) -> SourceTable:
    frame, _table_id = _odata.frame_from_file(path)
    return frame_to_table(frame, path, year)


register(Reader("cbs_ses_woa_csv", DATASET, _sniff_csv, read_csv, "SES-WOA als StatLine-CSV"))
register(Reader("cbs_ses_woa_odata", DATASET, _sniff_json, read_odata_json, "SES-WOA als OData"))

"""CBS Kerncijfers wijken en buurten (KWB), any year 2013-2025.

Reads the files as users download them: StatLine CSV exports (titles as headers,
``;`` or ``,``, decimal comma, BOM, ``.`` = suppressed, padded codes), the R-style
re-export, English-renamed re-exports, CBS's ``kwb-YYYY.xlsx`` and OData v3/v4 JSON.
The KWB year is also the boundary edition of its region codes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from veerkracht.codes import clean_codes, gemeente_of, levels_of
from veerkracht.errors import InputFileError
from veerkracht.sources import _odata
from veerkracht.sources._columns import load_spec, resolve
from veerkracht.sources._tabular import (
    Cells,
    long_from_cells,
    map_delimited_blocks,
    numeric_cells,
)
from veerkracht.sources.base import DatasetInfo, FileSample, Reader, SourceTable

SPEC_PATH = Path(__file__).with_name("cbs_kwb.toml")
PREFIX = "kwb"
MIN_VARIABLES = 3  # a file must carry at least this many KWB variables to be recognised


def dataset_info(year: int | None) -> DatasetInfo:
    tables = load_spec(SPEC_PATH, PREFIX).extra["tables"]
    table_id = tables.get(str(year), "") if year else ""
    title = f"Kerncijfers wijken en buurten {year}" if year else "Kerncijfers wijken en buurten"
    return DatasetInfo(
        key="cbs_kwb",
        publisher="CBS",
        title=title,
        dataset_id=table_id,
        licence="CC BY 4.0",
        url=f"https://opendata.cbs.nl/statline/#/CBS/nl/dataset/{table_id}" if table_id else "",
    )


def _recognises(columns: list[str]) -> bool:
    spec = load_spec(SPEC_PATH, PREFIX)
    if "code" not in resolve(columns, [spec.id_columns["code"]]):
        return False
    return len(resolve(columns, spec.columns)) >= MIN_VARIABLES


def _sniff_csv(sample: FileSample) -> bool:
    if sample.suffix not in {".csv", ".txt"}:
        return False
    return _recognises(sample.header)


def _sniff_xlsx(sample: FileSample) -> bool:
    return bool(sample.xlsx_header) and _recognises(sample.xlsx_header)


def _sniff_json(sample: FileSample) -> bool:
    if sample.suffix != ".json":
        return False
    return _odata.looks_like_odata(sample.head_text) and _odata.table_id_in(
        sample.head_text, set(load_spec(SPEC_PATH, PREFIX).extra["tables"].values())
    )


def year_from_name(path: Path) -> int | None:
    """KWB year from a file name: a table id (83765NED) or a year (…_2017_…)."""
    tables = {v: int(k) for k, v in load_spec(SPEC_PATH, PREFIX).extra["tables"].items()}
    for table_id, year in tables.items():
        if table_id.lower() in path.name.lower():
            return year
    found = re.findall(r"(?<!\d)(20[12]\d)(?!\d)", path.name)
    return int(found[0]) if len(found) == 1 else None


@dataclass
class _Layout:
    """Which column of a KWB file is what (from its header alone)."""

    columns: list[str]
    ids: dict[str, str]  # role (code, name, period, ...) -> column
    variables: dict[str, str]  # variable key -> column


@dataclass
class _Block:
    """What one block of rows gives (see ``_read_block``): the rows with a valid code."""

    codes: pd.Series
    levels: pd.Series
    names: pd.Series
    cells: Cells  # every variable column, published or not
    periods: set[str]  # years found in the period column (all rows)


def _layout(columns: list[str], path: Path) -> _Layout:
    spec = load_spec(SPEC_PATH, PREFIX)
    ids = resolve(columns, list(spec.id_columns.values()))
    if "code" not in ids:
        raise InputFileError(
            path,
            "geen kolom met regiocodes gevonden",
            fix="Verwacht een kolom 'Codering' / 'gwb_code_10' met codes als BU03630000.",
        )
    return _Layout(columns, ids, resolve(columns, spec.columns))


def _read_block(frame: pd.DataFrame, layout: _Layout) -> _Block:
    ids = layout.ids
    periods: set[str] = set()
    if "period" in ids:
        found = frame[ids["period"]].astype("string").str.extract(r"(20\d\d)")[0].dropna()
        periods = set(found.unique())
    codes = clean_codes(frame[ids["code"]])
    levels = levels_of(codes)
    known = levels.notna()
    if not known.all():  # e.g. a footer line; most files need no copy
        frame, codes, levels = frame.loc[known], codes.loc[known], levels.loc[known]
    raw = frame[list(layout.variables.values())]
    raw.columns = [f"{PREFIX}.{k}" for k in layout.variables]
    return _Block(codes, levels, _region_names(frame, ids, codes), numeric_cells(raw), periods)


def frame_to_table(frame: pd.DataFrame, path: Path, year: int | None) -> SourceTable:
    """Wide KWB frame (any header style) -> SourceTable."""
    layout = _layout(list(frame.columns), path)
    notes = list(frame.attrs.get("notes", []))
    return _blocks_to_table([_read_block(frame, layout)], layout, path, year, notes)


def _blocks_to_table(
    blocks: list[_Block], layout: _Layout, path: Path, year: int | None, notes: list[str]
) -> SourceTable:
    """The blocks of one file (in order) as one SourceTable."""
    spec = load_spec(SPEC_PATH, PREFIX)
    period_year = year
    found = set().union(*(b.periods for b in blocks))
    if len(found) == 1:
        period_year = int(found.pop())
    if period_year is None:
        period_year = year_from_name(path)
    if period_year is None:
        raise InputFileError(
            path,
            "het KWB-jaar is niet af te leiden uit de inhoud of de bestandsnaam",
            fix="Zet het jaar in de bestandsnaam (…_2019.csv) of in veerkracht.toml: "
            '[bestanden."naam.csv"] jaar = 2019',
        )
    if not any(len(b.codes) for b in blocks):
        raise InputFileError(
            path,
            "geen geldige regiocodes (GM/WK/BU)",
            column=layout.ids["code"],
            fix="Regiocodes hebben de vorm GM0363, WK036300 of BU03630000.",
        )
    codes, levels, names = (
        _joined([getattr(b, part) for b in blocks]) for part in ("codes", "levels", "names")
    )
    cells = _stacked([b.cells for b in blocks]).published()
    blocks.clear()  # the caller's list: the parts are joined, free them as we go
    long = long_from_cells(codes, cells, edition=period_year, period=period_year)
    missing = [v.key for v in spec.variables if v.key not in set(cells.columns)]
    del cells
    # the columns' arrow-backed arrays, not object arrays: a Python string per cell
    # would take ~300 MB for the 1.35 million rows of a 100 MiB CSV
    regions = pd.DataFrame(
        {
            "region_code": codes.array,
            "level": levels.array,
            "edition": period_year,
            "name": names.array,
            "gemeente_code": gemeente_of(codes).array,
        }
    )
    columns = layout.columns
    notes = notes + _ambiguous_notes(columns, layout.variables)
    unmapped = [
        c for c in columns if c not in layout.variables.values() and c not in layout.ids.values()
    ]
    if unmapped:
        notes.append(f"{len(unmapped)} kolommen niet gebruikt (geen veerkracht-variabele)")
    return SourceTable(
        dataset=dataset_info(period_year),
        path=path,
        values=long,
        variables=list(spec.variables),
        regions=regions,
        missing={period_year: missing} if missing else {},
        notes=notes,
    )


def _joined(parts: list[pd.Series]) -> pd.Series:
    return parts[0] if len(parts) == 1 else pd.concat(parts)


def _stacked(parts: list[Cells]) -> Cells:
    if len(parts) == 1:
        return parts[0]
    return Cells(
        parts[0].columns,
        np.concatenate([p.numbers for p in parts]),
        np.concatenate([p.status for p in parts]),
    )


def _region_names(frame: pd.DataFrame, ids: dict[str, str], codes: pd.Series) -> pd.Series:
    """Region names as published; never the code itself.

    OData's ``TypedDataSet`` carries only keys under ``WijkenEnBuurten``: without the
    dimension's titles (``RegionTitles``) a gemeente is named by ``Gemeentenaam_1`` and a
    wijk or buurt stays unnamed rather than being named by its code.
    """
    names = pd.Series(pd.NA, index=codes.index, dtype="string")
    if "name" in ids:
        names = frame[ids["name"]].astype("string").str.strip()
        names = names.mask(clean_codes(names).eq(codes).fillna(False))
    if "gemeente_name" in ids:
        gemeente = frame[ids["gemeente_name"]].astype("string").str.strip()
        is_gm = codes.str.startswith("GM").fillna(False)
        names = names.mask(names.isna() & is_gm, gemeente)
    return names


def _ambiguous_notes(columns: list[str], chosen: dict[str, str]) -> list[str]:
    """Say where several columns matched a variable equally well, and which one was used.

    E.g. KWB 2024 has three keys titled "Buiten Europa"; the first (Herkomstland) is used.
    """
    spec = load_spec(SPEC_PATH, PREFIX)
    notes = []
    for column_spec in spec.columns:
        used = chosen.get(column_spec.key)
        if used is None:
            continue
        strength = column_spec.matches(used)
        rivals = [c for c in columns if c != used and column_spec.matches(c) == strength]
        if rivals:
            notes.append(
                f"{PREFIX}.{column_spec.key}: {len(rivals) + 1} kolommen passen "
                f"({used}, {', '.join(rivals)}); gebruikt: {used}"
            )
    return notes


def read_csv(path: Path, *, year: int | None = None) -> SourceTable:
    """Read block by block: the file's text is never in memory whole, only the numbers
    and names it gives (a 100 MiB CSV: see benchmarks/bench_import_memory.py)."""
    layouts: list[_Layout] = []

    def block(frame: pd.DataFrame) -> _Block:
        if not layouts or layouts[0].columns != list(frame.columns):  # pandas' re-read
            layouts[:] = [_layout(list(frame.columns), path)]
        return _read_block(frame, layouts[0])

    blocks = map_delimited_blocks(path, block)
    return _blocks_to_table(blocks, layouts[0], path, year, [])


def read_xlsx(path: Path, *, year: int | None = None) -> SourceTable:
    frame = pd.read_excel(path, sheet_name=0, dtype=str, keep_default_na=False)
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame_to_table(frame, path, year)


def read_odata_json(path: Path, *, year: int | None = None) -> SourceTable:
    frame, table_id = _odata.frame_from_file(path)
    tables = {v: int(k) for k, v in load_spec(SPEC_PATH, PREFIX).extra["tables"].items()}
    return frame_to_table(frame, path, year or tables.get(table_id))


_DATASET = dataset_info(None)
#: this module's readers, most specific first (listed in ``sources.registry``)
READERS = (
    Reader("cbs_kwb_csv", _DATASET, _sniff_csv, read_csv, "KWB als StatLine-CSV"),
    Reader("cbs_kwb_xlsx", _DATASET, _sniff_xlsx, read_xlsx, "KWB als kwb-JJJJ.xlsx"),
    Reader("cbs_kwb_odata", _DATASET, _sniff_json, read_odata_json, "KWB als OData-JSON"),
)

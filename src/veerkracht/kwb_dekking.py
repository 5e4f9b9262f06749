"""KWB columns by title across 2013–2025: where each catalogue indicator was found.

For every catalogue indicator built on ``kwb.*`` variables and every KWB year, the table
says whether its variables were found in the column lists at hand (real KWB files:
StatLine CSV, R re-export, ``kwb-JJJJ.xlsx``, OData JSON, or a table's
``DataProperties``), under which column, and if not, why:

* ``ja``              found under the name the spec lists first;
* ``hernoemd``        found, but under a later name (e.g. KWB 2024 ``OnbewoondeWoningen_46``
                      for ``PercentageOnbewoond``);
* ``nog niet``        the column is there but empty in the newest file of that year (CBS
                      publishes income figures a year later);
* ``vervallen``       absent, and absent in every later year with a column list too; where
                      the catalogue has a successor (``replaces``) it is named;
* ``bestond nog niet`` absent, first found in a later year (a variable CBS added);
* ``ontbreekt``       absent in this year's files, found before and after;
* ``–``               no column list for that year here.

Columns are matched exactly as the KWB reader matches them (``sources/cbs_kwb.toml``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from veerkracht.indicators import Indicator, catalogue
from veerkracht.settings import real_responses_dir, shared_data_dir
from veerkracht.sources import _odata
from veerkracht.sources._columns import ColumnSpec, load_spec, resolve
from veerkracht.sources._tabular import normalise_title, odata_prefix, read_delimited
from veerkracht.sources.cbs_kwb import PREFIX, SPEC_PATH, year_from_name

if TYPE_CHECKING:
    from veerkracht.store import Store

YEARS = tuple(range(2013, 2026))


@dataclass
class ColumnList:
    """The columns of one KWB file (or table description) for one year."""

    year: int
    source: str
    columns: list[str]
    empty: set[str] = field(default_factory=set)  # present, no value ('' or '.' only)
    has_values: bool = True  # False for a table description (DataProperties): keys only


@dataclass(frozen=True)
class Cell:
    status: str  # ja | hernoemd | nog niet | vervallen | ontbreekt | –
    detail: str = ""


def _spec():
    return load_spec(SPEC_PATH, PREFIX)


def _tables() -> dict[str, int]:
    return {v: int(k) for k, v in _spec().extra["tables"].items()}


def _year_from_name(path: Path) -> int | None:
    return year_from_name(path)


def _empty_columns(frame: pd.DataFrame) -> set[str]:
    """Columns without a single published value: empty, or '.' (geheim) in every row."""
    empty = set()
    for column in frame.columns:
        text = frame[column].astype("string").str.strip().fillna("")
        if text.isin(["", "."]).all():
            empty.add(column)
    return empty


def _from_properties(path: Path) -> ColumnList | None:
    try:
        rows = json.loads(path.read_text(encoding="utf-8-sig"))
        infos = json.loads(path.with_name("TableInfos.json").read_text(encoding="utf-8-sig"))
    except (OSError, json.JSONDecodeError):
        return None
    table = str(infos[0].get("Identifier", "")) if isinstance(infos, list) and infos else ""
    year = _tables().get(table)
    if year is None:
        return None
    keys = [r["Key"] for r in rows if r.get("Type") == "Topic" and r.get("Key")]
    return ColumnList(year, f"{path.parent.name}/{path.name}", keys, has_values=False)


def _from_table_file(path: Path) -> ColumnList | None:
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            frame = read_delimited(path)
        elif suffix == ".xlsx":
            header = pd.read_excel(path, sheet_name=0, dtype=str, nrows=0)
            if _listed(header, path, _year_from_name(path)) is None:
                return None  # not KWB: do not read the whole workbook
            frame = pd.read_excel(path, sheet_name=0, dtype=str, keep_default_na=False)
        elif suffix == ".json":
            head = path.read_text(encoding="utf-8-sig", errors="replace")[:4096]
            if not _odata.table_id_in(head, set(_tables())):
                return None
            frame, table = _odata.frame_from_file(path)
            return _listed(frame, path, _tables().get(table))
        else:
            return None
    except Exception:  # not a table we can read: not a KWB column list
        return None
    return _listed(frame, path, _year_from_name(path))


def _listed(frame: pd.DataFrame, path: Path, year: int | None) -> ColumnList | None:
    spec = _spec()
    columns = [str(c).strip() for c in frame.columns]
    if year is None or "code" not in resolve(columns, [spec.id_columns["code"]]):
        return None
    if len(resolve(columns, spec.columns)) < 3:
        return None
    frame.columns = columns
    return ColumnList(year, path.name, columns, _empty_columns(frame))


def column_lists(folders: list[Path]) -> dict[int, list[ColumnList]]:
    """KWB column lists per year from every readable file under ``folders``."""
    found: dict[int, list[ColumnList]] = {}
    for folder in folders:
        if not folder.exists():
            continue
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            if path.name == "DataProperties.json":
                listed = _from_properties(path)
            else:
                listed = _from_table_file(path)
            if listed is not None:
                found.setdefault(listed.year, []).append(listed)
    return found


def _renamed(spec: ColumnSpec, column: str) -> bool:
    """Matched by a later name than the one the spec lists first."""
    norm = normalise_title(column)
    if norm in {normalise_title(a) for a in spec.aliases}:
        return False
    prefix = odata_prefix(column)
    if prefix in spec.odata:
        return prefix != spec.odata[0]
    first = spec.titles[0] if spec.titles else ""
    return bool(spec.titles) and not re.search(first, norm)


def _find(spec: ColumnSpec, lists: list[ColumnList]) -> Cell | None:
    """Best evidence for one variable in one year's column lists (None: absent).

    A file with values decides first; a column that is there but empty in every data
    file is "nog niet" (not published yet) even when the table description lists it.
    """
    empty: Cell | None = None
    described: Cell | None = None
    for listed in sorted(lists, key=lambda c: not c.has_values):
        column = resolve(listed.columns, [spec]).get(spec.key)
        if column is None:
            continue
        status = "hernoemd" if _renamed(spec, column) else "ja"
        if column in listed.empty:
            empty = empty or Cell("nog niet", f"{listed.source}: kolom '{column}' zonder "
                                  "waarden (leeg of '.')")
        elif listed.has_values:
            return Cell(status, f"{listed.source}: {column}")
        else:
            described = described or Cell(status, f"{listed.source}: {column} (tabelopbouw)")
    return empty or described


def _kwb_keys(indicator: Indicator) -> list[str]:
    return [v.split(".", 1)[1] for v in indicator.variables if v.startswith("kwb.")]


def coverage(lists: dict[int, list[ColumnList]], years: tuple[int, ...] = YEARS) -> pd.DataFrame:
    """Indicator × year → Cell, for the catalogue indicators from the KWB."""
    specs = {s.key: s for s in _spec().columns}
    successors = {i.replaces: i.key for i in catalogue() if i.replaces}
    rows = {}
    for indicator in (i for i in catalogue() if i.source == "cbs_kwb"):
        keys = _kwb_keys(indicator)
        found = {(k, y): _find(specs[k], lists.get(y, [])) for k in keys for y in years}
        rows[indicator.key] = {
            y: _cell(indicator, keys, y, found, lists, successors) for y in years
        }
    return pd.DataFrame.from_dict(rows, orient="index")[list(years)]


def _cell(indicator, keys, year, found, lists, successors) -> Cell:
    if not lists.get(year):
        return Cell("–", "geen kolomlijst van dit jaar")
    cells = [found[(k, year)] for k in keys]
    missing = [k for k, c in zip(keys, cells, strict=True) if c is None]
    if not missing:
        order = ("nog niet", "hernoemd", "ja")
        worst = min(cells, key=lambda c: order.index(c.status))  # type: ignore[union-attr]
        details = [f"kwb.{k}: {c.detail}" for k, c in zip(keys, cells, strict=True)]  # type: ignore[union-attr]
        return Cell(worst.status, "; ".join(details))  # type: ignore[union-attr]
    names = f"kwb.{', kwb.'.join(missing)}"
    earlier = any(found.get((k, y)) for k in missing for y in lists if y < year)
    later = sorted(y for y in lists if y > year and any(found.get((k, y)) for k in missing))
    if later and not earlier:
        return Cell("bestond nog niet", f"{names} pas vanaf {later[0]}")
    if later:
        return Cell("ontbreekt", f"{names} niet in de bestanden van {year}")
    successor = successors.get(indicator.key)
    detail = f"kwb.{', kwb.'.join(missing)} niet meer gepubliceerd"
    if successor:
        detail += f"; opvolger: {successor}"
    return Cell("vervallen", detail)


def default_folders() -> list[Path]:
    return [shared_data_dir(), real_responses_dir()]


def table_rows(cov: pd.DataFrame) -> list[tuple[str, list[str]]]:
    """(indicator, status per year) for printing."""
    return [(key, [cov.loc[key, y].status for y in cov.columns]) for key in cov.index]


def explanations(cov: pd.DataFrame) -> list[tuple[str, int, str, str]]:
    """(indicator, year, status, detail) for every cell that is found under a column or
    explained; the no-list cells ('–') are left out."""
    return [(key, int(y), cov.loc[key, y].status, cov.loc[key, y].detail)
            for key in cov.index for y in cov.columns if cov.loc[key, y].status != "–"]


def successor_use(store: Store, gemeente_code: str | None = None) -> list[str]:
    """Per replaced indicator: which of it and its successor has values in which years.

    E.g. "niet_westers (kwb.a_nw_all): 2017, 2019; herkomst_buiten_europa (kwb.a_neu_al):
    2023, 2024" — said after every fetch or import, so nobody mistakes one for the other.
    """
    by_key = {i.key: i for i in catalogue()}
    lines = []
    for successor in (i for i in catalogue() if i.replaces):
        parts = []
        for ind in (by_key[successor.replaces], successor):
            variable = ind.numerator or ind.variable
            periods = store.variable_periods([variable], gemeente_code)["period"].tolist()
            shown = ", ".join(map(str, periods)) if periods else "geen jaren"
            parts.append(f"{ind.key} ({variable}): {shown}")
        lines.append("; ".join(parts))
    return lines

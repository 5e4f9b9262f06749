"""Signals to CSV and XLSX with Dutch column names and a 'Verantwoording' sheet."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import xlsxwriter

from veerkracht.errors import VeerkrachtError
from veerkracht.signals.composite import BELOW_THRESHOLD, composite_scores, load_composites
from veerkracht.signals.compute import public_column, rankable
from veerkracht.signals.corporation import (
    corporation_share_curves,
    liveability_by_corporation_share,
    liveability_by_end_class,
    turning_points,
)
from veerkracht.signals.early_warning import early_warning
from veerkracht.signals.maps import geometry_edition
from veerkracht.signals.statistics import lisa_hotspots, regression_table
from veerkracht.signals.typology import rule_description
from veerkracht.spreadsheet import neutralise_formulas

if TYPE_CHECKING:
    import geopandas as gpd

    from veerkracht.pipeline import SignalView
    from veerkracht.signals import SignalResult
    from veerkracht.store import Store


#: the analyses' keys (in code, e.g. the report's) and their sheet names in the XLSX, in
#: the order of the sheets
SHEET_NAMES = {
    "early_warning": "Vroegsignalering",
    "corporation_share": "Corporatiebezit",
    "liveability_by_corporation_share": "Leefbaarheid x corporatie",
    "turning_points": "Omslagpunt",
    "liveability_by_end_class": "Leefbaarheid x eindklasse",
    "regression": "Regressie",
    "hotspots": "Hotspots (LISA)",
    "composite_scores": "Samengestelde scores",
}
HOTSPOTS = "hotspots"
HOTSPOT_COLUMN = "concentration_index"
#: the LISA sheet needs more buurten with a concentration index than this
MIN_HOTSPOT_BUURTEN = 10


def signal_table(result: SignalResult) -> pd.DataFrame:
    """The main table: one row per buurt, Dutch column names, the year beside every value.

    A status column appears for an indicator as soon as one buurt's value is not plain
    'ok', so that suppressed ('geheim'), not published ('leeg'), missing ('ontbreekt')
    and small-area ('te weinig inwoners') cells are never confused with each other or
    with zero.
    """
    t = result.table
    cols = {
        "region_code": "Buurtcode",
        "name": "Buurt",
        "typology": "Signaalcode",
        "typology_label": "Signaal",
        "step": "Stap toename",
        "rules": "Regels",
        "reasons": "Redenen",
    }
    out = t[list(cols)].rename(columns=cols)
    out.insert(2, "Indeling", result.edition)
    ref = result.reference_label()
    extra: dict[str, pd.Series] = {
        f"Concentratie kwetsbare groepen (gemiddelde index, {ref})": t["concentration_index"].round(
            1
        ),
        "Inwoners": t["inwoners__end"] if "inwoners__end" in t else pd.Series(pd.NA, index=t.index),
    }
    for ind in result.indicators:
        p_start, p_end = result.periods[ind.key]
        unit = f" ({ind.unit})" if ind.unit else ""
        if p_end is not None:
            extra[f"{ind.label}{unit} {p_end}"] = t[f"{ind.key}__end"].round(3)
            status = t[f"{ind.key}__status"].astype("string").fillna("ontbreekt")
            if (status != "ok").any():
                extra[f"{ind.label}: status {p_end}"] = status
            approx = t.get(f"{ind.key}__approximation")
            if approx is not None and approx.fillna(False).any():
                extra[f"{ind.label}: bron {p_end}"] = approx.map(
                    {True: "benadering (postcodegebied)", False: "buurt"}
                )
        if p_start is not None and p_end is not None:
            extra[f"{ind.label}: verschil {p_start}–{p_end}"] = t[f"{ind.key}__change"].round(3)
        if ind.index and t[f"{ind.key}__index_ref"].notna().any():
            extra[f"{ind.label}: index {ref} {p_end}"] = t[f"{ind.key}__index_ref"].round(1)
        if (
            ind.index
            and result.reference.kind != "nederland"
            and t[f"{ind.key}__index_nl"].notna().any()
        ):
            extra[f"{ind.label}: index Nederland = 100 {p_end}"] = t[f"{ind.key}__index_nl"].round(
                1
            )
    return pd.concat([out, pd.DataFrame(extra, index=t.index)], axis=1)


def accountability(view: SignalView) -> pd.DataFrame:
    """Sources, periods, reference, coverage, rules and thresholds: what a reader needs."""
    result = view.result
    rows = [
        ("Gemeente", f"{result.gemeente.name} ({result.gemeente.code})"),
        ("Periode", view.period_line()),
        ("Perioden die werken", ", ".join(f"{a}–{b}" for a, b in view.periods_that_work)),
        ("Buurtindeling", str(result.edition)),
        ("Referentie", result.reference.describe(result.gemeente.name)),
        ("Klassenschema", result.scheme),
    ]
    rows += [("Dekking", line) for line in view.coverage.lines()]
    for src in result.sources:
        rows.append(("Bron", src.citation()))
    for ind in result.indicators:
        p_start, p_end = result.periods[ind.key]
        rows.append(
            (f"Periode {ind.label}", f"{p_start if p_start else '–'} → {p_end if p_end else '–'}")
        )
    for rule in result.rules:
        rows.append(
            (
                f"Regel {rule.code}",
                f"{rule_description(rule.code, result.config.thresholds)} "
                f"Wijst {rule.flagged} van {rule.judged} buurten aan.",
            )
        )
    rows += [("Waarschuwing", w) for w in view.warnings]
    # the Dutch key of typology.toml, as the user wrote it
    for key, value in result.config.thresholds.toml_items():
        rows.append((f"Drempel {key}", str(value)))
    for cls in result.config.classes:
        rows.append((f"Klasse {cls.code}", f"{cls.label}: {cls.explanation}"))
    rows.append(("Typologie-instellingen", str(result.config.path.name)))
    if result.methods is not None:
        for m in result.methods.itertuples():
            rows.append(
                (
                    "Herkomst waarden",
                    f"{m.dataset_key}: {m.method} (indeling {m.source_edition}), {m.size} waarden",
                )
            )
    return pd.DataFrame(rows, columns=["Onderwerp", "Waarde"])


def analyses(
    result: SignalResult,
    store: Store | None = None,
    *,
    model: str = "ols",
    hotspots: bool = True,
) -> dict[str, pd.DataFrame]:
    """The study's analyses by key (:data:`SHEET_NAMES`), English column keys; empty ones
    are left out. :func:`analysis_sheets` gives them as the XLSX shows them.

    ``hotspots``: also the LISA table (local Moran's I, 999 permutations), which needs
    esda and the buurt polygons; ``veerkracht signalen`` leaves it out unless asked.
    """
    tables = {
        "early_warning": early_warning(result),
        "corporation_share": corporation_share_curves(result),
    }
    live = liveability_by_corporation_share(result)
    tables["liveability_by_corporation_share"] = live
    if not live.empty:
        tables["turning_points"] = turning_points(live, result)
    lbm = result.periods.get("lbm2_totaal")
    if store is not None and lbm and lbm[0] and lbm[1]:
        tables["liveability_by_end_class"] = liveability_by_end_class(store, lbm[0], lbm[1])
    if store is not None:
        tables.update(_statistics_tables(result, store, model, hotspots=hotspots))
    scores = composite_scores(result.table, load_composites())
    tables["composite_scores"] = pd.concat([result.table[["region_code", "name"]], scores], axis=1)
    return {k: v for k, v in tables.items() if not v.empty}


def analysis_sheets(
    result: SignalResult,
    store: Store | None = None,
    *,
    model: str = "ols",
    hotspots: bool = True,
) -> dict[str, pd.DataFrame]:
    """The study's analyses as extra sheets: Dutch sheet names and column headers."""
    tables = analyses(result, store, model=model, hotspots=hotspots)
    return {
        SHEET_NAMES[key]: public_table(frame, user_named=key == "composite_scores")
        for key, frame in tables.items()
    }


def public_table(frame: pd.DataFrame, *, user_named: bool = False) -> pd.DataFrame:
    """An analysis table as users see it: Dutch headers (:func:`public_column`), and the
    regression's variables (table columns) by their Dutch names.

    ``user_named``: the columns besides the buurt's code and name are named by the user
    (the composite scores' keys in composite.toml) and stay as they are."""
    variables = [c for c in ("variable", "dependent_variable") if c in frame]
    names = {c: frame[c].map(public_column) for c in variables}

    def header(column: object) -> object:
        named = user_named and column not in {"region_code", "name"}
        if named and not str(column).endswith(f"__{BELOW_THRESHOLD}"):
            return column
        return public_column(column)

    return frame.assign(**names).rename(columns=header)


def _statistics_tables(
    result: SignalResult, store: Store, model: str = "ols", *, hotspots: bool = True
) -> dict[str, pd.DataFrame]:
    """Regression of nuisance change on vulnerability change (with controls) and LISA.

    The polygons are read only when a spatial model or the hotspots need them.
    """
    tables: dict[str, pd.DataFrame] = {}
    t = rankable(result.table, result.min_inhabitants)  # no small or data-less buurten
    gdf = _with_polygons(result, store, t) if hotspots or model != "ols" else None
    candidates = ["overlast_lbm3__change", "overlast_lbm2__change"]
    dependent = next((c for c in candidates if c in t and t[c].notna().sum() > 20), None)
    controls = [c for c in ("corporatiebezit__start", "dichtheid__start") if c in t]
    if dependent:
        start = dependent.replace("__change", "__start")
        frame = gdf if model != "ols" and gdf is not None else t
        try:
            reg = regression_table(
                frame,
                dependent,
                ["concentration_change", *controls, start],
                model=model,
                geometries=gdf,
            )
            reg["n"] = reg.attrs["n"]
            reg["r2"] = reg.attrs["r2"]
            reg["model"] = reg.attrs["model"]
            reg["dependent_variable"] = dependent
            tables["regression"] = reg
        except VeerkrachtError:
            pass
    if hotspots and _enough_for_hotspots(gdf):
        tables[HOTSPOTS] = lisa_hotspots(gdf, HOTSPOT_COLUMN)
    return tables


def _enough_for_hotspots(gdf: gpd.GeoDataFrame | None) -> bool:
    return gdf is not None and gdf[HOTSPOT_COLUMN].notna().sum() > MIN_HOTSPOT_BUURTEN


def _with_polygons(
    result: SignalResult, store: Store, table: pd.DataFrame
) -> gpd.GeoDataFrame | None:
    """``table`` joined to its buurt polygons by code (None when there are none)."""
    edition = geometry_edition(store, result.gemeente.code, result.edition, table.region_code)
    if edition is None:
        return None
    geoms = store.geometries(result.gemeente.code, edition)[["region_code", "geometry"]]
    return geoms.merge(table, on="region_code")


def hotspot_input(result: SignalResult, store: Store) -> gpd.GeoDataFrame | None:
    """The buurten (code, polygon, concentration index) the LISA sheet is computed from,
    as :func:`analyses` chooses them; None when it has no LISA table. For callers
    that compute the hotspots elsewhere (the report, in a worker process)."""
    t = rankable(result.table, result.min_inhabitants)
    gdf = _with_polygons(result, store, t)
    return gdf[["region_code", "geometry", HOTSPOT_COLUMN]] if _enough_for_hotspots(gdf) else None


def with_own_columns(table: pd.DataFrame, own_columns: pd.DataFrame | None) -> pd.DataFrame:
    """The signal table with a user's own-data columns (``region_code`` + 'Eigen gegevens:
    …'), joined by buurt code (never by row)."""
    if own_columns is None:
        return table
    code = next(c for c in table.columns if c in {"region_code", "buurtcode", "Buurtcode"})
    return table.merge(own_columns.rename(columns={"region_code": code}), on=code, how="left")


def signal_sheets(
    view: SignalView,
    store: Store | None = None,
    *,
    model: str = "ols",
    hotspots: bool = True,
    own_columns: pd.DataFrame | None = None,
    skip_failed_analyses: bool = False,
) -> dict[str, pd.DataFrame]:
    """Every sheet of a view's XLSX: 'Signalen', the analyses, 'Verantwoording', with
    formulas neutralised. The CLI and the web app export exactly these.

    ``skip_failed_analyses``: an analysis that fails leaves its sheets out instead of
    failing the export (the web app: the table is still worth downloading).
    """
    result = view.result
    sheets = {"Signalen": neutralise_formulas(with_own_columns(signal_table(result), own_columns))}
    try:
        extra = analysis_sheets(result, store, model=model, hotspots=hotspots)
    except VeerkrachtError:
        if not skip_failed_analyses:
            raise
        extra = {}
    for name, sheet in extra.items():
        sheets[name[:31]] = neutralise_formulas(sheet)
    why = accountability(view)
    if store is not None and not hotspots:
        why.loc[len(why)] = (
            SHEET_NAMES[HOTSPOTS],
            "niet berekend; 'veerkracht signalen --hotspots' en het rapport tonen ze",
        )
    sheets["Verantwoording"] = neutralise_formulas(why)
    return sheets


def table_csv(table: pd.DataFrame) -> bytes:
    """A table as the CSV users get: ';' separated, decimal comma, UTF-8 with BOM (Excel
    opens it with the accents intact), formulas neutralised."""
    text = neutralise_formulas(table).to_csv(sep=";", decimal=",", index=False)
    return text.encode("utf-8-sig")


def write_signal_tables(
    view: SignalView,
    out_dir: str | Path,
    store: Store | None = None,
    *,
    model: str = "ols",
    hotspots: bool = True,
) -> list[Path]:
    """The signal table as CSV and, with the analyses and the accountability, as XLSX."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"signalen_{view.result.gemeente.code}_{view.start}_{view.end}"
    sheets = signal_sheets(view, store, model=model, hotspots=hotspots)
    csv_path = out_dir / f"{stem}.csv"
    csv_path.write_bytes(table_csv(sheets["Signalen"]))
    xlsx_path = out_dir / f"{stem}.xlsx"
    write_xlsx(xlsx_path, sheets)
    return [csv_path, xlsx_path]


def write_xlsx(path: Path, sheets: dict[str, pd.DataFrame]) -> Path:
    """Frames as sheets (bold header, no index), streamed row by row with xlsxwriter.

    Five times faster than ``DataFrame.to_excel`` with openpyxl for the signal table;
    empty cells (NaN, NA, None) stay empty and text is never read as a formula.
    """
    options = {
        "constant_memory": True,
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "strings_to_numbers": False,
    }
    with xlsxwriter.Workbook(str(path), options) as book:
        bold = book.add_format({"bold": True})
        for name, frame in sheets.items():
            sheet = book.add_worksheet(name)
            sheet.write_row(0, 0, [str(c) for c in frame.columns], bold)
            columns = [_cells(frame.iloc[:, i]) for i in range(frame.shape[1])]
            for r, row in enumerate(zip(*columns, strict=True), start=1):
                _write_row(sheet, r, row)
    return path


def _write_row(sheet, r: int, row: tuple) -> None:
    """One row, the typed writer called directly for the common types (a quarter faster
    than ``sheet.write``, same cells: with the workbook options above ``write`` sends
    numbers to ``write_number``, non-empty text to ``write_string`` and skips '')."""
    number, string = sheet.write_number, sheet.write_string
    for c, value in enumerate(row):
        kind = value.__class__
        if kind is float or kind is int:
            number(r, c, value)
        elif kind is str:
            if value:
                string(r, c, value)
        elif value is not None:
            sheet.write(r, c, value)


def _cells(column: pd.Series) -> list:
    """Python values for one column, None where the value is missing."""
    values = column.astype(object).tolist()
    missing = column.isna().tolist()
    return [None if m else v for v, m in zip(values, missing, strict=True)]

"""Per buurt: level, index, change and classes of every catalogue indicator.

One row per buurt of the reference edition; columns ``<indicator>__<measure>`` with
measure in:

- ``start``, ``end``: levels in the indicator's start and end year (``periods``);
- ``status``: ``ok`` | ``geheim`` (suppressed) | ``leeg`` (not published) |
  ``ontbreekt`` (no row) | ``te weinig inwoners`` (small area, rate not computed);
  suppressed, missing and zero stay three different things;
- ``method``: how the end value reached the edition (``identiek``, ``kruistabel``,
  ``overlap``, ``pc4-postcode`` …); ``approximation`` is True for values taken from a
  buurt's postcode area (an approximation, never decisive on its own);
- ``change`` (percentage points / units), ``relative`` (fraction);
- ``index_nl``, ``index_gemeente``, ``index_ref`` (against the chosen reference, = 100),
  ``index_nl_start``, ``index_ref_start`` (the same at the start);
- ``deviation_ref``: level minus the reference level (for scores around 0);
- ``change_ref``: change minus the reference's own change over the same years;
- ``class``: class 1..k of the level (maps).

Outside the program (web JSON rows, sheet headers, composite TOML) the columns have
their Dutch names: :func:`public_column`, :func:`internal_column`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from veerkracht.gemeenten import Gemeente, resolve_gemeente
from veerkracht.indicators import Indicator, catalogue, indicator_values
from veerkracht.settings import DEFAULT_SCHEME
from veerkracht.signals.classes import classify
from veerkracht.signals.edition import buurt_codes, default_edition, values_on_edition
from veerkracht.signals.periods import nearest
from veerkracht.signals.reference import Reference
from veerkracht.store import Store

log = logging.getLogger(__name__)

#: the Dutch names of table columns where they leave the program (web JSON rows, sheet
#: headers) or where users name them (composite TOML): ``inwoners__end`` is
#: ``inwoners__tot`` and ``typology`` is ``typologie`` outside. The one translation of
#: table keys: the signal table's and the analysis tables' (the XLSX sheets)
PUBLIC_KEYS: dict[str, str] = {
    "name": "naam",
    "typology": "typologie",
    "typology_label": "typologie_label",
    "typology_map": "typologie_kaart",
    "reasons": "redenen",
    "rules": "regels",
    "step": "stap",
    "concentration_index": "concentratie_index",
    "concentration_change": "concentratie_verschil",
    "concentration_base": "concentratie_basis",
    "edition": "indeling",
    # the analysis tables' keys (signals.export.analyses), as their XLSX sheets head them
    "period": "periode",
    "corporation_share": "corporatiebezit",
    "value": "waarde",
    "mean_change": "gemiddelde_verandering",
    "turning_point": "omslagpunt_corporatiebezit",
    "ci_low": "ci_laag",
    "ci_high": "ci_hoog",
    "bootstrap_share_turning": "aandeel_bootstrap_met_omslag",
    "end_class": "eindklasse",
    "share_improved": "aandeel_vooruit",
    "too_small": "te_klein",
    "class_label": "klasse",
    "rank": "rang",
    "state_start": "toestand_van",
    "state_end": "toestand_tot",
    "kind": "soort",
    "concentration_rise": "toename_concentratie",
    "variable": "variabele",
    "dependent_variable": "afhankelijke_variabele",
    "standard_error": "standaardfout",
    "local_moran_i": "lokale_moran_i",
    "p_permutation": "p_permutatie",
    "quadrant": "kwadrant",
}
PUBLIC_MEASURES: dict[str, str] = {
    "start": "van",
    "end": "tot",
    "change": "verschil",
    "relative": "relatief",
    "class": "klasse",
    "method": "methode",
    "approximation": "benadering",
    "index_nl_start": "index_nl_van",
    "index_ref_start": "index_ref_van",
    "deviation_ref": "afwijking_ref",
    "change_ref": "verschil_ref",
    "below_threshold": "onder_drempel",
}


def public_column(name: object) -> object:
    """The public (Dutch) name of a table column (a key of ``PUBLIC_KEYS``, or a
    ``PUBLIC_MEASURES`` suffix)."""
    if not isinstance(name, str):  # e.g. a positional index label
        return name
    if name in PUBLIC_KEYS:
        return PUBLIC_KEYS[name]
    key, sep, measure = name.rpartition("__")
    dutch = PUBLIC_MEASURES.get(measure) if sep else None
    return f"{key}{sep}{dutch}" if dutch else name


def internal_column(name: str) -> str:
    """The table column of a public name (:func:`public_column` reversed)."""
    keys = {dutch: english for english, dutch in PUBLIC_KEYS.items()}
    if name in keys:
        return keys[name]
    key, sep, measure = name.rpartition("__")
    inverse = {dutch: english for english, dutch in PUBLIC_MEASURES.items()}
    english = inverse.get(measure) if sep else None
    return f"{key}{sep}{english}" if english else name


MEASURES = ("start", "end", "change", "relative", "index_nl", "index_gemeente", "class", "status")
#: Buurten with fewer inhabitants get no signal, no ranking and no rate per 1,000: there
#: a handful of households or incidents moves a figure by tens of points (business
#: parks, sports parks, a hospital with 35 inhabitants). Default of ``min_inwoners``.
MIN_INWONERS = 200
#: kept for callers that rank without a typology config
MIN_INWONERS_RANKING = MIN_INWONERS
SMALL_STATUS = "te weinig inwoners"
PER_INHABITANTS = "per 1.000 inwoners"


def is_approximation(method: object) -> bool:
    """A value taken from the buurt's postcode area (PC4), not measured for the buurt."""
    return isinstance(method, str) and method.startswith("pc4")


@dataclass
class SourceUse:
    dataset_key: str
    publisher: str
    title: str
    dataset_ids: list[str]
    periods: list[int]

    def citation(self) -> str:
        years = (
            " en ".join(str(p) for p in self.periods)
            if len(self.periods) <= 2
            else (", ".join(str(p) for p in self.periods[:-1]) + f" en {self.periods[-1]}")
        )
        ids = f" ({', '.join(i for i in self.dataset_ids if i)})" if any(self.dataset_ids) else ""
        return f"{self.publisher}, {self.title} {years}{ids}".replace("  ", " ")


@dataclass
class BuurtIndicators:
    gemeente: Gemeente
    edition: int
    start_year: int
    end_year: int
    table: pd.DataFrame  # one row per buurt
    periods: dict[str, tuple[int | None, int | None]]  # indicator -> (van, tot) used
    references: pd.DataFrame  # indicator, period, nl, gemeente, regio, reference, base
    indicators: list[Indicator]
    sources: list[SourceUse] = field(default_factory=list)
    methods: pd.DataFrame | None = None  # how values reached the edition
    reference: Reference = field(default_factory=Reference)
    reference_changes: dict[str, float] = field(default_factory=dict)
    min_inhabitants: int = MIN_INWONERS

    def reference_label(self) -> str:
        return self.reference.label(self.gemeente.name)


def _references(ind_values: pd.DataFrame, gemeente: str) -> pd.DataFrame:
    ref = ind_values[
        (ind_values.region_code == gemeente) | ind_values.region_code.str.startswith("NL")
    ].copy()
    ref["which"] = np.where(ref.region_code == gemeente, "gemeente", "nl")
    out = (
        ref.pivot_table(
            index=["indicator", "period"], columns="which", values="value", aggfunc="first"
        )
        .reindex(columns=["nl", "gemeente"])
        .reset_index()
    )
    out.columns.name = None
    return out


def _region_references(store: Store, reference: Reference, variables: list[str]) -> pd.DataFrame:
    """Reference values of a region: the gemeenten's published values, inhabitant-weighted."""
    long = store.gemeente_values(list(reference.codes), variables)
    if long.empty:
        return pd.DataFrame(columns=["indicator", "period", "regio"])
    values = indicator_values(long)
    people = values[values.indicator == "inwoners"][["region_code", "period", "value"]]
    values = values.merge(
        people.rename(columns={"value": "weight"}), on=["region_code", "period"], how="left"
    )
    values["weight"] = values.weight.fillna(1.0)
    values = values.dropna(subset=["value"])
    rows = []
    for (key, period), g in values.groupby(["indicator", "period"]):
        weights = g.weight if g.weight.sum() > 0 else None  # all unknown: plain mean
        rows.append(
            {"indicator": key, "period": period, "regio": np.average(g.value, weights=weights)}
        )
    return pd.DataFrame(rows, columns=["indicator", "period", "regio"])


def load_values(store: Store, gemeente: str, edition: int) -> pd.DataFrame:
    """Every catalogue indicator's values for the gemeente on ``edition`` (long)."""
    variables = sorted({v for ind in catalogue() for v in ind.variables})
    return values_on_edition(store, gemeente, edition, variables)


def buurt_indicators(
    store: Store,
    gemeente: str | Gemeente,
    start_year: int,
    end_year: int,
    *,
    edition: int | None = None,
    scheme: str = DEFAULT_SCHEME,
    k: int = 5,
    reference: Reference | None = None,
    min_inhabitants: int = MIN_INWONERS,
    long: pd.DataFrame | None = None,
) -> BuurtIndicators:
    """Level, index, change and class of every catalogue indicator for every buurt."""
    gm = gemeente if isinstance(gemeente, Gemeente) else resolve_gemeente(store, gemeente)
    reference = reference or Reference()
    edition = edition or default_edition(store, gm.code, end_year)
    indicators = list(catalogue())
    if long is None:
        long = load_values(store, gm.code, edition)
    ind_values = indicator_values(long)
    buurten = buurt_codes(store, gm.code, edition)
    refs = _references(ind_values, gm.code)
    if reference.kind == "regio":
        variables = sorted({v for ind in indicators for v in ind.variables})
        refs = refs.merge(
            _region_references(store, reference, variables), on=["indicator", "period"], how="outer"
        )
    at_buurt = ind_values[ind_values.region_code.isin(buurten.region_code)]
    table = buurten.set_index("region_code")
    population = _population(at_buurt, end_year)
    periods: dict[str, tuple[int | None, int | None]] = {}
    used, blocks, changes, ref_rows = [], [], {}, []
    cells = _Cells(at_buurt)
    ref_lookup = _ReferenceLookup(refs)
    for ind in indicators:
        available = cells.periods(ind.key)
        p_end = nearest(available, end_year)
        p_start = nearest(available, start_year, before=p_end) if p_end is not None else None
        if p_end is None and p_start is None:
            continue
        periods[ind.key] = (p_start, p_end)
        used.append(ind)
        ref_start, ref_end, base = _reference_pair(
            ref_lookup, ind, cells, population, reference, (p_start, p_end)
        )
        ref_rows.append({"indicator": ind.key, "base": base})
        changes[ind.key] = ref_end - ref_start if p_start is not None else np.nan
        blocks.append(
            _indicator_columns(
                ind, cells, ref_lookup, (p_start, p_end), (ref_start, ref_end), scheme, k
            )
        )
    # Leefbaarometer 3.0 is the primary liveability source: 2.0 only where 3.0 is absent
    superseded = {i.prefer_over for i in used if i.prefer_over and periods[i.key][1] is not None}
    used = [i for i in used if i.key not in superseded]
    periods = {k: v for k, v in periods.items() if k not in superseded}
    table = pd.concat([table, *blocks], axis=1, join="outer").loc[table.index].copy()
    table = _blank_small_areas(table, used, min_inhabitants)
    table = table.reset_index().assign(gemeente_code=gm.code, edition=edition)
    refs = _with_reference_column(refs, reference, pd.DataFrame(ref_rows))
    log.info(
        "%s: %d buurten, %d indicatoren (indeling %d)", gm.name, len(table), len(used), edition
    )
    methods = (
        long[long.region_code.str.startswith("BU")]
        .groupby(["dataset_key", "method", "source_edition"], as_index=False)
        .size()
    )
    return BuurtIndicators(
        gemeente=gm,
        edition=edition,
        start_year=start_year,
        end_year=end_year,
        table=table,
        periods=periods,
        references=refs,
        indicators=used,
        sources=_sources(store, long, periods, used, table.region_code),
        methods=methods,
        reference=reference,
        reference_changes=changes,
        min_inhabitants=min_inhabitants,
    )


def _population(at_buurt: pd.DataFrame, end_year: int) -> pd.Series:
    """Inhabitants per buurt in the year nearest to ``tot`` (weights for fallbacks)."""
    rows = at_buurt[(at_buurt.indicator == "inwoners")].dropna(subset=["value"])
    year = nearest(sorted(int(p) for p in rows.period.unique()), end_year)
    if year is None:
        return pd.Series(dtype=float)
    return rows[rows.period == year].set_index("region_code").value


def _reference_pair(
    refs: _ReferenceLookup,
    ind: Indicator,
    cells: _Cells,
    population: pd.Series,
    reference: Reference,
    years: tuple[int | None, int | None],
) -> tuple[float, float, str]:
    """The reference's value at start and end, and where it comes from.

    The published figure of the gemeente (region, NL) when there is one; for the gemeente
    reference without a published figure (postcode-based scores, extracts without a GM
    row) the inhabitant-weighted mean of its buurten, said so in ``base``.
    """
    values = [refs.value(ind.key, y, reference.column) for y in years]
    wanted = [y is not None for y in years]
    if all(pd.notna(v) for v, w in zip(values, wanted, strict=True) if w):
        return values[0], values[1], "gepubliceerd"
    # start and end from ONE source: mixing a published figure with a buurt mean would
    # put a systematic offset into every buurt's excess change
    if reference.kind == "gemeente":
        rows = cells.rows(ind.key)
        out = [
            _buurt_mean(rows[rows.period == y], population) if y is not None else np.nan
            for y in years
        ]
        return out[0], out[1], "berekend uit de buurten"
    if reference.kind == "nederland" and not ind.index:
        return 0.0, 0.0, "Nederland = 0 (afwijking)"
    return values[0], values[1], "gepubliceerd, niet voor elk jaar"


def _buurt_mean(rows: pd.DataFrame, population: pd.Series) -> float:
    values = rows.dropna(subset=["value"]).set_index("region_code").value
    if values.empty:
        return np.nan
    weights = population.reindex(values.index).fillna(0)
    if weights.sum() <= 0:
        return float(values.mean())
    return float(np.average(values, weights=weights))


def _with_reference_column(
    refs: pd.DataFrame, reference: Reference, bases: pd.DataFrame
) -> pd.DataFrame:
    for col in ("nl", "gemeente", "regio"):
        if col not in refs:
            refs[col] = np.nan
    refs["reference"] = refs[reference.column]
    if not bases.empty:
        refs = refs.merge(bases, on="indicator", how="left")
    return refs


class _Cells:
    """First non-missing value, status and method per indicator, period and buurt.

    What one pivot per indicator (``wide_first``) gave, grouped once for all indicators:
    those pivots were the hot part of every signal view. Rows keep their order, so
    "first" is the first row in the store's order, as before.
    """

    FIELDS = ("value", "status", "method")

    def __init__(self, at_buurt: pd.DataFrame) -> None:
        self._frame = at_buurt
        self._codes = at_buurt.region_code.to_numpy()
        self._groups: dict[str, dict[tuple[str, int], np.ndarray]] = {}
        for field_name in self.FIELDS:
            present = at_buurt[field_name].notna().to_numpy()
            keys = at_buurt.loc[present, ["indicator", "period", "region_code"]]
            first = ~keys.duplicated().to_numpy()
            positions = np.flatnonzero(present)[first]
            groups = at_buurt.iloc[positions].groupby(["indicator", "period"], sort=False)
            self._groups[field_name] = {key: positions[idx] for key, idx in groups.indices.items()}
        self._rows = at_buurt.groupby("indicator", sort=False).indices
        self._regions = {key: pd.unique(self._codes[idx]) for key, idx in self._rows.items()}

    def periods(self, key: str) -> list[int]:
        """The periods with at least one buurt value of the indicator, ascending."""
        return sorted(int(period) for ind, period in self._groups["value"] if ind == key)

    def rows(self, key: str) -> pd.DataFrame:
        """The indicator's rows, in their order."""
        return self._frame.iloc[self._rows.get(key, np.array([], dtype=np.intp))]

    def regions(self, key: str) -> np.ndarray:
        """Buurt codes with any row of the indicator, in order of first appearance."""
        return self._regions.get(key, np.array([], dtype=object))

    def get(self, field_name: str, key: str, period: int | None, default: object) -> object:
        """One field of every buurt in a period (a Series by buurt code), else ``default``."""
        rows = self._groups[field_name].get((key, period)) if period is not None else None
        if rows is None:
            return default
        return self._frame[field_name].iloc[rows].set_axis(pd.Index(self._codes[rows]))


class _ReferenceLookup:
    """The reference table by (indicator, period): one dictionary lookup per value."""

    def __init__(self, refs: pd.DataFrame) -> None:
        self._rows: dict[tuple[str, int], dict] = {}
        for row in refs.to_dict("records"):  # the first row of a key wins, as before
            self._rows.setdefault((row["indicator"], row["period"]), row)

    def value(self, key: str, period: int | None, column: str) -> float:
        """A reference column's value; NaN when absent, suppressed or not a column."""
        row = self._rows.get((key, period)) if period is not None else None
        if row is None or pd.isna(row.get(column, np.nan)):
            return np.nan
        return float(row[column])


def _indicator_columns(
    ind: Indicator,
    cells: _Cells,
    refs: _ReferenceLookup,
    years: tuple[int | None, int | None],
    reference_values: tuple[float, float],
    scheme: str,
    k: int,
) -> pd.DataFrame:
    key, (p_start, p_end), (ref_start, ref_end) = ind.key, years, reference_values
    index = pd.Index(cells.regions(key), name="region_code")
    out = pd.DataFrame(
        {
            f"{key}__start": cells.get("value", key, p_start, np.nan),
            f"{key}__end": cells.get("value", key, p_end, np.nan),
            f"{key}__status": cells.get("status", key, p_end, "ontbreekt"),
            f"{key}__method": cells.get("method", key, p_end, pd.NA),
        },
        index=index,
    )
    start, end = out[f"{key}__start"], out[f"{key}__end"]
    change = end - start
    with np.errstate(divide="ignore", invalid="ignore"):
        relative = change / start.where(start != 0)
    nl, gm = refs.value(key, p_end, "nl"), refs.value(key, p_end, "gemeente")
    nl_start = refs.value(key, p_start, "nl")
    if ind.unit != "klasse":
        classes = classify(end, scheme, k).classes
    else:
        classes = end.round().astype("Int64")
    more = {
        f"{key}__approximation": out[f"{key}__method"].map(is_approximation).astype(bool),
        f"{key}__change": change,
        f"{key}__relative": relative,
        f"{key}__index_nl": _ratio(end, nl, ind.index),
        f"{key}__index_gemeente": _ratio(end, gm, ind.index),
        f"{key}__index_nl_start": _ratio(start, nl_start, ind.index),
        f"{key}__index_ref": _ratio(end, ref_end, ind.index),
        f"{key}__index_ref_start": _ratio(start, ref_start, ind.index),
        f"{key}__deviation_ref": end - ref_end,
        f"{key}__change_ref": change - (ref_end - ref_start),
        f"{key}__class": classes,
    }
    return pd.concat([out, pd.DataFrame(more, index=index)], axis=1)


def _ratio(values: pd.Series, base: float, meaningful: bool) -> pd.Series:
    if not meaningful or not base or pd.isna(base):
        return pd.Series(np.nan, index=values.index)
    return values / base * 100


def _blank_small_areas(table: pd.DataFrame, used: list[Indicator], minimum: int) -> pd.DataFrame:
    """No rate per 1,000 inhabitants for buurten below ``minimum`` inhabitants."""
    if "inwoners__end" not in table:
        return table
    small = table["inwoners__end"] < minimum
    for ind in used:
        if ind.unit != PER_INHABITANTS:
            continue
        for col in [c for c in table.columns if c.startswith(f"{ind.key}__")]:
            if col.endswith(("__status", "__method", "__approximation")):
                continue
            table.loc[small, col] = np.nan
        table.loc[small & table[f"{ind.key}__status"].notna(), f"{ind.key}__status"] = SMALL_STATUS
    return table


def _sources(
    store: Store,
    long: pd.DataFrame,
    periods: dict[str, tuple[int | None, int | None]],
    used: list[Indicator],
    buurten: pd.Series,
) -> list[SourceUse]:
    """Exactly the datasets and years whose buurt values a result uses.

    Taken from the values themselves: for each indicator and each year it uses, the
    datasets of the buurt rows that hold a value (a rate also names its denominator's).
    """
    rows = long[long.region_code.isin(set(buurten)) & long.value.notna()]
    datasets = rows.groupby(["variable", "period"], sort=False).dataset_key.unique()
    found = {(variable, int(period)): keys for (variable, period), keys in datasets.items()}
    wanted: dict[str, set[int]] = {}
    for ind in used:
        for period in periods.get(ind.key, (None, None)):
            if period is None:
                continue
            for variable in ind.variables:
                for dataset in found.get((variable, int(period)), ()):
                    wanted.setdefault(str(dataset), set()).add(int(period))
    imports = store.imports()
    out = []
    for key, years in sorted(wanted.items()):
        rows_i = imports[imports.dataset_key == key]
        if rows_i.empty:
            continue
        ids = sorted(
            {
                i
                for i, pers in zip(rows_i.dataset_id, rows_i.periods, strict=False)
                if i and any(int(p) in years for p in list(pers))
            }
        )
        title = source_title(rows_i.title.iloc[0])
        out.append(SourceUse(key, rows_i.publisher.iloc[0], title, ids, sorted(years)))
    return out


def source_title(title: object) -> str:
    """A dataset title without its years, for citations that name the periods themselves.

    "Kerncijfers wijken en buurten 2019", "Gezondheid per wijk en buurt; 2012/2016/2020
    (indeling 2020)", "Leefbaarometer 2.0, meting 2018": keep the name, the periods follow.
    """
    name = str(title).split(";")[0].split(", meting")[0]
    return " ".join(w for w in name.split() if not (w.isdigit() and len(w) == 4))


def concentration_columns(result: BuurtIndicators) -> pd.DataFrame:
    """Composite concentration: mean index and mean change over the core indicators.

    The index is against the chosen reference (= 100; ``concentration_base`` names it);
    the change is the mean change of the core indicators in percentage points (the
    development map shows it as is; the rules test the excess over the reference).
    """
    core = [i for i in result.indicators if i.core and i.group == "kwetsbaarheid" and i.unit == "%"]
    t = result.table
    base = result.reference_label()
    if not core:
        return pd.DataFrame(
            {
                "concentration_index": np.nan,
                "concentration_change": np.nan,
                "concentration_base": base,
            },
            index=t.index,
        )
    index = t[[f"{i.key}__index_ref" for i in core]].mean(axis=1, skipna=True)
    change = t[[f"{i.key}__change" for i in core]].mean(axis=1, skipna=True)
    return pd.DataFrame(
        {"concentration_index": index, "concentration_change": change, "concentration_base": base},
        index=t.index,
    )


def rankable(table: pd.DataFrame, minimum: int = MIN_INWONERS) -> pd.DataFrame:
    """Buurten large enough to rank (see :data:`MIN_INWONERS`); small areas are marked."""
    if "typology" in table:
        table = table[~table["typology"].isin(["KLEIN", "ONV"])]
    if "inwoners__end" not in table:
        return table
    return table[table["inwoners__end"] >= minimum]

"""Per buurt: level, index (NL = 100 and gemeente = 100), change and classes.

One row per buurt of the reference edition; columns ``<indicator>__<measure>``
with measure in: van, tot (levels at the matched periods), verschil (percentage
points / units), relatief (fraction), index_nl, index_gemeente, klasse, status.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from veerkracht.gemeenten import Gemeente, resolve_gemeente
from veerkracht.indicators import Indicator, catalogue, indicator_values
from veerkracht.signals._data import (
    buurt_codes,
    default_edition,
    match_period,
    values_on_edition,
)
from veerkracht.signals.classes import classify
from veerkracht.store import Store

log = logging.getLogger(__name__)

MEASURES = ("van", "tot", "verschil", "relatief", "index_nl", "index_gemeente", "klasse", "status")


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
    van: int
    tot: int
    table: pd.DataFrame  # one row per buurt
    periods: dict[str, tuple[int | None, int | None]]  # indicator -> (van, tot) used
    references: pd.DataFrame  # indicator, period, nl, gemeente
    indicators: list[Indicator]
    sources: list[SourceUse] = field(default_factory=list)
    methods: pd.DataFrame | None = None  # how values reached the edition


def _period_choice(available: list[int], van: int, tot: int) -> tuple[int | None, int | None]:
    p_tot = match_period(available, tot)
    if p_tot is None:
        return match_period(available, van), None
    p_van = match_period([p for p in available if p < p_tot], van)
    return p_van, p_tot


def _references(ind_values: pd.DataFrame, gemeente: str) -> pd.DataFrame:
    ref = ind_values[
        (ind_values.region_code == gemeente) | ind_values.region_code.str.startswith("NL")
    ].copy()
    ref["which"] = np.where(ref.region_code == gemeente, "gemeente", "nl")
    return (
        ref.pivot_table(
            index=["indicator", "period"], columns="which", values="value", aggfunc="first"
        )
        .reindex(columns=["nl", "gemeente"])
        .reset_index()
    )


def buurt_indicators(
    store: Store,
    gemeente: str,
    van: int,
    tot: int,
    *,
    edition: int | None = None,
    scheme: str = "kwantielen",
    k: int = 5,
) -> BuurtIndicators:
    """Level, index, change and class of every catalogue indicator for every buurt."""
    gm = resolve_gemeente(store, gemeente)
    edition = edition or default_edition(store, gm.code, tot)
    indicators = list(catalogue())
    variables = sorted({v for ind in indicators for v in ind.variables})
    long = values_on_edition(store, gm.code, edition, variables)
    ind_values = indicator_values(long)
    buurten = buurt_codes(store, gm.code, edition)
    refs = _references(ind_values, gm.code)
    at_buurt = ind_values[ind_values.region_code.isin(buurten.region_code)]

    table = buurten.rename(columns={"name": "naam"}).set_index("region_code")
    periods: dict[str, tuple[int | None, int | None]] = {}
    used = []
    blocks = []
    for ind in indicators:
        rows = at_buurt[at_buurt.indicator == ind.key]
        available = sorted(int(p) for p in rows.period.unique())
        p_van, p_tot = _period_choice(available, van, tot)
        if p_tot is None and p_van is None:
            continue
        periods[ind.key] = (p_van, p_tot)
        used.append(ind)
        blocks.append(_indicator_columns(ind, rows, refs, p_van, p_tot, scheme, k))
    table = pd.concat([table, *blocks], axis=1, join="outer").loc[table.index].copy()
    table = table.reset_index().assign(gemeente_code=gm.code, indeling=edition)
    log.info(
        "%s: %d buurten, %d indicatoren (indeling %d, %d–%d)",
        gm.name,
        len(table),
        len(used),
        edition,
        van,
        tot,
    )
    methods = (
        long[long.region_code.str.startswith("BU")]
        .groupby(["dataset_key", "method", "source_edition"], as_index=False)
        .size()
    )
    return BuurtIndicators(
        gemeente=gm,
        edition=edition,
        van=van,
        tot=tot,
        table=table,
        periods=periods,
        references=refs,
        indicators=used,
        sources=_sources(store, long, periods, used),
        methods=methods,
    )


def _indicator_columns(
    ind: Indicator,
    rows: pd.DataFrame,
    refs: pd.DataFrame,
    p_van: int | None,
    p_tot: int | None,
    scheme: str,
    k: int,
) -> pd.DataFrame:
    by_period = rows.pivot_table(
        index="region_code", columns="period", values="value", aggfunc="first"
    )
    status = rows.pivot_table(
        index="region_code", columns="period", values="status", aggfunc="first"
    )
    out = pd.DataFrame(index=rows.region_code.unique())
    out.index.name = "region_code"
    key = ind.key
    out[f"{key}__van"] = by_period.get(p_van, np.nan)
    out[f"{key}__tot"] = by_period.get(p_tot, np.nan)
    out[f"{key}__status"] = status.get(p_tot, "ontbreekt")
    out[f"{key}__verschil"] = out[f"{key}__tot"] - out[f"{key}__van"]
    with np.errstate(divide="ignore", invalid="ignore"):
        out[f"{key}__relatief"] = out[f"{key}__verschil"] / out[f"{key}__van"].where(
            out[f"{key}__van"] != 0
        )
    nl, gm = _reference(refs, key, p_tot)
    nl_van, _ = _reference(refs, key, p_van)
    if ind.index:
        out[f"{key}__index_nl"] = out[f"{key}__tot"] / nl * 100 if nl else np.nan
        out[f"{key}__index_gemeente"] = out[f"{key}__tot"] / gm * 100 if gm else np.nan
        out[f"{key}__index_nl_van"] = out[f"{key}__van"] / nl_van * 100 if nl_van else np.nan
    else:
        out[f"{key}__index_nl"] = np.nan
        out[f"{key}__index_gemeente"] = np.nan
        out[f"{key}__index_nl_van"] = np.nan
    if ind.unit != "klasse":
        out[f"{key}__klasse"] = classify(out[f"{key}__tot"], scheme, k).classes
    else:
        out[f"{key}__klasse"] = out[f"{key}__tot"].round().astype("Int64")
    return out


def _reference(refs: pd.DataFrame, key: str, period: int | None) -> tuple[float, float]:
    """NL and gemeente value of an indicator in a period (NaN when absent or suppressed)."""
    ref = refs[(refs.indicator == key) & (refs.period == period)]
    if ref.empty:
        return np.nan, np.nan
    nl, gm = ref.nl.iloc[0], ref.gemeente.iloc[0]
    return (float(nl) if pd.notna(nl) else np.nan, float(gm) if pd.notna(gm) else np.nan)


def _sources(
    store: Store,
    long: pd.DataFrame,
    periods: dict[str, tuple[int | None, int | None]],
    used: list[Indicator],
) -> list[SourceUse]:
    wanted: dict[str, set[int]] = {}
    for ind in used:
        for p in periods.get(ind.key, (None, None)):
            if p is not None:
                wanted.setdefault(ind.source, set()).add(p)
                for var in ind.variables:
                    # a derived rate also uses the denominator's dataset
                    ds = long.loc[long.variable == var, "dataset_key"]
                    if not ds.empty and ds.iloc[0] != ind.source:
                        wanted.setdefault(ds.iloc[0], set()).add(p)
    imports = store.imports()
    out = []
    for key, ps in sorted(wanted.items()):
        rows = imports[imports.dataset_key == key]
        if rows.empty:
            continue
        ids = sorted(
            {
                i
                for i, pers in zip(rows.dataset_id, rows.periods, strict=False)
                if i and any(int(p) in ps for p in list(pers))
            }
        )
        title = source_title(rows.title.iloc[0])
        out.append(SourceUse(key, rows.publisher.iloc[0], title, ids, sorted(ps)))
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

    The index is against NL (= 100); when no national figure is published for the
    period (early KWB releases, extracts without the NL row) it is against the gemeente,
    and ``concentratie_basis`` says so, so maps and tables can label it honestly.
    """
    core = [i for i in result.indicators if i.core and i.group == "kwetsbaarheid" and i.unit == "%"]
    t = result.table
    if not core:
        return pd.DataFrame(
            {
                "concentratie_index": np.nan,
                "concentratie_verschil": np.nan,
                "concentratie_basis": "NL",
            },
            index=t.index,
        )
    index = t[[f"{i.key}__index_nl" for i in core]].mean(axis=1, skipna=True)
    basis = "NL"
    if index.isna().all():
        index = t[[f"{i.key}__index_gemeente" for i in core]].mean(axis=1, skipna=True)
        basis = "gemeente"
    change = t[[f"{i.key}__verschil" for i in core]].mean(axis=1, skipna=True)
    return pd.DataFrame(
        {"concentratie_index": index, "concentratie_verschil": change, "concentratie_basis": basis},
        index=t.index,
    )


#: Rankings ("the buurten with the highest concentration") leave out buurten with fewer
#: inhabitants: there a handful of households moves a percentage by tens of points
#: (business parks, sports parks), which would top every list without meaning much.
MIN_INWONERS_RANKING = 200


def rankable(table: pd.DataFrame) -> pd.DataFrame:
    """Buurten large enough to rank (see :data:`MIN_INWONERS_RANKING`)."""
    if "inwoners__tot" not in table:
        return table
    return table[table["inwoners__tot"] >= MIN_INWONERS_RANKING]

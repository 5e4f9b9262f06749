"""Corporation-share analyses (study figures 8-13).

- index of each vulnerability indicator by corporation-share bin, for two periods;
- development of liveability (total and dimensions) by corporation-share bin, and the
  share at which that development turns negative (the study found ~40-50 % for the
  total score and ~60 % for safety, nationally);
- liveability development by starting class (whole NL, at PC4 level).
"""

from __future__ import annotations

from itertools import pairwise
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from veerkracht.signals.compute import BuurtIndicators
    from veerkracht.store import Store

BIN_EDGES = [0, 10, 20, 30, 40, 50, 60, 70, 80, np.inf]
BIN_LABELS = [
    "0–10%",
    "10–20%",
    "20–30%",
    "30–40%",
    "40–50%",
    "50–60%",
    "60–70%",
    "70–80%",
    "≥ 80%",
]
BIN_MIDPOINTS = [5, 15, 25, 35, 45, 55, 65, 75, 85]
#: household-based rates are weighted by households, the rest by inhabitants
HOUSEHOLD_INDICATORS = {
    "laag_inkomen",
    "sociaal_minimum",
    "sociaal_minimum_110",
    "sociaal_minimum_120",
}


def corporation_bin(share: pd.Series) -> pd.Series:
    return pd.cut(share, BIN_EDGES, right=False, labels=BIN_LABELS)


def _bin_sums(result: BuurtIndicators) -> pd.DataFrame:
    """Weighted sums per indicator, period and corporation-share bin (to pool gemeenten)."""
    t = result.table
    rows = []
    for ind in result.indicators:
        if ind.group != "kwetsbaarheid" or not ind.index:
            continue
        for which, period in zip(("van", "tot"), result.periods[ind.key], strict=True):
            if period is None or f"corporatiebezit__{which}" not in t:
                continue
            weight_key = "huishoudens" if ind.key in HOUSEHOLD_INDICATORS else "inwoners"
            frame = pd.DataFrame(
                {
                    "bin": corporation_bin(t[f"corporatiebezit__{which}"]),
                    "value": t[f"{ind.key}__{which}"],
                    "weight": t.get(f"{weight_key}__{which}", pd.Series(1.0, index=t.index)),
                }
            ).dropna()
            nl = result.references.query("indicator == @ind.key and period == @period").nl
            for label, group in frame.groupby("bin", observed=True):
                rows.append(
                    {
                        "indicator": ind.key,
                        "label": ind.label,
                        "periode": period,
                        "corporatiebezit": label,
                        "buurten": len(group),
                        "som": float((group.value * group.weight).sum()),
                        "gewicht": float(group.weight.sum()),
                        "nl": float(nl.iloc[0]) if len(nl) and pd.notna(nl.iloc[0]) else np.nan,
                    }
                )
    return pd.DataFrame(rows)


def _curves_from_sums(sums: pd.DataFrame) -> pd.DataFrame:
    if sums.empty:
        return pd.DataFrame(
            columns=[
                "indicator",
                "label",
                "periode",
                "corporatiebezit",
                "buurten",
                "waarde",
                "index_nl",
            ]
        )
    pooled = sums.groupby(
        ["indicator", "label", "periode", "corporatiebezit"], observed=True, as_index=False
    ).agg(
        buurten=("buurten", "sum"),
        som=("som", "sum"),
        gewicht=("gewicht", "sum"),
        nl=("nl", "first"),
    )
    pooled["waarde"] = pooled.som / pooled.gewicht.where(pooled.gewicht > 0)
    pooled["index_nl"] = pooled.waarde / pooled.nl * 100
    order = {label: i for i, label in enumerate(BIN_LABELS)}
    pooled = pooled.sort_values(
        ["indicator", "periode", "corporatiebezit"],
        key=lambda c: c.map(order) if c.name == "corporatiebezit" else c,
    )
    return pooled[
        ["indicator", "label", "periode", "corporatiebezit", "buurten", "waarde", "index_nl"]
    ].reset_index(drop=True)


def corporation_share_curves(result: BuurtIndicators | list[BuurtIndicators]) -> pd.DataFrame:
    """Index (NL = 100) per vulnerability indicator, corporation-share bin and period.

    Give one gemeente's result, or several (a region, or every gemeente in the store for
    NL): their buurten are pooled, weighted by households or inhabitants.
    """
    results = result if isinstance(result, list) else [result]
    return _curves_from_sums(pd.concat([_bin_sums(r) for r in results], ignore_index=True))


def corporation_share_curves_for(
    store: Store, gemeenten: list[str] | None, van: int, tot: int
) -> tuple[pd.DataFrame, list[str]]:
    """Curves for a region (list of gemeenten) or, with ``None``, every gemeente in the store.

    Returns the curves and the gemeenten that were left out (no KWB buurt data), each with
    the reason, so a 'national' curve says what it is built from.
    """
    from veerkracht.errors import VeerkrachtError
    from veerkracht.signals.compute import buurt_indicators

    codes = gemeenten if gemeenten is not None else store.gemeenten().gemeente_code.tolist()
    results, skipped = [], []
    for code in codes:
        try:
            result = buurt_indicators(store, code, van, tot)
        except VeerkrachtError as exc:
            skipped.append(f"{code}: {exc.message}")
            continue
        if result.periods.get("corporatiebezit", (None, None))[1] is None:
            skipped.append(f"{code}: geen corporatiebezit per buurt rond {tot}")
            continue
        results.append(result)
    return corporation_share_curves(results), skipped


def liveability_by_corporation_share(result: BuurtIndicators) -> pd.DataFrame:
    """Mean change in Leefbaarometer total and dimensions per corporation-share bin."""
    t = result.table
    keys = [
        i.key
        for i in result.indicators
        if i.key.startswith(("lbm2_", "lbm3_", "overlast_lbm")) and i.unit == "score"
    ]
    share = t.get("corporatiebezit__van")
    if share is None or not keys:
        return pd.DataFrame(
            columns=["indicator", "corporatiebezit", "buurten", "gemiddelde_verandering"]
        )
    rows = []
    for key in keys:
        frame = pd.DataFrame(
            {
                "bin": corporation_bin(share),
                "change": t[f"{key}__verschil"],
                "weight": t.get("inwoners__van", pd.Series(1.0, index=t.index)),
            }
        ).dropna()
        for label, group in frame.groupby("bin", observed=True):
            rows.append(
                {
                    "indicator": key,
                    "corporatiebezit": label,
                    "buurten": len(group),
                    "gemiddelde_verandering": (
                        np.average(group.change, weights=group.weight)
                        if group.weight.sum() > 0
                        else np.nan
                    ),
                }
            )
    return pd.DataFrame(rows)


def turning_point(curve: pd.DataFrame) -> float | None:
    """Corporation share (%) where mean development first turns from >= 0 to < 0.

    Linear interpolation between bin midpoints; None when it never turns negative
    (or is negative from the first bin).
    """
    mids = dict(zip(BIN_LABELS, BIN_MIDPOINTS, strict=True))
    pts = [
        (mids[str(b)], v)
        for b, v in zip(curve.corporatiebezit, curve.gemiddelde_verandering, strict=True)
    ]
    pts.sort()
    for (x0, y0), (x1, y1) in pairwise(pts):
        if y0 >= 0 > y1:
            return float(x0 + (x1 - x0) * y0 / (y0 - y1))
    return None


def turning_points(liveability: pd.DataFrame) -> pd.DataFrame:
    rows = [
        {"indicator": key, "omslagpunt_corporatiebezit": turning_point(group)}
        for key, group in liveability.groupby("indicator")
    ]
    return pd.DataFrame(rows)


def liveability_by_start_class(store: Store, van: int, tot: int) -> pd.DataFrame:
    """Whole NL at PC4: development of the Leefbaarometer 2.0 score by class at the start."""
    frame = store.query(
        """WITH k AS (SELECT region_code, value AS klasse FROM "values"
                      WHERE variable = 'lbm2.klasse' AND level = 'pc4' AND period = ?),
                a AS (SELECT region_code, value AS score_van FROM "values"
                      WHERE variable = 'lbm2.totaal' AND level = 'pc4' AND period = ?),
                b AS (SELECT region_code, value AS score_tot FROM "values"
                      WHERE variable = 'lbm2.totaal' AND level = 'pc4' AND period = ?)
           SELECT CAST(k.klasse AS INTEGER) AS startklasse, count(*) AS pc4,
                  avg(b.score_tot - a.score_van) AS gemiddelde_verandering,
                  avg(CASE WHEN b.score_tot > a.score_van THEN 1.0 ELSE 0.0 END) AS aandeel_vooruit
           FROM k JOIN a USING (region_code) JOIN b USING (region_code)
           GROUP BY ALL ORDER BY startklasse""",
        [van, van, tot],
    )
    from veerkracht.signals.maps import LBM_CLASSES

    frame["klasse"] = frame.startklasse.astype(str).map(lambda c: LBM_CLASSES.get(c, (c, ""))[0])
    return frame

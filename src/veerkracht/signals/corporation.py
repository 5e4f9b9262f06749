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

from veerkracht.errors import VeerkrachtError
from veerkracht.signals.compute import buurt_indicators
from veerkracht.signals.maps import LBM_CLASSES

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
    t, refs = result.table, result.references
    bins = {
        which: corporation_bin(t[f"corporatiebezit__{which}"])
        for which in ("start", "end")
        if f"corporatiebezit__{which}" in t
    }
    rows = []
    for ind in result.indicators:
        if ind.group != "kwetsbaarheid" or not ind.index:
            continue
        for which, period in zip(("start", "end"), result.periods[ind.key], strict=True):
            if period is None or which not in bins:
                continue
            weight_key = "huishoudens" if ind.key in HOUSEHOLD_INDICATORS else "inwoners"
            frame = pd.DataFrame(
                {
                    "bin": bins[which],
                    "value": t[f"{ind.key}__{which}"],
                    "weight": t.get(f"{weight_key}__{which}", pd.Series(1.0, index=t.index)),
                }
            ).dropna()
            nl = refs.nl[(refs.indicator == ind.key) & (refs.period == period)]
            nl_value = float(nl.iloc[0]) if len(nl) and pd.notna(nl.iloc[0]) else np.nan
            codes = frame.bin.cat.codes.to_numpy()
            value, weight = frame.value.to_numpy(float), frame.weight.to_numpy(float)
            # per bin in category order, members in table order: the sums add the same
            # numbers in the same order as a groupby per bin did
            for code in np.unique(codes):
                members = codes == code
                rows.append(
                    {
                        "indicator": ind.key,
                        "label": ind.label,
                        "period": period,
                        "corporation_share": BIN_LABELS[code],
                        "buurten": int(members.sum()),
                        "weighted_sum": float((value[members] * weight[members]).sum()),
                        "weight": float(weight[members].sum()),
                        "nl": nl_value,
                    }
                )
    return pd.DataFrame(rows)


def _curves_from_sums(sums: pd.DataFrame) -> pd.DataFrame:
    if sums.empty:
        return pd.DataFrame(
            columns=[
                "indicator",
                "label",
                "period",
                "corporation_share",
                "buurten",
                "value",
                "index_nl",
            ]
        )
    pooled = sums.groupby(
        ["indicator", "label", "period", "corporation_share"], observed=True, as_index=False
    ).agg(
        buurten=("buurten", "sum"),
        weighted_sum=("weighted_sum", "sum"),
        weight=("weight", "sum"),
        nl=("nl", "first"),
    )
    pooled["value"] = pooled.weighted_sum / pooled.weight.where(pooled.weight > 0)
    pooled["index_nl"] = pooled.value / pooled.nl * 100
    order = {label: i for i, label in enumerate(BIN_LABELS)}
    pooled = pooled.sort_values(
        ["indicator", "period", "corporation_share"],
        key=lambda c: c.map(order) if c.name == "corporation_share" else c,
    )
    return pooled[
        ["indicator", "label", "period", "corporation_share", "buurten", "value", "index_nl"]
    ].reset_index(drop=True)


def corporation_share_curves(result: BuurtIndicators | list[BuurtIndicators]) -> pd.DataFrame:
    """Index (NL = 100) per vulnerability indicator, corporation-share bin and period.

    Give one gemeente's result, or several (a region, or every gemeente in the store for
    NL): their buurten are pooled, weighted by households or inhabitants.
    """
    results = result if isinstance(result, list) else [result]
    return _curves_from_sums(pd.concat([_bin_sums(r) for r in results], ignore_index=True))


def corporation_share_curves_for(
    store: Store, gemeenten: list[str] | None, start_year: int, end_year: int
) -> tuple[pd.DataFrame, list[str]]:
    """Curves for a region (list of gemeenten) or, with ``None``, every gemeente in the store.

    Returns the curves and the gemeenten that were left out (no KWB buurt data), each with
    the reason, so a 'national' curve says what it is built from.
    """
    codes = gemeenten if gemeenten is not None else store.gemeenten().gemeente_code.tolist()
    # only gemeenten with the corporation share per buurt can contribute: find them in one
    # query instead of computing every gemeente's indicators to learn it
    share = store.buurt_variable_years(["kwb.p_wcorpw"])
    with_share = set(share.gemeente_code)
    results, skipped = [], []
    for code in [c for c in codes if c not in with_share]:
        skipped.append(f"{code}: geen corporatiebezit per buurt in de store")
    for code in [c for c in codes if c in with_share]:
        try:
            result = buurt_indicators(store, code, start_year, end_year)
        except VeerkrachtError as exc:
            skipped.append(f"{code}: {exc.message}")
            continue
        if result.periods.get("corporatiebezit", (None, None))[1] is None:
            skipped.append(f"{code}: geen corporatiebezit per buurt rond {end_year}")
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
    share = t.get("corporatiebezit__start")
    if share is None or not keys:
        return pd.DataFrame(
            columns=["indicator", "corporation_share", "buurten", "mean_change"]
        )
    rows = []
    for key in keys:
        frame = pd.DataFrame(
            {
                "bin": corporation_bin(share),
                "change": t[f"{key}__change"],
                "weight": t.get("inwoners__start", pd.Series(1.0, index=t.index)),
            }
        ).dropna()
        for label, group in frame.groupby("bin", observed=True):
            rows.append(
                {
                    "indicator": key,
                    "corporation_share": label,
                    "buurten": len(group),
                    "mean_change": (
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
        for b, v in zip(curve.corporation_share, curve.mean_change, strict=True)
    ]
    pts.sort()
    for (x0, y0), (x1, y1) in pairwise(pts):
        if y0 >= 0 > y1:
            return float(x0 + (x1 - x0) * y0 / (y0 - y1))
    return None


#: bootstrap resamples for turning points (fixed seed: the same data give the same text)
BOOTSTRAP = 1000
SEED = 20180101
MIN_GROUP = 10  # groups (bins, classes) with fewer buurten are marked and not used


_EDGES = np.array(BIN_EDGES[1:-1], dtype=float)  # inner bin edges (right-open bins)


_MIDS = np.array(BIN_MIDPOINTS, dtype=float)


def _bin_means(
    share: np.ndarray, change: np.ndarray, weight: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Bin midpoints and weighted mean change of the bins with >= ``MIN_GROUP`` buurten."""
    idx = np.digitize(share, _EDGES)  # 0..8, the same right-open bins as corporation_bin
    k = len(BIN_LABELS)
    n = np.bincount(idx, minlength=k)
    w = np.bincount(idx, weights=weight, minlength=k)
    wc = np.bincount(idx, weights=weight * change, minlength=k)
    keep = (n >= MIN_GROUP) & (w > 0)
    return _MIDS[keep], wc[keep] / w[keep]


def _first_turn(xs: np.ndarray, ys: np.ndarray) -> float | None:
    """Where the mean first turns from >= 0 to < 0 (as :func:`turning_point`)."""
    turns = np.flatnonzero((ys[:-1] >= 0) & (ys[1:] < 0))
    if not len(turns):
        return None
    i = turns[0]
    return float(xs[i] + (xs[i + 1] - xs[i]) * ys[i] / (ys[i] - ys[i + 1]))


def _resamples(n: int) -> np.ndarray:
    """``BOOTSTRAP`` resamples of ``n`` buurten (rows), drawn one by one as before: the
    same seed gives the same resamples, so the published intervals do not move."""
    rng = np.random.default_rng(SEED)
    return np.stack([rng.integers(0, n, n) for _ in range(BOOTSTRAP)])


def _bootstrap(
    arrays: list[np.ndarray], point: float | None
) -> tuple[list[float], int, int, int]:
    """Turning points of the resamples and how many resamples (a) turn once, (b) have a
    positive mean development below ``point`` and (c) a negative one from it on.

    All resamples at once: one bincount over (resample, bin) instead of a loop of numpy
    calls per resample (0.4 s of every ``veerkracht signalen``); the bin sums add the
    same numbers in the same order, so every figure is the same as resample by resample.
    """
    share, change, weight = arrays
    idx = _resamples(len(share))
    k = len(BIN_LABELS)
    cells = (np.digitize(share, _EDGES)[idx] + k * np.arange(BOOTSTRAP)[:, None]).ravel()

    def per_bin(values: np.ndarray | None) -> np.ndarray:
        w = None if values is None else values[idx].ravel()
        return np.bincount(cells, weights=w, minlength=k * BOOTSTRAP).reshape(BOOTSTRAP, k)

    n, w, wc = per_bin(None), per_bin(weight), per_bin(weight * change)
    keep = (n >= MIN_GROUP) & (w > 0)
    points, single = [], 0
    for row in range(BOOTSTRAP):
        ys = wc[row, keep[row]] / w[row, keep[row]]
        tp = _first_turn(_MIDS[keep[row]], ys)
        if tp is not None:
            points.append(tp)
        # one turn only: non-negative up to the turn, negative from it on (a curve whose
        # bin means change sign several times is noise, not a turning point)
        signs = ys < 0
        if signs.any() and not signs[0] and not np.any(signs[:-1] & ~signs[1:]):
            single += 1
    if point is None:
        return points, single, 0, 0
    s, c, ww = share[idx], change[idx], weight[idx]
    low = s < point
    # the sign of a weighted mean is the sign of its weighted sum (weights > 0)
    w_low, w_high = np.where(low, ww, 0.0).sum(axis=1), np.where(low, 0.0, ww).sum(axis=1)
    cw = c * ww
    s_low, s_high = np.where(low, cw, 0.0).sum(axis=1), np.where(low, 0.0, cw).sum(axis=1)
    below_pos = int(np.sum((w_low > 0) & (s_low > 0)))
    above_neg = int(np.sum((w_high > 0) & (s_high < 0)))
    return points, single, below_pos, above_neg


def turning_point_test(
    share: pd.Series, change: pd.Series, weight: pd.Series | None = None
) -> dict:
    """A turning point with a bootstrap confidence interval, only where it is significant.

    Resamples buurten (``BOOTSTRAP`` times, fixed seed), bins of at least ``MIN_GROUP``
    buurten. The turning point counts (``significant``) only when (a) in at least 95 % of
    the resamples the bin means change sign exactly once, from >= 0 to < 0, and (b) the
    weighted mean development below the point is above zero and the one from it on below
    zero in at least 97.5 % of the resamples each (one-sided 95 % intervals exclude
    zero). Otherwise the answer is "geen duidelijk omslagpunt".
    """
    frame = pd.DataFrame({"share": share, "change": change})
    frame["weight"] = 1.0 if weight is None else weight
    frame = frame.dropna()
    frame = frame[frame.weight > 0]
    out = {
        "n": len(frame),
        "turning_point": None,
        "ci_low": None,
        "ci_high": None,
        "significant": False,
        "share_turning": 0.0,
    }
    if len(frame) < 2 * MIN_GROUP:
        return out
    arrays = [frame[c].to_numpy(float) for c in ("share", "change", "weight")]
    point = _first_turn(*_bin_means(*arrays))
    out["turning_point"] = point
    points, single, below_pos, above_neg = _bootstrap(arrays, point)
    out["share_turning"] = len(points) / BOOTSTRAP
    if points:
        out["ci_low"], out["ci_high"] = (float(q) for q in np.percentile(points, [2.5, 97.5]))
    out["significant"] = bool(
        point is not None
        and single / BOOTSTRAP >= 0.95
        and below_pos / BOOTSTRAP >= 0.975
        and above_neg / BOOTSTRAP >= 0.975
    )
    return out


def turning_points(
    liveability: pd.DataFrame, result: BuurtIndicators | None = None
) -> pd.DataFrame:
    """Per Leefbaarometer measure: turning point, 95 % interval, n and whether it holds."""
    rows = []
    t = result.table if result is not None else None
    if t is not None and "typology" in t:
        t = t[t.typology != "KLEIN"]  # a handful of households is not a pattern
    for key, group in liveability.groupby("indicator"):
        row = {"indicator": key, "turning_point": turning_point(group)}
        if t is not None and f"{key}__change" in t and "corporatiebezit__start" in t:
            test = turning_point_test(
                t["corporatiebezit__start"],
                t[f"{key}__change"],
                t.get("inwoners__start"),
            )
            row.update(
                turning_point=test["turning_point"],
                ci_low=test["ci_low"],
                ci_high=test["ci_high"],
                n=test["n"],
                significant=test["significant"],
                bootstrap_share_turning=test["share_turning"],
            )
        rows.append(row)
    return pd.DataFrame(rows)


def liveability_by_end_class(store: Store, start_year: int, end_year: int) -> pd.DataFrame:
    """Whole NL at PC4 (study figure 8): development of the Leefbaarometer 2.0 total score
    from ``start_year`` to ``end_year``, grouped by the liveability class at the END year.

    Per class: n (PC4 areas), mean change with a 95 % interval (mean ± 1,96 standard
    errors), and the share of areas that improved; classes with fewer than ``MIN_GROUP``
    areas are kept but marked ``too_small`` so charts leave them out.
    """
    frame = store.lbm2_pc4_development(start_year, end_year)
    rows = []
    for end_class, group in frame.groupby("end_class"):
        change = group.score_end - group.score_start
        n = len(change)
        se = float(change.std(ddof=1) / np.sqrt(n)) if n > 1 else np.nan
        mean = float(change.mean())
        rows.append(
            {
                "end_class": int(end_class),
                "pc4": n,
                "mean_change": mean,
                "ci_low": mean - 1.96 * se,
                "ci_high": mean + 1.96 * se,
                "share_improved": float((change > 0).mean()),
                "too_small": n < MIN_GROUP,
            }
        )
    out = pd.DataFrame(
        rows,
        columns=[
            "end_class",
            "pc4",
            "mean_change",
            "ci_low",
            "ci_high",
            "share_improved",
            "too_small",
        ],
    )

    out["class_label"] = out.end_class.astype(str).map(lambda c: LBM_CLASSES.get(c, (c, ""))[0])
    return out


def corporation_correlation(result: BuurtIndicators, key: str) -> dict | None:
    """Spearman rank correlation of corporation share and an indicator over the buurten."""
    t = result.table
    if "corporatiebezit__end" not in t or f"{key}__end" not in t:
        return None
    keep = ~t.get("typology", pd.Series("", index=t.index)).eq("KLEIN")
    frame = t.loc[keep, ["corporatiebezit__end", f"{key}__end"]].dropna()
    if len(frame) < 2 * MIN_GROUP:
        return None
    # lazy: scipy.stats 0.7 s; signalen 5.9 s instead of 3.6 s
    from scipy.stats import spearmanr

    rho, p = spearmanr(frame.iloc[:, 0], frame.iloc[:, 1])
    return {"rho": float(rho), "p": float(p), "n": len(frame)}

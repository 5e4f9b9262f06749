"""What every rule gets (the context) and gives (the outcome), and shared helpers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd

from veerkracht.indicators import Indicator
from veerkracht.numbers import number as fmt  # noqa: F401 - the one Dutch formatter, for the rules


@dataclass(frozen=True)
class Threshold:
    """A threshold's Dutch face: its key under ``[drempels]`` in ``typology.toml`` (what users
    edit and see in the report) and its explanation for the report's method table. The code
    names it in English: the key of the ``THRESHOLDS`` dict that holds this record."""

    toml_key: str
    explanation: str


@dataclass
class RuleContext:
    table: pd.DataFrame  # the indicator table (see signals.compute), one row per buurt
    indicators: list[Indicator]
    thresholds: Mapping[str, Any]  # English name -> value (signals.typology.Thresholds)
    reference_label: str = "Nederland = 100"
    reference_changes: dict[str, float] = field(default_factory=dict)

    def core(self, group: str) -> list[Indicator]:
        """Core indicators of a group that the table carries."""
        return [
            i
            for i in self.indicators
            if i.core and i.group == group and f"{i.key}__end" in self.table
        ]

    def column(self, ind: Indicator, measure: str) -> pd.Series:
        name = f"{ind.key}__{measure}"
        if name in self.table:
            return self.table[name]
        return pd.Series(np.nan, index=self.table.index)

    def buurt_level(self, ind: Indicator) -> pd.Series:
        """True where the end value was measured for the buurt (not taken from its PC4)."""
        approx = self.table.get(f"{ind.key}__approximation")
        if approx is None:
            return pd.Series(True, index=self.table.index)
        return ~approx.fillna(False).astype(bool)


@dataclass
class RuleOutcome:
    fired: pd.Series  # bool per buurt
    reasons: pd.Series  # list[str] per buurt: why it fired
    support: pd.Series | None = None  # list[str]: values shown but not decisive (PC4)
    step: pd.Series | None = None  # 1..3 (Int64) for the rule of increase


def empty_lists(index: pd.Index) -> pd.Series:
    return pd.Series([[] for _ in range(len(index))], index=index, dtype=object)


def add_reason(reasons: pd.Series, mask: pd.Series, texts: pd.Series) -> None:
    """Append ``texts`` (per buurt) to ``reasons`` where ``mask`` holds (by label)."""
    labels = mask.index[mask.fillna(False).astype(bool).to_numpy()]
    if not len(labels):
        return
    # one assignment of new lists instead of a get and set per buurt (they dominated
    # every rule); the lists are new objects, as before, so no two series share one
    pairs = zip(reasons.loc[labels], texts.loc[labels], strict=True)
    extended = [[*old, text] for old, text in pairs]
    reasons.loc[labels] = pd.Series(extended, index=labels, dtype=object)


def robust_sd(values: pd.Series) -> float:
    """Spread that a few extreme buurten cannot inflate: 1.4826 x median absolute deviation."""
    v = values.dropna().to_numpy(dtype=float)
    if len(v) == 0:
        return float("nan")
    return float(1.4826 * np.median(np.abs(v - np.median(v))))


def high_threshold(ind: Indicator, thresholds: Mapping[str, Any], key: str = "index_high") -> float:
    """The index that counts as high: model estimates have their own (see typology.toml)."""
    return thresholds["index_high_estimate"] if ind.estimate else thresholds[key]


def z_for(thresholds: Mapping[str, Any], tests: int) -> float:
    """One-sided normal quantile for ``rising_alpha`` split over ``tests`` indicators.

    Testing five indicators at 5 % each would flag about a fifth of all buurten by
    chance alone; the Bonferroni split keeps the chance of a false flag per buurt at
    ``rising_alpha`` (``toename_alfa`` in typology.toml).

    The standard library's quantile agrees with scipy's ``norm.ppf`` to within 5e-16
    (a test checks this) and saves every command the scipy.stats import (± 1 s).
    """
    return NormalDist().inv_cdf(1 - thresholds["rising_alpha"] / max(tests, 1))


def noise_band(
    excess: pd.Series, thresholds: Mapping[str, Any], floor: float, tests: int = 1
) -> tuple[float, int]:
    """How large an excess change must be before it counts, and the n it was judged on.

    Without published margins, a change counts only when it stands out from the spread
    of the same change over the gemeente's other buurten: beyond :func:`z_for` robust
    standard deviations of the excess changes, and never less than ``floor`` (the first
    step). With fewer than ``noise_min_buurten`` buurten the spread cannot be judged and
    twice the floor applies.
    """
    n = int(excess.notna().sum())
    if n < thresholds["noise_min_buurten"]:
        return 2 * floor, n
    return max(floor, z_for(thresholds, tests) * robust_sd(excess)), n


def buurt_level_outcome(ctx: RuleContext, judged: list[tuple[Indicator, pd.Series, pd.Series]]):
    """Fire on hits measured for the buurt; show postcode-area hits as support only.

    ``judged``: (indicator, hit per buurt, reason text per buurt) for each indicator.
    """
    index = ctx.table.index
    reasons, support = empty_lists(index), empty_lists(index)
    fired = pd.Series(False, index=index)
    for ind, hit, texts in judged:
        own = ctx.buurt_level(ind)
        fired |= hit & own
        add_reason(reasons, hit & own, texts)
        add_reason(support, hit & ~own, texts + " (benadering via postcodegebied, telt niet mee)")
    return RuleOutcome(fired, reasons, support=support)

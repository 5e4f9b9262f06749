"""R-TOEN: a rising concentration of vulnerable groups, beyond noise.

A core vulnerability indicator (in %) counts as rising when its change, minus the
reference's own change over the same years, exceeds the noise band (see
:func:`~veerkracht.signals.rules._base.noise_band`): never less than the first step
(``rising_steps[0]`` percentage points). The step (1–3) is the largest excess
change measured against ``rising_steps``; it shades the class on the map.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from veerkracht.signals.rules._base import (
    RuleContext,
    RuleOutcome,
    Threshold,
    add_reason,
    empty_lists,
    fmt,
    noise_band,
)

CODE = "R-TOEN"
TITLE = "Toenemende concentratie"
DESCRIPTION = (
    "Minstens {rising_min_indicators} kernindicator(en) kwetsbaarheid stijgen meer dan de "
    "referentie, voorbij de ruis (kans op een toevallige melding per buurt ≤ {rising_alpha}, "
    "op de robuuste spreiding over de buurten; minstens {rising_step_1} procentpunt)."
)

#: the thresholds only this rule reads: English name -> Dutch key in ``typology.toml``
#: [drempels] and Dutch explanation for the report's method table
THRESHOLDS: dict[str, Threshold] = {
    "rising_steps": Threshold(
        "toename_stappen",
        "Toename boven die van de referentie, in procentpunten, voor stap 1, 2 "
        "en 3 (de tint op de kaart)",
    ),
    "rising_min_indicators": Threshold(
        "toename_min_indicatoren",
        "Aantal kernindicatoren dat meer dan de ruis moet stijgen",
    ),
}


def evaluate(ctx: RuleContext) -> RuleOutcome:
    t = ctx.thresholds
    steps = sorted(t["rising_steps"])
    index = ctx.table.index
    reasons = empty_lists(index)
    count = pd.Series(0, index=index)
    biggest = pd.Series(np.nan, index=index)
    people = ctx.table.get("inwoners__end", pd.Series(float("nan"), index=index))
    small = (people < t["min_inhabitants"]).fillna(False)  # their noise would widen the band
    tested = [i for i in ctx.core("kwetsbaarheid") if i.unit == "%"]
    for ind in tested:
        excess = ctx.column(ind, "change_ref")
        change = ctx.column(ind, "change")
        band, n = noise_band(excess[~small], t, steps[0], len(tested))
        hit = (excess >= band).fillna(False)
        count += hit.astype(int)
        biggest = biggest.where(~hit | (biggest >= excess), excess)
        ref_change = ctx.reference_changes.get(ind.key, np.nan)
        texts = pd.Series(
            [
                f"{ind.label}: {fmt(c, 1, sign=True)} procentpunt, referentie "
                f"{fmt(ref_change, 1, sign=True)}; verschil {fmt(e, 1, sign=True)} ≥ ruisgrens "
                f"{fmt(band, 1)} (n = {n} buurten)"
                for c, e in zip(change, excess, strict=True)
            ],
            index=index,
        )
        add_reason(reasons, hit, texts)
    fired = count >= t["rising_min_indicators"]
    step = pd.Series(pd.NA, index=index, dtype="Int64")
    for n_step, bound in enumerate(steps, start=1):
        step = step.mask(fired & (biggest >= bound), n_step)
    step = step.mask(fired & step.isna(), 1)
    return RuleOutcome(fired, reasons.where(fired, empty_lists(index)), step=step)

"""R-OVER: problems with nuisance or insecurity, measured for the buurt itself.

Fires when a core nuisance indicator at buurt level is at a problem level: a rate
(registered crime per 1,000 inhabitants, severe noise nuisance from neighbours) with an
index of ``nuisance_index_high`` or more against the reference, or a Leefbaarometer
dimension score at least ``liveability_dimension_low`` below the reference. A value taken from
the buurt's postcode area (Leefbaarometer 2.0 per PC4) is an approximation: it is shown
as support but never fires the rule.
"""

from __future__ import annotations

import pandas as pd

from veerkracht.signals.rules._base import (
    RuleContext,
    RuleOutcome,
    Threshold,
    buurt_level_outcome,
    fmt,
    high_threshold,
)

CODE = "R-OVER"
TITLE = "Overlast- of onveiligheidsprobleem"
DESCRIPTION = (
    "Een kernindicator overlast op buurtniveau met index ≥ {nuisance_index_high} tegen de "
    "referentie (modelschattingen: ≥ {index_high_estimate}), of een Leefbaarometer-dimensie "
    "≥ {liveability_dimension_low_abs} onder de referentie."
)

#: the thresholds only this rule reads: English name -> Dutch key in ``typology.toml``
#: [drempels] and Dutch explanation for the report's method table
THRESHOLDS: dict[str, Threshold] = {
    "nuisance_index_high": Threshold(
        "overlast_index_hoog",
        "Index misdrijven/overlast t.o.v. de referentie vanaf waar sprake "
        "is van een overlastprobleem",
    ),
    "liveability_dimension_low": Threshold(
        "lbm_dimensie_laag",
        "Leefbaarometer-dimensie t.o.v. de referentie waarop of waaronder "
        "sprake is van een probleem",
    ),
}


def _hits(ctx: RuleContext, ind) -> tuple[pd.Series, pd.Series]:
    t = ctx.thresholds
    if ind.direction == "hoger_beter":
        gap = ctx.column(ind, "deviation_ref")
        hit = gap <= t["liveability_dimension_low"]
        texts = gap.map(
            lambda v: (
                f"{ind.label}: {fmt(v, 3, sign=True)} t.o.v. referentie "
                f"(≤ {fmt(t['liveability_dimension_low'], 2)})"
            )
        )
    else:
        index = ctx.column(ind, "index_ref")
        value = ctx.column(ind, "end")
        bound = high_threshold(ind, t, "nuisance_index_high")
        hit = index >= bound
        texts = pd.Series(
            [
                f"{ind.label}: {fmt(v)} {ind.unit}, index {fmt(i, 0)} ≥ "
                f"{fmt(bound, 0)} ({ctx.reference_label})"
                for v, i in zip(value, index, strict=True)
            ],
            index=ctx.table.index,
        )
    return hit.fillna(False).astype(bool), texts


def evaluate(ctx: RuleContext) -> RuleOutcome:
    return buurt_level_outcome(ctx, [(ind, *_hits(ctx, ind)) for ind in ctx.core("overlast")])

"""R-OVER: problems with nuisance or insecurity, measured for the buurt itself.

Fires when a core nuisance indicator at buurt level is at a problem level: a rate
(registered crime per 1,000 inhabitants, severe noise nuisance from neighbours) with an
index of ``overlast_index_hoog`` or more against the reference, or a Leefbaarometer
dimension score at least ``lbm_dimensie_laag`` below the reference. A value taken from
the buurt's postcode area (Leefbaarometer 2.0 per PC4) is an approximation: it is shown
as support but never fires the rule.
"""

from __future__ import annotations

import pandas as pd

from veerkracht.signals.rules._base import (
    RuleContext,
    RuleOutcome,
    buurt_level_outcome,
    fmt,
    high_threshold,
)

CODE = "R-OVER"
TITLE = "Overlast- of onveiligheidsprobleem"
DESCRIPTION = (
    "Een kernindicator overlast op buurtniveau met index ≥ {overlast_index_hoog} tegen de "
    "referentie (modelschattingen: ≥ {index_hoog_schatting}), of een Leefbaarometer-dimensie "
    "≥ {lbm_dimensie_laag_abs} onder de referentie."
)

#: Dutch explanation of this rule's own thresholds (``typology.toml`` [drempels]),
#: shown in the report's method table
THRESHOLDS: dict[str, str] = {
    "overlast_index_hoog": "Index misdrijven/overlast t.o.v. de referentie vanaf waar sprake "
    "is van een overlastprobleem",
    "lbm_dimensie_laag": "Leefbaarometer-dimensie t.o.v. de referentie waarop of waaronder "
    "sprake is van een probleem",
}


def _hits(ctx: RuleContext, ind) -> tuple[pd.Series, pd.Series]:
    t = ctx.thresholds
    if ind.direction == "hoger_beter":
        gap = ctx.column(ind, "deviation_ref")
        hit = gap <= t["lbm_dimensie_laag"]
        texts = gap.map(
            lambda v: (
                f"{ind.label}: {fmt(v, 3, sign=True)} t.o.v. referentie "
                f"(≤ {fmt(t['lbm_dimensie_laag'], 2)})"
            )
        )
    else:
        index = ctx.column(ind, "index_ref")
        value = ctx.column(ind, "end")
        bound = high_threshold(ind, t, "overlast_index_hoog")
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

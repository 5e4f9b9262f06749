"""R-CONC: a high concentration of vulnerable groups.

Fires when at least ``min_high`` core vulnerability indicators reach an index of
``index_high`` or more against the reference (the gemeente by default, = 100).
"""

from __future__ import annotations

import pandas as pd

from veerkracht.signals.rules._base import (
    RuleContext,
    RuleOutcome,
    Threshold,
    add_reason,
    empty_lists,
    fmt,
    high_threshold,
)

CODE = "R-CONC"
TITLE = "Hoge concentratie kwetsbare groepen"
DESCRIPTION = (
    "Minstens {min_high} kernindicatoren kwetsbaarheid met index ≥ {index_high} tegen de "
    "referentie (modelschattingen van de gezondheidsmonitor: ≥ {index_high_estimate})."
)

#: the thresholds only this rule reads: English name -> Dutch key in ``typology.toml``
#: [drempels] and Dutch explanation for the report's method table
THRESHOLDS: dict[str, Threshold] = {
    "min_high": Threshold(
        "min_hoog",
        "Aantal hoge kernindicatoren kwetsbaarheid voor 'hoge concentratie'",
    ),
}


def evaluate(ctx: RuleContext) -> RuleOutcome:
    t = ctx.thresholds
    reasons = empty_lists(ctx.table.index)
    count = pd.Series(0, index=ctx.table.index)
    for ind in ctx.core("kwetsbaarheid"):
        index = ctx.column(ind, "index_ref")
        value = ctx.column(ind, "end")
        bound = high_threshold(ind, t)
        high = (index >= bound).fillna(False)
        count += high.astype(int)
        texts = pd.Series(
            [
                f"{ind.label}: {fmt(v)}{' ' + ind.unit if ind.unit != '%' else '%'}, index "
                f"{fmt(i, 0)} ≥ {fmt(bound, 0)} ({ctx.reference_label})"
                for v, i in zip(value, index, strict=True)
            ],
            index=ctx.table.index,
        )
        add_reason(reasons, high, texts)
    fired = count >= t["min_high"]
    return RuleOutcome(fired, reasons.where(fired, empty_lists(ctx.table.index)))

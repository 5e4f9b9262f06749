"""R-CONC: a high concentration of vulnerable groups.

Fires when at least ``min_hoog`` core vulnerability indicators reach an index of
``index_hoog`` or more against the reference (the gemeente by default, = 100).
"""

from __future__ import annotations

import pandas as pd

from veerkracht.signals.rules._base import (
    RuleContext,
    RuleOutcome,
    add_reason,
    empty_lists,
    fmt,
    high_threshold,
)

CODE = "R-CONC"
TITLE = "Hoge concentratie kwetsbare groepen"
DESCRIPTION = (
    "Minstens {min_hoog} kernindicatoren kwetsbaarheid met index ≥ {index_hoog} tegen de "
    "referentie (modelschattingen van de gezondheidsmonitor: ≥ {index_hoog_schatting})."
)

#: Dutch explanation of this rule's own thresholds (``typology.toml`` [drempels]),
#: shown in the report's method table
THRESHOLDS: dict[str, str] = {
    "min_hoog": "Aantal hoge kernindicatoren kwetsbaarheid voor 'hoge concentratie'",
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
    fired = count >= t["min_hoog"]
    return RuleOutcome(fired, reasons.where(fired, empty_lists(ctx.table.index)))

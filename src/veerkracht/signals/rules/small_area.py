"""R-KLEIN: too few inhabitants for a signal (no signal, no ranking, no rate per 1,000)."""

from __future__ import annotations

import pandas as pd

from veerkracht.signals.rules._base import RuleContext, RuleOutcome, add_reason, empty_lists, fmt

CODE = "R-KLEIN"
TITLE = "Te weinig inwoners"
DESCRIPTION = (
    "Minder dan {min_inhabitants} inwoners: geen signaal, geen rangorde, geen cijfer per 1.000."
)


def evaluate(ctx: RuleContext) -> RuleOutcome:
    people = ctx.table.get("inwoners__end", pd.Series(float("nan"), index=ctx.table.index))
    minimum = ctx.thresholds["min_inhabitants"]
    fired = (people < minimum).fillna(False)
    reasons = empty_lists(ctx.table.index)
    add_reason(
        reasons,
        fired,
        people.map(lambda v: f"{fmt(v, 0)} inwoners (minder dan {fmt(minimum, 0)})"),
    )
    return RuleOutcome(fired, reasons)

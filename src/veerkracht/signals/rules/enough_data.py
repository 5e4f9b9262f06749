"""R-DATA: too few published core indicators at buurt level to classify the buurt.

Fires (class 'onvoldoende gegevens') when fewer than ``min_vulnerability`` core
vulnerability indicators, or fewer than ``min_nuisance`` core nuisance indicators
measured *for the buurt itself*, have a value. A nuisance value taken from the buurt's
postcode area does not count: it may never decide a class alone.
"""

from __future__ import annotations

import pandas as pd

from veerkracht.signals.rules._base import (
    RuleContext,
    RuleOutcome,
    Threshold,
    add_reason,
    empty_lists,
)

CODE = "R-DATA"
TITLE = "Onvoldoende gegevens"
DESCRIPTION = (
    "Minder dan {min_vulnerability} kernindicatoren kwetsbaarheid of minder dan "
    "{min_nuisance} kernindicator(en) overlast op buurtniveau beschikbaar."
)

#: the thresholds only this rule reads: English name -> Dutch key in ``typology.toml``
#: [drempels] and Dutch explanation for the report's method table
THRESHOLDS: dict[str, Threshold] = {
    "min_vulnerability": Threshold(
        "min_kwetsbaarheid",
        "Minimum beschikbare kernindicatoren kwetsbaarheid (anders 'onvoldoende gegevens')",
    ),
    "min_nuisance": Threshold(
        "min_overlast",
        "Minimum beschikbare kernindicatoren overlast (anders 'onvoldoende gegevens')",
    ),
}


def _judged(ctx: RuleContext, ind) -> pd.Series:
    measure = "deviation_ref" if ind.direction == "hoger_beter" else "index_ref"
    return ctx.column(ind, "end").notna() & ctx.column(ind, measure).notna()


def evaluate(ctx: RuleContext) -> RuleOutcome:
    index = ctx.table.index
    n_vul = pd.Series(0, index=index)
    n_nui = pd.Series(0, index=index)
    # count what the rules can judge: a level without a reference value (no NL or
    # region figure) cannot be high or low, so it is not data for a class
    for ind in ctx.core("kwetsbaarheid"):
        n_vul += _judged(ctx, ind).astype(int)
    for ind in ctx.core("overlast"):
        n_nui += (_judged(ctx, ind) & ctx.buurt_level(ind)).astype(int)
    t = ctx.thresholds
    fired = (n_vul < t["min_vulnerability"]) | (n_nui < t["min_nuisance"])
    reasons = empty_lists(index)
    text = (
        n_vul.astype(str)
        + f" kernindicatoren kwetsbaarheid (minimaal {t['min_vulnerability']}) en "
        + n_nui.astype(str)
        + f" overlast op buurtniveau (minimaal {t['min_nuisance']}) beschikbaar"
    )
    add_reason(reasons, fired, text)
    return RuleOutcome(fired, reasons)

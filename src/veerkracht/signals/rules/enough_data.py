"""R-DATA: too few published core indicators at buurt level to classify the buurt.

Fires (class 'onvoldoende gegevens') when fewer than ``min_kwetsbaarheid`` core
vulnerability indicators, or fewer than ``min_overlast`` core nuisance indicators
measured *for the buurt itself*, have a value. A nuisance value taken from the buurt's
postcode area does not count: it may never decide a class alone.
"""

from __future__ import annotations

import pandas as pd

from veerkracht.signals.rules._base import RuleContext, RuleOutcome, add_reason, empty_lists

CODE = "R-DATA"
TITLE = "Onvoldoende gegevens"
DESCRIPTION = (
    "Minder dan {min_kwetsbaarheid} kernindicatoren kwetsbaarheid of minder dan "
    "{min_overlast} kernindicator(en) overlast op buurtniveau beschikbaar."
)

#: Dutch explanation of this rule's own thresholds (``typology.toml`` [drempels]),
#: shown in the report's method table
THRESHOLDS: dict[str, str] = {
    "min_kwetsbaarheid": "Minimum beschikbare kernindicatoren kwetsbaarheid (anders "
    "'onvoldoende gegevens')",
    "min_overlast": "Minimum beschikbare kernindicatoren overlast (anders 'onvoldoende gegevens')",
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
    fired = (n_vul < t["min_kwetsbaarheid"]) | (n_nui < t["min_overlast"])
    reasons = empty_lists(index)
    text = (
        n_vul.astype(str)
        + f" kernindicatoren kwetsbaarheid (minimaal {t['min_kwetsbaarheid']}) en "
        + n_nui.astype(str)
        + f" overlast op buurtniveau (minimaal {t['min_overlast']}) beschikbaar"
    )
    add_reason(reasons, fired, text)
    return RuleOutcome(fired, reasons)

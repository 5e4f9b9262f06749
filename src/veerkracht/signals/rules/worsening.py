"""R-VERS: nuisance or insecurity getting worse, measured for the buurt, beyond noise.

A rate (crime per 1,000, noise nuisance) counts as worsening when it rose by at least
``worsening_relative`` (fraction) and its rise minus the reference's rise exceeds
the noise band; a Leefbaarometer dimension when its fall minus the reference's fall is
at least ``worsening_liveability`` and beyond the noise band. Values from the postcode
area are shown as support only.
"""

from __future__ import annotations

import pandas as pd

from veerkracht.signals.rules._base import (
    RuleContext,
    RuleOutcome,
    Threshold,
    buurt_level_outcome,
    fmt,
    noise_band,
)

CODE = "R-VERS"
TITLE = "Verslechterende overlast of veiligheid"
DESCRIPTION = (
    "Een kernindicator overlast op buurtniveau verslechtert meer dan de referentie, voorbij "
    "de ruis (cijfers: minstens +{worsening_relative_pct}% en +{worsening_min_rise}; "
    "Leefbaarometer: "
    "≤ {worsening_liveability})."
)

#: the thresholds only this rule reads: English name -> Dutch key in ``typology.toml``
#: [drempels] and Dutch explanation for the report's method table
THRESHOLDS: dict[str, Threshold] = {
    "worsening_liveability": Threshold(
        "verslechtering_lbm",
        "Verandering van een Leefbaarometer-dimensie waarop of waaronder "
        "sprake is van verslechtering",
    ),
    "worsening_min_rise": Threshold(
        "verslechtering_min_stijging",
        "Minimale stijging boven die van de referentie (per 1.000 "
        "inwoners of procentpunt) voor 'verslechterend'",
    ),
    "worsening_relative": Threshold(
        "verslechtering_relatief",
        "Relatieve stijging van een misdrijf- of overlastcijfer vanaf "
        "waar sprake is van verslechtering",
    ),
}


def _worse(ctx: RuleContext, ind, tests: int) -> tuple[pd.Series, pd.Series]:
    t = ctx.thresholds
    excess = ctx.column(ind, "change_ref")
    if ind.direction == "hoger_beter":
        band, n = noise_band(-excess, t, abs(t["worsening_liveability"]), tests)
        hit = excess <= -band
        texts = excess.map(
            lambda v: (
                f"{ind.label}: {fmt(v, 3, sign=True)} t.o.v. de referentie "
                f"(ruisgrens −{fmt(band, 3)}, n = {n} buurten)"
            )
        )
    else:
        rel = ctx.column(ind, "relative")
        band, n = noise_band(excess, t, t["worsening_min_rise"], tests)
        hit = (rel >= t["worsening_relative"]) & (excess > band)
        texts = pd.Series(
            [
                f"{ind.label}: {fmt(r * 100, 0, sign=True)}%, {fmt(e, 1, sign=True)} {ind.unit} "
                f"meer dan de referentie (ruisgrens {fmt(band, 1)}, n = {n} buurten)"
                for r, e in zip(rel, excess, strict=True)
            ],
            index=ctx.table.index,
        )
    return hit.fillna(False).astype(bool), texts


def evaluate(ctx: RuleContext) -> RuleOutcome:
    tested = ctx.core("overlast")
    return buurt_level_outcome(ctx, [(ind, *_worse(ctx, ind, len(tested))) for ind in tested])

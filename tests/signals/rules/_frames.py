"""Small hand-made indicator tables for the rule tests (one row per buurt)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from veerkracht.indicators import Indicator
from veerkracht.signals.rules import RuleContext
from veerkracht.signals.typology import load_typology

LOW_INCOME = Indicator(
    "laag_inkomen",
    "Laag inkomen",
    "kwetsbaarheid",
    "%",
    "hoger_kwetsbaarder",
    "cbs_kwb",
    variable="kwb.p_hh_lkk",
    index=True,
    core=True,
)
BIJSTAND = Indicator(
    "bijstand",
    "Bijstand",
    "kwetsbaarheid",
    "%",
    "hoger_kwetsbaarder",
    "cbs_kwb",
    numerator="kwb.a_soz_wb",
    denominator="kwb.a_inw",
    scale=100,
    index=True,
    core=True,
)
ANXIETY = Indicator(
    "angst",
    "Angst",
    "kwetsbaarheid",
    "%",
    "hoger_kwetsbaarder",
    "cbs_gezondheid",
    variable="g.angst",
    index=True,
    core=True,
    estimate=True,
)
VIOLENCE = Indicator(
    "geweld",
    "Geweld",
    "overlast",
    "per 1.000 inwoners",
    "hoger_meer_overlast",
    "cbs_kwb",
    variable="kwb.g_geweld",
    index=True,
    core=True,
)
SAFETY_LBM = Indicator(
    "lbm_vei",
    "Veiligheid",
    "overlast",
    "score",
    "hoger_beter",
    "leefbaarometer",
    variable="lbm2.vei",
    core=True,
)
INDICATORS = [LOW_INCOME, BIJSTAND, ANXIETY, VIOLENCE, SAFETY_LBM]


def thresholds(**overrides) -> dict:
    return {**load_typology().thresholds, **overrides}


def frame(n: int = 20, **columns) -> pd.DataFrame:
    """``n`` ordinary buurten (index 100, no change, 1.000 inwoners); override columns."""
    base: dict[str, object] = {"inwoners__end": np.full(n, 1000.0)}
    for ind in INDICATORS:
        base[f"{ind.key}__end"] = np.full(n, 10.0)
        base[f"{ind.key}__index_ref"] = np.full(n, 100.0)
        base[f"{ind.key}__deviation_ref"] = np.zeros(n)
        # small changes that scatter like noise around the reference's change
        base[f"{ind.key}__change"] = np.linspace(-0.5, 0.5, n)
        base[f"{ind.key}__change_ref"] = np.linspace(-0.5, 0.5, n)
        base[f"{ind.key}__relative"] = np.zeros(n)
        base[f"{ind.key}__approximation"] = np.zeros(n, dtype=bool)
    out = pd.DataFrame(base)
    for name, value in columns.items():
        out[name] = value
    return out


def context(table: pd.DataFrame, **overrides) -> RuleContext:
    return RuleContext(table, INDICATORS, thresholds(**overrides), "Proefstad = 100", {})


def set_row(table: pd.DataFrame, row: int, **values) -> pd.DataFrame:
    for name, value in values.items():
        table.loc[row, name] = value
    return table

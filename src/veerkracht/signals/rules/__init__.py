"""The typology rules: one module per rule, each with a stable code and its own test.

A rule looks at the indicator table of one gemeente and says, per buurt, whether it
fires and why (indicator, value and threshold). ``RULES`` is the registry, in the order
the reasons are listed; :mod:`veerkracht.signals.typology` turns the fired rules into
one class per buurt. Adding a rule = one module here + its entry below + its test in
``tests/signals/rules/``.
"""

from __future__ import annotations

from veerkracht.signals.rules import (
    concentration,
    enough_data,
    nuisance,
    rising,
    small_area,
    worsening,
)
from veerkracht.signals.rules._base import RuleContext, RuleOutcome, Threshold

#: code -> module (each has CODE, TITLE, DESCRIPTION and evaluate(ctx) -> RuleOutcome; and
#: THRESHOLDS: English name -> Dutch TOML key and explanation of the thresholds only it reads)
RULES = {m.CODE: m for m in (small_area, enough_data, concentration, nuisance, rising, worsening)}
#: English threshold name -> Threshold, from the rules that own the threshold (``THRESHOLDS``);
#: signals.typology adds the shared ones and translates the TOML keys with the whole table
RULE_THRESHOLDS: dict[str, Threshold] = {
    name: threshold
    for m in RULES.values()
    for name, threshold in getattr(m, "THRESHOLDS", {}).items()
}

__all__ = ["RULES", "RULE_THRESHOLDS", "RuleContext", "RuleOutcome", "Threshold"]

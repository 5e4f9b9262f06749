"""Every threshold of the typology has one Dutch explanation for the report's method table:
a rule module explains the thresholds it owns (``THRESHOLDS``), the report the shared ones."""

from __future__ import annotations

from collections import Counter

from veerkracht.report.content import THRESHOLD_TEXTS
from veerkracht.signals.rules import RULE_THRESHOLDS, RULES
from veerkracht.signals.typology import load_typology


def test_every_default_threshold_is_explained_in_dutch() -> None:
    thresholds = load_typology().thresholds
    assert len(thresholds) > 10  # the default [drempels] were read
    assert sorted(set(thresholds) - set(THRESHOLD_TEXTS)) == []
    assert all(THRESHOLD_TEXTS[key].strip() for key in thresholds)


def test_a_threshold_is_owned_by_one_rule_at_most() -> None:
    owners = Counter(key for rule in RULES.values() for key in getattr(rule, "THRESHOLDS", {}))
    assert owners and max(owners.values()) == 1
    # a rule's own text is the one the report shows
    assert all(THRESHOLD_TEXTS[key] == text for key, text in RULE_THRESHOLDS.items())

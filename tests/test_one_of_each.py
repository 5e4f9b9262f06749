"""One of each: one gemeente matcher, one scheme registry, one Dutch number formatter,
one place for the defaults of a view."""

from __future__ import annotations

import pytest

from veerkracht import numbers, settings
from veerkracht.gemeenten import matching_codes
from veerkracht.signals import classes
from veerkracht.web.state import ViewState, check_scheme

NAMES = {"GM1900": "Súdwest-Fryslân", "GM0363": "Amsterdam", "GM9998": "amsterdam"}


def test_a_name_matches_exactly_first_then_without_case() -> None:
    assert matching_codes(NAMES, "Amsterdam") == ["GM0363"]  # exact wins over the case variant
    assert matching_codes(NAMES, " AMSTERDAM ") == ["GM0363", "GM9998"]
    assert matching_codes(NAMES, "súdwest-fryslân") == ["GM1900"]
    assert matching_codes(NAMES, "Sudwest-Fryslan") == []  # names are data: no folding to ASCII


@pytest.mark.parametrize(
    ("spelling", "scheme"),
    [
        ("quantiles", "kwantielen"),
        ("natuurlijke_grenzen", "fisher_jenks"),
        ("handmatig", "grenzen"),
    ],
)
def test_every_spelling_has_one_scheme(spelling: str, scheme: str) -> None:
    assert classes.canonical_scheme(spelling) == scheme
    assert scheme in classes.SCHEMES


def test_the_web_accepts_only_schemes_without_bounds() -> None:
    assert check_scheme("Quantiles") == "kwantielen"
    assert check_scheme("fisher_jenks") == "fisher_jenks"
    with pytest.raises(Exception, match="klassenschema"):
        check_scheme("grenzen")  # a URL carries no class bounds


def test_the_maps_classify_with_the_same_registry() -> None:
    from veerkracht.maps.layers import classify

    values = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    assert classify(values, "quantiles", 3) == classify(values, "kwantielen", 3)
    assert classify(values, "kwantielen", 3) == classes.class_bounds(values, "kwantielen", 3)
    with pytest.raises(ValueError, match="unknown scheme"):
        classify(values, "gelijke_intervallen", 3)


def test_the_defaults_of_a_view_come_from_settings() -> None:
    state = ViewState.parse("GM0363")
    assert state.scheme == settings.DEFAULT_SCHEME
    assert state.reference == settings.DEFAULT_REFERENCE
    assert state.layer == settings.DEFAULT_LAYER


def test_one_dutch_formatter() -> None:
    from veerkracht.cli._common import fmt
    from veerkracht.maps.layers import format_number
    from veerkracht.report.content import count, nl
    from veerkracht.signals.rules._base import fmt as rule_fmt

    assert format_number is numbers.number and nl is numbers.number and rule_fmt is numbers.number
    assert fmt is numbers.count and count is numbers.count
    assert numbers.km2(1_234_567) == "1,23 km²"
    assert numbers.shortest(0.5) == "0,5" and numbers.shortest(12.0) == "12"

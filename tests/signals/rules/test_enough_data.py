"""R-DATA: too few core indicators; a postcode-area value is not buurt-level data."""

import numpy as np

from tests.signals.rules._frames import context, frame, set_row
from veerkracht.signals.rules import enough_data


def test_complete_buurt_does_not_fire() -> None:
    assert not enough_data.evaluate(context(frame())).fired.any()


def test_fires_without_vulnerability_data() -> None:
    t = set_row(
        frame(), 0, **{"laag_inkomen__end": np.nan, "bijstand__end": np.nan, "angst__end": np.nan}
    )
    out = enough_data.evaluate(context(t))
    assert out.fired.iloc[0] and not out.fired.iloc[1]
    assert "0 kernindicatoren kwetsbaarheid" in out.reasons.iloc[0][0]


def test_postcode_approximation_is_not_buurt_level_nuisance() -> None:
    t = set_row(frame(), 0, **{"geweld__end": np.nan, "lbm_vei__approximation": True})
    assert enough_data.evaluate(context(t)).fired.iloc[0]
    # with the measured crime rate the same buurt has enough data
    t = set_row(frame(), 0, **{"lbm_vei__approximation": True})
    assert not enough_data.evaluate(context(t)).fired.iloc[0]


def test_small_area_rates_missing_counts_as_missing() -> None:
    t = set_row(frame(), 0, **{"geweld__end": np.nan, "lbm_vei__end": np.nan})
    assert enough_data.evaluate(context(t)).fired.iloc[0]

"""R-CONC: at least min_high core indicators high against the reference."""

import numpy as np

from tests.signals.rules._frames import context, frame, set_row
from veerkracht.signals.rules import concentration


def test_fires_with_two_high_indicators() -> None:
    t = set_row(frame(), 0, **{"laag_inkomen__index_ref": 160.0, "bijstand__index_ref": 151.0})
    out = concentration.evaluate(context(t))
    assert out.fired.iloc[0] and not out.fired.iloc[1:].any()
    assert any("index 160 ≥ 150 (Proefstad = 100)" in r for r in out.reasons.iloc[0])


def test_one_high_indicator_does_not_fire() -> None:
    t = set_row(frame(), 0, **{"laag_inkomen__index_ref": 300.0})
    assert not concentration.evaluate(context(t)).fired.iloc[0]


def test_model_estimates_have_their_own_threshold() -> None:
    # 125 is high for a smoothed estimate (>= 120), not for a count-based share (< 150)
    t = set_row(frame(), 0, **{"laag_inkomen__index_ref": 125.0, "angst__index_ref": 125.0})
    out = concentration.evaluate(context(t))
    assert not out.fired.iloc[0]
    t = set_row(t, 0, **{"bijstand__index_ref": 155.0})
    assert concentration.evaluate(context(t)).fired.iloc[0]


def test_missing_values_never_fire() -> None:
    t = set_row(
        frame(),
        0,
        **{
            "laag_inkomen__index_ref": np.nan,
            "bijstand__index_ref": np.nan,
            "angst__index_ref": np.nan,
        },
    )
    assert not concentration.evaluate(context(t)).fired.iloc[0]

"""R-OVER: a nuisance problem measured for the buurt itself; PC4 values only support."""

import numpy as np

from tests.signals.rules._frames import context, frame, set_row
from veerkracht.signals.rules import nuisance


def test_high_crime_rate_fires() -> None:
    t = set_row(frame(), 0, **{"geweld__index_ref": 180.0, "geweld__end": 18.0})
    out = nuisance.evaluate(context(t))
    assert out.fired.iloc[0] and not out.fired.iloc[1:].any()
    assert "index 180 ≥ 150" in out.reasons.iloc[0][0]


def test_low_liveability_dimension_fires_only_when_measured_for_the_buurt() -> None:
    t = set_row(frame(), 0, **{"lbm_vei__deviation_ref": -0.2})
    assert nuisance.evaluate(context(t)).fired.iloc[0]
    t = set_row(t, 0, **{"lbm_vei__approximation": True})
    out = nuisance.evaluate(context(t))
    assert not out.fired.iloc[0]  # a postcode-area value never decides alone
    assert "benadering" in out.support.iloc[0][0]


def test_missing_values_do_not_fire() -> None:
    t = set_row(frame(), 0, **{"geweld__index_ref": np.nan, "lbm_vei__deviation_ref": np.nan})
    assert not nuisance.evaluate(context(t)).fired.iloc[0]

"""R-VERS: nuisance worsening beyond the reference and beyond noise, measured for the buurt."""

import numpy as np

from tests.signals.rules._frames import context, frame, set_row
from veerkracht.signals.rules import worsening


def test_rising_crime_fires() -> None:
    t = set_row(frame(40), 0, **{"geweld__relative": 0.5, "geweld__change_ref": 5.0})
    out = worsening.evaluate(context(t))
    assert out.fired.iloc[0] and not out.fired.iloc[1:].any()


def test_falling_liveability_fires_only_at_buurt_level() -> None:
    t = frame(40)
    t["lbm_vei__change_ref"] = np.linspace(-0.01, 0.01, 40)  # scores move in hundredths
    t = set_row(t, 0, **{"lbm_vei__change_ref": -0.2})
    assert worsening.evaluate(context(t)).fired.iloc[0]
    t = set_row(t, 0, **{"lbm_vei__approximation": True})
    out = worsening.evaluate(context(t))
    assert not out.fired.iloc[0] and out.support.iloc[0]


def test_small_relative_rise_does_not_fire() -> None:
    t = set_row(frame(40), 0, **{"geweld__relative": 0.1, "geweld__change_ref": 5.0})
    assert not worsening.evaluate(context(t)).fired.iloc[0]


def test_missing_change_does_not_fire() -> None:
    t = set_row(frame(40), 0, **{"geweld__relative": np.nan, "geweld__change_ref": np.nan})
    assert not worsening.evaluate(context(t)).fired.iloc[0]

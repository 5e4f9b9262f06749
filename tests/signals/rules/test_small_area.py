"""R-KLEIN: fires under the inhabitant minimum; unknown population never fires."""

import numpy as np

from tests.signals.rules._frames import context, frame, set_row
from veerkracht.signals.rules import small_area


def test_fires_below_minimum_only() -> None:
    t = set_row(frame(), 0, **{"inwoners__end": 35.0})
    t = set_row(t, 1, **{"inwoners__end": 200.0})
    out = small_area.evaluate(context(t))
    assert out.fired.tolist()[:3] == [True, False, False]
    assert "35 inwoners" in out.reasons.iloc[0][0]


def test_missing_population_does_not_fire() -> None:
    t = set_row(frame(), 0, **{"inwoners__end": np.nan})
    assert not small_area.evaluate(context(t)).fired.iloc[0]


def test_minimum_is_configurable() -> None:
    t = set_row(frame(), 0, **{"inwoners__end": 350.0})
    assert small_area.evaluate(context(t, min_inhabitants=500)).fired.iloc[0]

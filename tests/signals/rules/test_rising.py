"""R-TOEN: an increase counts only beyond the reference's change and beyond noise."""

import numpy as np

from tests.signals.rules._frames import context, frame, set_row
from veerkracht.signals.rules import rising


def test_clear_rise_fires_with_its_step() -> None:
    t = set_row(frame(40), 0, **{"laag_inkomen__change": 6.0, "laag_inkomen__change_ref": 5.5})
    out = rising.evaluate(context(t))
    assert out.fired.iloc[0] and not out.fired.iloc[1:].any()
    assert int(out.step.iloc[0]) == 3  # >= 5 percentage points beyond the reference
    assert "ruisgrens" in out.reasons.iloc[0][0]


def test_rise_within_noise_does_not_fire() -> None:
    # every buurt scatters +-3 pp: a rise of 1.5 pp beyond the reference is noise
    t = frame(40)
    t["angst__change_ref"] = np.linspace(-3, 3, 40)
    t = set_row(t, 0, **{"angst__change_ref": 1.5})
    assert not rising.evaluate(context(t)).fired.iloc[0]


def test_rise_with_the_whole_gemeente_does_not_fire() -> None:
    # +2 pp in the buurt while the reference rose +2 pp: excess 0
    t = set_row(frame(40), 0, **{"laag_inkomen__change": 2.0, "laag_inkomen__change_ref": 0.0})
    assert not rising.evaluate(context(t)).fired.iloc[0]


def test_missing_change_does_not_fire() -> None:
    t = set_row(frame(40), 0, **{"laag_inkomen__change_ref": np.nan})
    assert not rising.evaluate(context(t)).fired.iloc[0]


def test_few_buurten_use_twice_the_first_step() -> None:
    t = set_row(frame(5), 0, **{"laag_inkomen__change_ref": 1.5})
    assert not rising.evaluate(context(t)).fired.iloc[0]  # 1.5 < 2 x 1.0
    t = set_row(t, 0, **{"laag_inkomen__change_ref": 2.5})
    assert rising.evaluate(context(t)).fired.iloc[0]


def test_small_areas_do_not_widen_the_noise_band() -> None:
    t = frame(40)
    t.loc[1:5, "inwoners__end"] = 50.0
    t.loc[1:5, "laag_inkomen__change_ref"] = [30.0, -30.0, 25.0, -25.0, 40.0]
    t = set_row(t, 0, **{"laag_inkomen__change_ref": 3.0})
    assert rising.evaluate(context(t)).fired.iloc[0]

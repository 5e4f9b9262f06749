"""View state <-> canonical URL (no data needed)."""

from __future__ import annotations

import pytest

from veerkracht.errors import ParameterError
from veerkracht.web.state import FIELD_NAMES, ViewState


def test_round_trip() -> None:
    state = ViewState.parse(
        "gm0363",
        layer="concentratie",
        start_year="2016",
        end_year="2019",
        edition="2019",
        scheme="natuurlijke_grenzen",
        buurt=["BU03630001,BU03630000"],
        overlay=["abcdefgh12"],
    )
    assert state.query() == (
        "laag=concentratie&van=2016&tot=2019&indeling=2019&klassen=fisher_jenks"
        "&buurt=BU03630001&buurt=BU03630000&overlay=abcdefgh12"
    )
    assert ViewState.from_dict(state.as_dict()) == state


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"van": "twintig"}, "geen jaartal"),
        ({"tot": "1800"}, "buiten 1990–2100"),
        ({"klassen": "gelijke_intervallen"}, "onbekend klassenschema"),
        ({"buurt": ["BU0363000"]}, "geen buurtcode"),
        ({"overlay": ["../x"]}, "ongeldige id"),
        ({"laag": "Typologie;drop"}, "ongeldige laagnaam"),
    ],
)
def test_bad_values(kwargs: dict, message: str) -> None:
    with pytest.raises(ParameterError, match=message):
        ViewState.parse("GM0363", **{FIELD_NAMES.get(k, k): v for k, v in kwargs.items()})

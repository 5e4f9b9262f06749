"""Gemeenten with only the national health monitor (and perhaps boundaries) get signals.

On ../shared/data: Rotterdam and Eindhoven have boundaries, Tilburg and Vlaardingen do
not; none of them has KWB. Each gets a signal table from the indicators it has, with a
coverage statement; a map where boundaries exist, a clear message where they do not.
"""

from __future__ import annotations

import pytest

from veerkracht.errors import NoDataError
from veerkracht.maps.from_signals import mapset_from_view
from veerkracht.pipeline import signal_view

BUURTEN = {"Rotterdam": 92, "Eindhoven": 116, "Tilburg": 251, "Vlaardingen": 40}


@pytest.mark.parametrize("name", sorted(BUURTEN))
def test_health_only_gemeenten_get_signals(amsterdam_store, name) -> None:
    view = signal_view(amsterdam_store, name)
    t = view.result.table
    assert len(t) == BUURTEN[name] or (name == "Rotterdam" and len(t) == 91)
    assert (view.start, view.end) == (2016, 2020)
    assert set(t.typology) & {"PRO", "KWE", "TOE"}  # signals, not only 'onvoldoende'
    assert (t.typology == "ONV").sum() < len(t) / 2
    lines = " ".join(view.coverage.lines())
    assert "Hoog risico op angststoornis of depressie (18+) (2016→2020)" in lines
    assert "Huishoudens met een laag inkomen (niet in de store voor deze gemeente)" in lines
    assert "Inwoners per buurt ontbreken" in lines  # small buurten cannot be recognised
    assert [s.dataset_key for s in view.result.sources] == ["cbs_gezondheid"]


def test_map_where_boundaries_exist_message_where_not(amsterdam_store) -> None:
    mapset = mapset_from_view(amsterdam_store, signal_view(amsterdam_store, "Eindhoven"))
    assert len(mapset.buurten) == 116 and not mapset.without_geometry
    with pytest.raises(NoDataError) as err:
        mapset_from_view(amsterdam_store, signal_view(amsterdam_store, "Tilburg"))
    assert "geen buurtgrenzen voor Tilburg (GM0855)" in err.value.message

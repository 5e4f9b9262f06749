"""The map-layer registry: one definition per layer, the first of a key wins."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd

from veerkracht.maps import layer_definitions as ld
from veerkracht.maps.layers import MapLayer


def _context(**columns: list[float]) -> ld.LayerContext:
    source = SimpleNamespace(dataset_key="leefbaarometer_3", citation=lambda: "Leefbaarometer")
    result = SimpleNamespace(
        periods={"overlast_lbm3": (2018, 2020), "overlast_lbm2": (2016, 2018)},
        sources=[source],
    )
    buurten = pd.DataFrame({"region_code": ["BU1", "BU2"], **columns})
    return ld.LayerContext(result, buurten, ["alle bronnen"], "2017–2019", "Buurtindeling 2019")


def test_every_definition_is_listed_once() -> None:
    """A function that builds a layer from a context and is not in LAYERS would never draw."""
    definitions = {
        f
        for f in vars(ld).values()
        if callable(f)
        and getattr(f, "__module__", "") == ld.__name__
        and f.__annotations__.get("c") == "LayerContext"
        and "MapLayer" in f.__annotations__.get("return", "")
        and not f.__annotations__.get("return", "").startswith("list")
    }
    assert set(ld.LAYERS) == definitions
    assert len(ld.LAYERS) == len(set(ld.LAYERS))


def test_an_indicator_layer_has_its_own_year_and_sources() -> None:
    layer = ld.nuisance(_context(overlast_lbm3__end=[0.1, -0.2]))
    assert isinstance(layer, MapLayer)
    assert (layer.key, layer.column, layer.period) == ("overlast", "overlast_lbm3__end", "2020")
    assert layer.title.endswith(", 2020") and layer.sources == ["Leefbaarometer"]
    assert layer.worse_when_higher is False


def test_no_layer_without_a_value() -> None:
    assert ld.nuisance(_context(overlast_lbm3__end=[np.nan, np.nan])) is None
    assert ld.corporation_share(_context()) is None


def test_the_first_definition_of_a_key_wins(monkeypatch) -> None:
    both = _context(overlast_lbm3__end=[0.1, 0.2], overlast_lbm2__end=[0.3, 0.4])
    monkeypatch.setattr(ld, "LAYERS", (ld.nuisance, ld.safety_lbm2))
    assert [la.column for la in ld.layers_from_context(both)] == ["overlast_lbm3__end"]
    only_lbm2 = _context(overlast_lbm2__end=[0.3, 0.4])
    assert [la.column for la in ld.layers_from_context(only_lbm2)] == ["overlast_lbm2__end"]

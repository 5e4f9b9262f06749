"""The map layers of a view: one small definition each, listed once in :data:`LAYERS`.

A definition takes the view's :class:`LayerContext` and returns its
:class:`~veerkracht.maps.layers.MapLayer`, or ``None`` when the view has nothing to show for
it. Every map output (static maps, the HTML map, the web app, the report, the atlas) draws
the layers of :func:`layers_from_context`, in the order of ``LAYERS``; when two definitions
give the same key the first wins (the Leefbaarometer 3.0 nuisance score before the 2.0
fallback). A layer without a single value is left out by the caller.

Adding a layer: one function here and its name in ``LAYERS``; its explanation for the web
app's layer menu is a ``[[kaartlaag]]`` in ``indicators/catalogue.toml`` (not needed when
its key is an indicator's), and a new palette, if any, goes in ``maps/palettes.py``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from veerkracht.indicators import by_key
from veerkracht.maps.layers import MapLayer
from veerkracht.signals.maps import LBM_CLASSES, citations

if TYPE_CHECKING:
    from veerkracht.signals import SignalResult

CORPORATION_BOUNDS = [10, 20, 30, 40, 50, 60, 70, 80, 100]


@dataclass
class LayerContext:
    """What every layer definition of a view may use."""

    result: SignalResult
    buurten: pd.DataFrame  # the buurt polygons joined with the signal table on region_code
    sources: list[str]  # citations of every dataset of the view
    period: str  # "2017–2019"
    edition_note: str  # which buurtindeling and boundaries, and buurten without a polygon

    def shared(self, **layer: Any) -> MapLayer:
        """A layer of the whole view: its sources, period and edition note."""
        return MapLayer(
            **{
                "sources": self.sources,
                "period": self.period,
                "note": self.edition_note,
                **layer,
            }
        )

    def end_year_layer(self, column: str, **layer: Any) -> MapLayer | None:
        """A layer of one indicator's end-year value (``<indicator>__end``), with only that
        indicator's sources and year; ``None`` when the view has no value of it."""
        gdf = self.buurten
        if column not in gdf or gdf[column].notna().sum() == 0:
            return None
        indicator = column.split("__")[0]
        _, end = self.result.periods.get(indicator, (None, None))
        title = layer.pop("title")
        return MapLayer(
            title=f"{title}, {end}",
            column=column,
            sources=_indicator_sources(self.result, indicator),
            period=str(end),
            note=self.edition_note,
            **layer,
        )


LayerDefinition = Callable[[LayerContext], MapLayer | None]


def _top(values: pd.Series, at_least: float) -> float:
    """Upper bound of the last class: the data maximum, rounded up to a whole number."""
    peak = float(np.nanmax(values.to_numpy(dtype=float), initial=at_least))
    return float(max(at_least, math.ceil(peak)))


def _indicator_sources(result: SignalResult, indicator_key: str) -> list[str]:
    """Only the datasets an indicator's map actually shows (plus its denominator's)."""
    ind = by_key().get(indicator_key)
    wanted = {ind.source} if ind else set()
    if ind and ind.denominator:
        wanted.add("cbs_kwb")
    return citations(result, *sorted(wanted))


# ------------------------------------------------------------------ the layers
def concentration(c: LayerContext) -> MapLayer:
    """Where vulnerable groups concentrate: the mean index of the core indicators."""
    r = c.result
    return c.shared(
        key="concentratie",
        title=f"Concentratie kwetsbare groepen in {r.gemeente.name}, {r.end_year}",
        column="concentration_index",
        kind="klassen",
        legend_title=f"Index ({r.reference_label()})",
        bins=[80, 100, 120, 150, 200, _top(c.buurten.concentration_index, 250.0)],
        note=c.edition_note + "; gemiddelde index van de kernindicatoren kwetsbaarheid",
        worse_when_higher=True,
    )


def development(c: LayerContext) -> MapLayer:
    """How the share of vulnerable groups changed (percentage points)."""
    return c.shared(
        key="ontwikkeling",
        title=f"Ontwikkeling aandeel kwetsbare groepen, {c.period}",
        column="concentration_change",
        kind="klassen",
        legend_title="Verschil in procentpunten",
        bins=[-2.5, -1.0, 1.0, 2.5, _top(c.buurten.concentration_change, 5.0)],
        palette="divergerend",
        worse_when_higher=True,  # a rising share of vulnerable groups: red
    )


def typology(c: LayerContext) -> MapLayer:
    """The signaleringskaart: each buurt's class, darker for a stronger increase."""
    return c.shared(
        key="typologie",
        title=f"Signaleringskaart {c.result.gemeente.name}, {c.period}",
        column="typology_map",
        kind="categorie",
        legend_title="Signaal (donkerder = sterkere toename)",
        categories=c.result.config.map_categories(),
    )


def bivariate(c: LayerContext) -> MapLayer:
    """Level and development of the concentration on one map."""
    return c.shared(
        key="bivariaat",
        title=f"Niveau en ontwikkeling kwetsbare groepen, {c.period}",
        column="bivariaat",
        kind="bivariaat",
        legend_title="Ontwikkeling × niveau",
        bivariate=("concentration_change", "concentration_index"),
    )


def liveability(c: LayerContext) -> MapLayer | None:
    """The Leefbaarometer 2.0 class (1-9) of the end year."""
    column = "lbm2_klasse__end"
    layer = c.end_year_layer(
        column,
        key="leefbaarheid",
        title="Leefbaarheid (Leefbaarometer 2.0)",
        kind="categorie",
        legend_title="Leefbaarheidsklasse",
        categories=LBM_CLASSES,
    )
    if layer is not None:  # the classes are drawn as categories "1" … "9"
        gdf = c.buurten
        gdf[column] = gdf[column].round().astype("Int64").astype("string")
    return layer


def nuisance(c: LayerContext) -> MapLayer | None:
    """The Leefbaarometer 3.0 dimension 'overlast en onveiligheid' (higher = better)."""
    return c.end_year_layer(
        "overlast_lbm3__end",
        key="overlast",
        title="Overlast en onveiligheid (Leefbaarometer 3.0)",
        kind="klassen",
        legend_title="Score",
        worse_when_higher=False,  # low scores are drawn dark red
    )


def safety_lbm2(c: LayerContext) -> MapLayer | None:
    """The Leefbaarometer 2.0 safety dimension, where the 3.0 score is missing."""
    return c.end_year_layer(
        "overlast_lbm2__end",
        key="overlast",
        title="Veiligheid (Leefbaarometer 2.0-dimensie; 3.0 ontbreekt)",
        kind="klassen",
        legend_title="Score (afwijking van NL)",
        worse_when_higher=False,
    )


def corporation_share(c: LayerContext) -> MapLayer | None:
    """The share of homes owned by housing corporations."""
    return c.end_year_layer(
        "corporatiebezit__end",
        key="corporatiebezit",
        title="Woningen in bezit van woningcorporaties",
        kind="klassen",
        legend_title="Aandeel (%)",
        bins=CORPORATION_BOUNDS,
    )


#: every map layer, in the order they are drawn and offered
LAYERS: tuple[LayerDefinition, ...] = (
    concentration,
    development,
    typology,
    bivariate,
    liveability,
    nuisance,
    safety_lbm2,
    corporation_share,
)


def layers_from_context(c: LayerContext) -> list[MapLayer]:
    """The view's layers: each definition of ``LAYERS`` once, the first of a key wins."""
    layers: dict[str, MapLayer] = {}
    for define in LAYERS:
        layer = define(c)
        if layer is not None and layer.key not in layers:
            layers[layer.key] = layer
    return list(layers.values())

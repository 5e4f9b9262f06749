"""Signals -> a :class:`~veerkracht.maps.layers.MapSet` for the map renderers.

Joins the buurt polygons to the signal table by region code and takes the layers of the
registry (:mod:`veerkracht.maps.layer_definitions`: concentration, development, the
typology, level x change, Leefbaarometer class and nuisance, corporation share); adds
what a buurt's profile shows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from veerkracht.cancel import checkpoint
from veerkracht.errors import NoDataError
from veerkracht.maps.layer_definitions import LayerContext, layers_from_context
from veerkracht.maps.layers import MapLayer, MapSet
from veerkracht.signals.maps import geometry_edition

if TYPE_CHECKING:
    from veerkracht.pipeline import SignalView
    from veerkracht.signals import SignalResult
    from veerkracht.store import Store


def mapset_from_view(store: Store, view: SignalView) -> MapSet:
    """The map set (geometry + layers) of a view: what every map output draws."""
    return mapset_from_signals(store, view.result)


def _has_values(gdf: pd.DataFrame, layer: MapLayer) -> bool:
    """A map without a single value says nothing: leave it out of the set."""
    columns = (
        list(layer.bivariate) if layer.kind == "bivariaat" and layer.bivariate else [layer.column]
    )
    return all(c in gdf and gdf[c].notna().any() for c in columns)


def mapset_from_signals(store: Store, result: SignalResult) -> MapSet:
    gm = result.gemeente
    geo_ed = geometry_edition(store, gm.code, result.edition, result.table.region_code)
    if geo_ed is None:
        raise NoDataError(
            f"geen buurtgrenzen voor {gm.name} ({gm.code}) in de store",
            fix="Importeer de wijk- en buurtkaart of haal de grenzen op: "
            "veerkracht data ophalen --gemeente … --bronnen grenzen.",
        )
    geoms = store.geometries(gm.code, geo_ed)[["region_code", "geometry"]]
    checkpoint()  # reading polygons takes a while on a large gemeente
    table = result.table
    gdf = geoms.merge(table, on="region_code", how="inner")
    sources = [s.citation() for s in result.sources]
    period = f"{result.start_year}–{result.end_year}"
    edition_note = (
        f"Buurtindeling {result.edition}; grenzen van indeling {geo_ed}"
        if geo_ed != result.edition
        else f"Buurtindeling {result.edition}"
    )
    missing = result.table[~result.table.region_code.isin(gdf.region_code)]
    if len(missing):
        # e.g. Amsterdam's municipal file has polygons for 439 of its 479 buurten
        edition_note += f"; {len(missing)} buurten staan niet op de kaart (geen grens in de bron)"
    context = LayerContext(result, gdf, sources, period, edition_note)
    layers = layers_from_context(context)
    profile = {}
    extra: dict[str, pd.Series | float] = {}
    for ind in result.indicators:
        col = f"{ind.key}__end"
        if col not in gdf:
            continue
        unit = f" ({ind.unit})" if ind.unit not in {"", "aantal"} else ""
        profile[col] = f"{ind.label}{unit}"
        p_start, p_end = result.periods[ind.key]
        refs = result.references[
            (result.references.indicator == ind.key) & (result.references.period == p_end)
        ]
        if len(refs):
            extra[f"{col}__nl"] = refs.nl.iloc[0]
            extra[f"{col}__gemeente"] = refs.gemeente.iloc[0]
        if p_start is not None:
            extra[f"{col}__{p_start}"] = gdf[f"{ind.key}__start"]
            extra[f"{col}__{p_end}"] = gdf[col]
    gdf = pd.concat([gdf, pd.DataFrame(extra, index=gdf.index)], axis=1)
    profile["concentration_index"] = (
        f"Concentratie kwetsbare groepen (index {result.reference_label()})"
    )
    profile["concentration_change"] = "Toename concentratie (procentpunt)"
    profile["typology_label"] = "Signaal"
    profile["reasons"] = "Redenen"
    layers = [layer for layer in layers if _has_values(gdf, layer)]
    return MapSet(
        gemeente_code=gm.code,
        gemeente_name=gm.name,
        edition=result.edition,
        buurten=gdf,
        layers=layers,
        profile_columns=profile,
        without_geometry=list(zip(missing.region_code, missing["name"].fillna(""), strict=True)),
        geometry_edition=geo_ed,
    )

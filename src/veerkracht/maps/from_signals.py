"""Signals -> a :class:`~veerkracht.maps.layers.MapSet` for the map renderers.

Builds the map set of the study: concentration (index NL = 100), development
(change in percentage points), the typology (signaleringskaart), a bivariate map of
change x level, Leefbaarometer class and its nuisance/safety dimension, and the
corporation share.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from veerkracht.cancel import checkpoint
from veerkracht.errors import NoDataError
from veerkracht.indicators import by_key
from veerkracht.maps.layers import MapLayer, MapSet
from veerkracht.signals.maps import LBM_CLASSES, citations, geometry_edition

if TYPE_CHECKING:
    from veerkracht.pipeline import SignalView
    from veerkracht.signals import SignalResult
    from veerkracht.store import Store

CORPORATION_BOUNDS = [10, 20, 30, 40, 50, 60, 70, 80, 100]


def mapset_from_view(store: Store, view: SignalView) -> MapSet:
    """The map set (geometry + layers) of a view: what every map output draws."""
    return mapset_from_signals(store, view.result)


def _top(values: pd.Series, at_least: float) -> float:
    """Upper bound of the last class: the data maximum, rounded up to a whole number."""
    peak = float(np.nanmax(values.to_numpy(dtype=float), initial=at_least))
    return float(max(at_least, math.ceil(peak)))


def _layer_sources(result: SignalResult, indicator_key: str) -> list[str]:
    """Only the datasets an indicator's map actually shows (plus its denominator's)."""
    ind = by_key().get(indicator_key)
    wanted = {ind.source} if ind else set()
    if ind and ind.denominator:
        wanted.add("cbs_kwb")
    return citations(result, *sorted(wanted))


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
    layers = [
        MapLayer(
            key="concentratie",
            title=f"Concentratie kwetsbare groepen in {gm.name}, {result.end_year}",
            column="concentration_index",
            kind="klassen",
            legend_title=f"Index ({result.reference_label()})",
            bins=[
                80,
                100,
                120,
                150,
                200,
                _top(gdf.concentration_index, 250.0),
            ],
            sources=sources,
            period=period,
            note=edition_note + "; gemiddelde index van de kernindicatoren kwetsbaarheid",
            worse_when_higher=True,
        ),
        MapLayer(
            key="ontwikkeling",
            title=f"Ontwikkeling aandeel kwetsbare groepen, {period}",
            column="concentration_change",
            kind="klassen",
            legend_title="Verschil in procentpunten",
            bins=[
                -2.5,
                -1.0,
                1.0,
                2.5,
                _top(gdf.concentration_change, 5.0),
            ],
            palette="divergerend",
            worse_when_higher=True,  # a rising share of vulnerable groups: red
            sources=sources,
            period=period,
            note=edition_note,
        ),
        MapLayer(
            key="typologie",
            title=f"Signaleringskaart {gm.name}, {period}",
            column="typology_map",
            kind="categorie",
            legend_title="Signaal (donkerder = sterkere toename)",
            categories=result.config.map_categories() if result.config else {},
            sources=sources,
            period=period,
            note=edition_note,
        ),
        MapLayer(
            key="bivariaat",
            title=f"Niveau en ontwikkeling kwetsbare groepen, {period}",
            column="bivariaat",
            kind="bivariaat",
            legend_title="Ontwikkeling × niveau",
            bivariate=("concentration_change", "concentration_index"),
            sources=sources,
            period=period,
            note=edition_note,
        ),
    ]
    optional = [
        (
            "lbm2_klasse__end",
            "leefbaarheid",
            "Leefbaarheid (Leefbaarometer 2.0)",
            "Leefbaarheidsklasse",
            "categorie",
        ),
        (
            "overlast_lbm3__end",
            "overlast",
            "Overlast en onveiligheid (Leefbaarometer 3.0)",
            "Score",
            "klassen",
        ),
        (
            "overlast_lbm2__end",
            "overlast",
            "Veiligheid (Leefbaarometer 2.0-dimensie; 3.0 ontbreekt)",
            "Score (afwijking van NL)",
            "klassen",
        ),
        (
            "corporatiebezit__end",
            "corporatiebezit",
            "Woningen in bezit van woningcorporaties",
            "Aandeel (%)",
            "klassen",
        ),
    ]
    keys = {layer.key for layer in layers}
    for column, key, title, legend, kind in optional:
        if column not in gdf or gdf[column].notna().sum() == 0 or key in keys:
            continue
        ind_key = column.split("__")[0]
        p_start, p_end = result.periods.get(ind_key, (None, None))
        layer_kwargs = {}
        if kind == "categorie":
            gdf[column] = gdf[column].round().astype("Int64").astype("string")
            layer_kwargs["categories"] = LBM_CLASSES
        elif key == "corporatiebezit":
            layer_kwargs["bins"] = CORPORATION_BOUNDS
        else:  # Leefbaarometer scores: higher = better, so low scores are drawn dark red
            layer_kwargs["worse_when_higher"] = False
        layers.append(
            MapLayer(
                key=key,
                title=f"{title}, {p_end}",
                column=column,
                kind=kind,
                legend_title=legend,
                sources=_layer_sources(result, ind_key),
                period=str(p_end),
                note=edition_note,
                **layer_kwargs,
            )
        )
        keys.add(key)
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

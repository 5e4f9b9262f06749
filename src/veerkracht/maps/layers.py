"""The contract between the signals stage and the map renderers.

``veerkracht.signals`` builds a :class:`MapSet` (one gemeente, one boundary
edition, a GeoDataFrame of buurten plus a list of :class:`MapLayer`); the
renderers in :mod:`veerkracht.maps.static` and :mod:`veerkracht.maps.interactive`
only read it. Everything a user sees (titles, legend texts, sources) is Dutch and
comes from here.

Layer kinds
-----------
``"klassen"``
    Numeric column, classified. ``bins`` are mapclassify-style *upper* class
    bounds (the last one is the maximum); when ``None`` the renderer uses 5
    quantile classes (see :func:`classify`). When the bounds straddle 0 the
    diverging palette is used (change maps), otherwise the sequential one;
    ``palette`` forces ``"sequentieel"`` or ``"divergerend"``.
``"categorie"``
    Column holds category codes (str); ``categories`` maps code →
    (Dutch label, colour). Codes not in the mapping and missing values are
    drawn as "geen gegevens".
``"bivariaat"``
    ``bivariate = (x, y)`` names two numeric columns (x = change, y = level).
    If ``column`` exists in the GeoDataFrame it must hold ready-made codes
    ``"x-y"`` with x, y in 1..3 (e.g. ``"3-1"``); otherwise each of x and y is
    split into terciles here (:func:`bivariate_codes`). ``legend_title`` is
    shown above the 3×3 legend; the axis texts come from ``profile_columns``
    (fallback: the column names).

Missing values (NaN/None) are "geen gegevens": hatched on the map and listed in
the legend only when at least one buurt lacks data.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from veerkracht.maps import palettes
from veerkracht.numbers import number as format_number  # the one Dutch formatter
from veerkracht.signals.classes import ALIASES, canonical_scheme, class_bounds

if TYPE_CHECKING:
    import geopandas as gpd

KINDS = ("klassen", "categorie", "bivariaat")
NO_DATA_LABEL = "geen gegevens"


@dataclass
class MapLayer:
    """One map: which column, how to classify and colour it, and where it comes from."""

    key: str
    title: str
    column: str
    kind: str
    legend_title: str
    sources: list[str]
    period: str
    unit: str = ""
    bins: list[float] | None = None
    categories: dict[str, tuple[str, str]] | None = None
    bivariate: tuple[str, str] | None = None
    note: str = ""
    palette: str = ""  # "" = automatic; or "sequentieel" / "divergerend"
    #: True: a higher value is unfavourable; False: favourable; None: no direction.
    #: Decides which end of the classes is coloured dark red (one logic for all maps).
    worse_when_higher: bool | None = None

    def __post_init__(self) -> None:
        # the renderers rely on these: a categorie layer has categories, a bivariaat one axes
        if self.kind not in KINDS:
            raise ValueError(
                f"MapLayer {self.key!r}: kind must be one of {KINDS}, got {self.kind!r}"
            )
        if self.kind == "categorie" and not self.categories:
            raise ValueError(f"MapLayer {self.key!r}: kind 'categorie' needs categories")
        if self.kind == "bivariaat" and not self.bivariate:
            raise ValueError(f"MapLayer {self.key!r}: kind 'bivariaat' needs bivariate=(x, y)")


@dataclass
class MapOverlay:
    """Own data drawn over a map: one symbol per point, its own legend entry.

    ``points``: EPSG:28992 with a column ``grootte`` (0–1, relative symbol size);
    ``label``: the legend text, e.g. "Eigen gegevens: Complexen 2024 (12 rijen in 8
    buurten)" (never a column name).
    """

    label: str
    points: gpd.GeoDataFrame


def own_data_overlay(points: gpd.GeoDataFrame, title: str) -> MapOverlay:
    """A :class:`MapOverlay` from :func:`veerkracht.own_data.own_data_points`: symbol size by
    the number of rows per point, a legend label that counts rows and buurten."""
    # ``veerkracht kaart`` without own data never needs httpx, openpyxl and geopandas
    # lazy: own_data loads them (~0.6 s of every map command)
    from veerkracht.own_data import COUNT, legend_label

    counts = points[COUNT].astype("float64").fillna(0) if COUNT in points else None
    if counts is None or counts.empty or counts.max() <= 0:
        sizes = np.full(len(points), 0.5)
        total = float(len(points))
    else:
        sizes = np.sqrt(counts.to_numpy() / counts.max())
        total = float(counts.sum())
    n_buurten = int(points["region_code"].nunique()) if "region_code" in points else len(points)
    return MapOverlay(legend_label(title, total, n_buurten), points.assign(grootte=sizes))


@dataclass
class MapSet:
    """All maps of one gemeente in one boundary edition.

    ``buurten``: EPSG:28992, one row per buurt with ``region_code``, ``name``,
    ``geometry`` and every layer/profile column. For the HTML profile, optional
    reference columns ``<col>__nl`` and ``<col>__gemeente`` (same value in every
    row) and trend columns ``<col>__<year>`` (e.g. ``p_hh_lkk__2017``).
    """

    gemeente_code: str
    gemeente_name: str
    edition: int
    buurten: gpd.GeoDataFrame
    layers: list[MapLayer]
    profile_columns: dict[str, str] = field(default_factory=dict)
    #: (code, name) of the buurten in the table that have no polygon: counted and named
    without_geometry: list[tuple[str, str]] = field(default_factory=list)
    #: the edition of the polygons drawn, when it differs from ``edition`` (e.g. 2025
    #: boundaries for figures on the 2020 buurt codes)
    geometry_edition: int | None = None
    #: own data over every map of the set (PNG, PDF, HTML): symbols and a legend entry
    overlays: list[MapOverlay] = field(default_factory=list)

    @property
    def boundary_edition(self) -> int:
        return self.geometry_edition or self.edition

    def layer(self, key: str) -> MapLayer:
        for layer in self.layers:
            if layer.key == key:
                return layer
        raise KeyError(key)


@dataclass
class LayerStyle:
    """A layer resolved to colours: one colour (or None = no data) per buurt row."""

    colours: list[str | None]
    legend: list[tuple[str, str]]  # (label, colour) in legend order
    no_data: int  # number of buurten without data
    bins: list[float] | None = None


# ----------------------------------------------------------------------------- numbers


def decimals_for(bounds: list[float]) -> int:
    """Fewest decimals (0–2) that keep all class bounds distinct and honest."""
    for decimals in (0, 1, 2):
        rounded = [round(b, decimals) for b in bounds]
        exact = all(abs(r - b) < 1e-9 for r, b in zip(rounded, bounds, strict=True))
        if exact and len(set(rounded)) == len(rounded):
            return decimals
    return 2


# ----------------------------------------------------------------------------- classification


def classify(
    values: pd.Series | list[float],
    scheme: str = "quantiles",
    k: int = 5,
    bounds: list[float] | None = None,
) -> list[float]:
    """Upper class bounds for ``values`` (NaN ignored); see :mod:`veerkracht.signals.classes`,
    the one registry of schemes and their spellings."""
    # imported here: importing veerkracht.signals loads its computation (3.6 s measured),
    # which drawing a map from a finished MapSet does not need

    if canonical_scheme(scheme) is None:
        raise ValueError(f"unknown scheme {scheme!r}; use one of {sorted(ALIASES)}")
    bins = class_bounds(values, scheme, k, bounds)
    if not bins:
        raise ValueError("no values to classify")
    return bins


def class_index(values: pd.Series, bins: list[float]) -> list[int | None]:
    """Class number (0-based) per value; None for missing. Values above the last bound
    fall in the last class, values below the first bound in the first."""
    arr = np.asarray(values, dtype=float)
    idx = np.searchsorted(np.asarray(bins, dtype=float), arr, side="left")
    idx = np.clip(idx, 0, len(bins) - 1)
    return [None if math.isnan(v) else int(i) for v, i in zip(arr, idx, strict=True)]


def class_labels(
    bins: list[float], minimum: float, maximum: float | None = None, unit: str = ""
) -> list[str]:
    """Legend texts "4,1 – 12,3 %" per class, Dutch number format. The outer edges are
    the data minimum/maximum when these lie beyond the bounds (values there are drawn
    in the first/last class, so the legend must say so)."""
    top = bins[-1] if maximum is None else max(maximum, bins[-1])
    edges = [min(minimum, bins[0]), *bins[:-1], top]
    decimals = decimals_for(edges)
    suffix = f" {unit}" if unit and unit not in {"aantal", "klasse", "code"} else ""
    labels = []
    for lo, hi in itertools.pairwise(edges):
        labels.append(f"{format_number(lo, decimals)} – {format_number(hi, decimals)}{suffix}")
    return labels


def bivariate_codes(x: pd.Series, y: pd.Series) -> list[str | None]:
    """Codes "x-y" (terciles of each, 1..3) per row; None where x or y is missing."""
    bx = classify(x, "quantiles", 3)
    by = classify(y, "quantiles", 3)
    cx = class_index(x, bx)
    cy = class_index(y, by)
    return [
        None if a is None or b is None else f"{a + 1}-{b + 1}" for a, b in zip(cx, cy, strict=True)
    ]


# ----------------------------------------------------------------------------- styles


def _is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _numeric_style(frame: pd.DataFrame, layer: MapLayer) -> LayerStyle:
    values = pd.to_numeric(frame[layer.column], errors="coerce")
    bins = list(layer.bins) if layer.bins else classify(values, "quantiles", 5)
    if layer.palette:
        diverging = layer.palette == "divergerend"
    elif layer.worse_when_higher is not None:
        # a layer with a direction: light -> dark red towards unfavourable, also when its
        # values straddle 0 (e.g. Leefbaarometer deviations from NL)
        diverging = False
    else:
        diverging = min(bins) < 0 < max(bins) or (values.min() < 0 < max(bins))
    colours_for_class = palettes.class_colours(
        len(bins), diverging=diverging, worse_when_higher=layer.worse_when_higher
    )
    idx = class_index(values, bins)
    colours = [None if i is None else colours_for_class[i] for i in idx]
    present = values.notna().any()
    minimum = float(values.min()) if present else bins[0]
    maximum = float(values.max()) if present else bins[-1]
    labels = class_labels(bins, minimum, maximum, layer.unit)
    return LayerStyle(
        colours,
        list(zip(labels, colours_for_class, strict=True)),
        sum(c is None for c in colours),
        bins,
    )


def _categorical_style(frame: pd.DataFrame, layer: MapLayer) -> LayerStyle:
    colours: list[str | None] = []
    for value in frame[layer.column]:
        entry = None if _is_missing(value) else layer.categories.get(str(value))
        colours.append(None if entry is None else entry[1])
    present = {str(v) for v in frame[layer.column] if not _is_missing(v)}
    shaded = {code.split("-")[0] for code in present if "-" in code}
    # a stable legend: every base category, except one whose buurten all carry a shade;
    # shades ("PRO-2") only where they occur
    legend = [
        (label, colour)
        for code, (label, colour) in layer.categories.items()
        if code in present or ("-" not in code and code not in shaded)
    ]
    return LayerStyle(colours, legend, sum(c is None for c in colours))


def bivariate_column(frame: pd.DataFrame, layer: MapLayer) -> list[str | None]:
    """The "x-y" codes of a bivariate layer (ready-made column or terciles)."""
    if layer.column in frame.columns:
        return [None if _is_missing(v) else str(v) for v in frame[layer.column]]

    x, y = layer.bivariate
    return bivariate_codes(
        pd.to_numeric(frame[x], errors="coerce"), pd.to_numeric(frame[y], errors="coerce")
    )


def _bivariate_style(frame: pd.DataFrame, layer: MapLayer) -> LayerStyle:
    codes = bivariate_column(frame, layer)
    colours = [None if c is None else palettes.BIVARIATE.get(c) for c in codes]
    legend = list(palettes.BIVARIATE.items())  # label = code; renderers draw a 3×3 grid
    return LayerStyle(colours, legend, sum(c is None for c in colours))


def layer_style(mapset: MapSet, layer: MapLayer) -> LayerStyle:
    """Resolve a layer to per-buurt colours and legend entries (shared by all renderers)."""
    frame = mapset.buurten
    if layer.kind == "klassen":
        return _numeric_style(frame, layer)
    if layer.kind == "categorie":
        return _categorical_style(frame, layer)
    return _bivariate_style(frame, layer)


def axis_labels(mapset: MapSet, layer: MapLayer) -> tuple[str, str]:
    """Dutch axis texts of a bivariate layer (x = change, y = level)."""
    x, y = layer.bivariate
    return mapset.profile_columns.get(x, x), mapset.profile_columns.get(y, y)


def source_line(layer: MapLayer, edition: int) -> str:
    """ "Bron: …" naming every dataset and year, plus the boundary edition."""
    sources = "; ".join(layer.sources)
    return f"Bron: {sources}. Buurtgrenzen: buurtindeling {edition}."

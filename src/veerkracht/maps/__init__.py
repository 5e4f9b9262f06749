"""Signalling maps per gemeente: static maps (PNG/SVG/PDF), charts and one offline HTML map.

The signals stage hands a :class:`MapSet` to the renderers:

* :func:`veerkracht.maps.static.render_map` — one printable map per layer;
* :func:`veerkracht.maps.interactive.render_html` — one self-contained HTML file;
* :mod:`veerkracht.maps.charts` — supporting charts.

Importing this package is cheap; matplotlib and geopandas load when rendering.
"""

from __future__ import annotations

from veerkracht.maps.layers import MapLayer, MapSet, classify

__all__ = ["MapLayer", "MapSet", "classify"]

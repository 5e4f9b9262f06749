"""One self-contained, offline HTML map per gemeente.

The file holds everything: CSS, plain JavaScript (no library, no CDN) and the
buurt polygons as SVG paths. RD coordinates (metres) are simplified with
``shapely.simplify`` (default 6 m), shifted to the gemeente's bounding box,
flipped (SVG y grows downwards) and rounded to whole metres, so the SVG viewBox
*is* the RD grid in metres. Amsterdam (≈ 440 buurten, 5 layers) stays well under
1 MB. Opening the file from disk makes no network request at all.
"""

from __future__ import annotations

import html
import json
import math
import re
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import shapely

from veerkracht.cancel import checkpoint
from veerkracht.maps.layers import (
    NO_DATA_LABEL,
    MapLayer,
    MapSet,
    axis_labels,
    format_number,
    layer_style,
    source_line,
)

SIMPLIFY_M = 6.0


def render_html(mapset: MapSet, path: str | Path, *, tolerance: float = SIMPLIFY_M) -> Path:
    """Write the interactive map of all layers of ``mapset`` to ``path`` (one HTML file)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = build_data(mapset, tolerance=tolerance)
    checkpoint()  # a cancelled web export stops before the page is written
    page = _template("kaart.html")
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    payload = payload.replace("</", "<\\/")  # never close the <script> early
    title = f"Veerkracht-signaleringskaart {mapset.gemeente_name}"
    page = (
        page.replace("__TITLE__", html.escape(title))
        .replace("/*__CSS__*/", _template("kaart.css"))
        .replace("/*__JS__*/", _template("kaart.js"))
        .replace("__DATA__", payload)
    )
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(path)  # no half-written map when interrupted
    return path


def _template(name: str) -> str:
    return resources.files("veerkracht.maps").joinpath("templates", name).read_text("utf-8")


# ----------------------------------------------------------------------------- data


def build_data(mapset: MapSet, *, tolerance: float = SIMPLIFY_M) -> dict[str, Any]:
    """Everything the page needs, as JSON-ready Python objects."""
    gdf = mapset.buurten
    minx, miny, maxx, maxy = (float(v) for v in gdf.total_bounds)
    origin = (math.floor(minx), math.ceil(maxy))
    features = []
    points = gdf.geometry.representative_point()
    for code, name, geom, point in zip(
        gdf["region_code"], gdf["name"], gdf.geometry, points, strict=True
    ):
        features.append(
            {
                "c": str(code),
                "n": str(name),
                "d": svg_path(geom, origin, tolerance),
                "p": [round(point.x - origin[0]), round(origin[1] - point.y)],
            }
        )
    return {
        "gemeente": {
            "code": mapset.gemeente_code,
            "naam": mapset.gemeente_name,
            "indeling": mapset.edition,
        },
        "viewBox": [0, 0, math.ceil(maxx) - origin[0], origin[1] - math.floor(miny)],
        "features": features,
        "layers": [_layer_data(mapset, layer) for layer in mapset.layers],
        "profile": _profile_data(mapset),
        "noData": NO_DATA_LABEL,
        # counted in every table, but without a polygon: named, not silently dropped
        "withoutGeometry": [{"c": c, "n": n} for c, n in mapset.without_geometry],
        "overlays": [_overlay_data(o, origin) for o in mapset.overlays],
    }


def _overlay_data(overlay: Any, origin: tuple[int, int]) -> dict[str, Any]:
    """Own data: its legend label and points in the page's coordinates (metres)."""
    pts = overlay.points
    return {
        "label": overlay.label,
        "points": [
            [round(g.x - origin[0]), round(origin[1] - g.y), round(float(size), 3)]
            for g, size in zip(pts.geometry, pts["grootte"].fillna(0.5), strict=True)
        ],
    }


def svg_path(geom: Any, origin: tuple[int, int], tolerance: float) -> str:
    """SVG path data (relative moves, whole metres) of a (multi)polygon."""
    simple = shapely.simplify(geom, tolerance, preserve_topology=True)
    parts = []
    for poly in shapely.get_parts(simple):
        for ring in [poly.exterior, *poly.interiors]:
            xy = shapely.get_coordinates(ring)[:-1]
            pts = np.column_stack([xy[:, 0] - origin[0], origin[1] - xy[:, 1]]).round()
            pts = pts.astype(int)
            steps = np.diff(pts, axis=0)
            steps = steps[(steps != 0).any(axis=1)]  # drop zero-length steps after rounding
            if len(steps) < 2:
                continue
            moves = " ".join(f"{dx} {dy}" for dx, dy in steps.tolist())
            parts.append(f"M{pts[0, 0]} {pts[0, 1]}l{moves}z")
    return "".join(parts)


def _display(value: Any, unit: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return NO_DATA_LABEL
    if isinstance(value, str):
        return value
    decimals = 0 if float(value).is_integer() else 1
    suffix = f" {unit}" if unit and unit not in {"aantal", "klasse", "code"} else ""
    return format_number(float(value), decimals) + suffix


def _layer_data(mapset: MapSet, layer: MapLayer) -> dict[str, Any]:
    style = layer_style(mapset, layer)
    legend_colours = [c for _, c in style.legend]
    frame = mapset.buurten
    if layer.kind == "categorie":
        labels = {code: label for code, (label, _) in layer.categories.items()}
        values = [labels.get(str(v), NO_DATA_LABEL) for v in frame[layer.column]]
    elif layer.kind == "bivariaat":
        x, y = layer.bivariate
        x_label, y_label = axis_labels(mapset, layer)
        values = [
            f"{x_label}: {_display(a, '')} · {y_label}: {_display(b, '')}"
            for a, b in zip(frame[x], frame[y], strict=True)
        ]
    else:
        values = [_display(v, layer.unit) for v in frame[layer.column]]
    out = {
        "key": layer.key,
        "title": layer.title,
        "kind": layer.kind,
        "legendTitle": layer.legend_title,
        "period": layer.period,
        "note": layer.note,
        "source": source_line(layer, mapset.boundary_edition),
        "legend": [list(item) for item in style.legend],
        "cls": [-1 if c is None else legend_colours.index(c) for c in style.colours],
        "values": values,
        "noData": style.no_data,
    }
    if layer.kind == "bivariaat":
        out["axes"] = list(axis_labels(mapset, layer))
    return out


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else round(number, 3)


def _profile_data(mapset: MapSet) -> list[dict[str, Any]]:
    frame = mapset.buurten
    rows = []
    for column, label in mapset.profile_columns.items():
        if column not in frame.columns:
            continue
        row: dict[str, Any] = {
            "label": label,
            "values": [_number(v) for v in frame[column]],
        }
        for ref in ("nl", "gemeente"):
            ref_col = f"{column}__{ref}"
            if ref_col in frame.columns:
                present = frame[ref_col].dropna()
                row[ref] = _number(present.iloc[0]) if len(present) else None
        pattern = re.compile(rf"^{re.escape(column)}__(\d{{4}})$")
        years = sorted((int(m.group(1)), c) for c in frame.columns if (m := pattern.match(str(c))))
        if len(years) >= 2:
            row["years"] = [y for y, _ in years]
            row["trend"] = [[_number(v) for v in frame[c]] for _, c in years]
        rows.append(row)
    return rows

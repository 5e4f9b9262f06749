"""Printable signalling maps (PNG 300 dpi, SVG, PDF) with matplotlib, fully offline.

Layout (A4 landscape): title and subtitle top left; the map on the left with a
scale bar (km) and north arrow; legend and note in a panel on the right, so the
legend never covers the city; the source line across the bottom.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib
import numpy as np
import shapely
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Polygon, Rectangle
from matplotlib.path import Path as MplPath

from veerkracht.cancel import checkpoint
from veerkracht.maps import palettes
from veerkracht.maps._png import save_png
from veerkracht.maps.basemap import ATTRIBUTION, add_basemap
from veerkracht.maps.layers import (
    NO_DATA_LABEL,
    LayerStyle,
    MapLayer,
    MapSet,
    axis_labels,
    format_number,
    layer_style,
    source_line,
)
from veerkracht.maps.workers import FORMATS

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from veerkracht.settings import Settings

DPI = 300
FIGSIZE = (11.69, 8.27)  # A4 landscape, inches
MAP_RECT = (0.025, 0.085, 0.70, 0.78)  # left, bottom, width, height (figure fraction)
LEGEND_RECT = (0.745, 0.085, 0.235, 0.78)
FONT = {"family": "DejaVu Sans"}


def render_map(
    mapset: MapSet,
    layer: MapLayer,
    out_dir: str | Path,
    *,
    labels: bool = False,
    formats: tuple[str, ...] = FORMATS,
    basemap: Settings | None = None,
) -> list[Path]:
    """Draw one layer and save it as ``<gemeente>_<layer>.<fmt>``; return the written paths.

    ``basemap``: settings to fetch the optional PDOK background map with (online only).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    fig = build_figure(mapset, layer, labels=labels, basemap=basemap)
    checkpoint()  # drawing and encoding each take seconds: a cancelled export stops here
    stem = f"{mapset.gemeente_code.lower()}_{layer.key}"
    written = []
    with matplotlib.rc_context(_RC):
        for fmt in formats:
            checkpoint()
            path = out / f"{stem}.{fmt}"
            if fmt == "png":
                # the same pixels as savefig, encoded ~4x faster (see maps/_png.py)
                meta = {"Software": "veerkracht", "Title": layer.title}
                written.append(save_png(fig, path, dpi=DPI, metadata=meta))
                continue
            meta = {"Title": layer.title, "Creator": "veerkracht"}
            fig.savefig(path, format=fmt, dpi=DPI, metadata=meta, facecolor="white")
            written.append(path)
    return written


def _render_layer(mapset: MapSet, layer: MapLayer, out_dir: Path, options: dict) -> list[Path]:
    return render_map(mapset, layer, out_dir, **options)


_RC = {
    "svg.fonttype": "none",  # keep text as text: searchable, editable, smaller
    # Type 3: glyph outlines from FreeType, no fontTools subsetting of DejaVu per PDF
    # (that took ~0.4 s of every PDF); the same glyphs, and the SVG keeps text as text
    "pdf.fonttype": 3,
    "hatch.linewidth": 0.45,
    "svg.hashsalt": "veerkracht",  # deterministic SVG ids
}


def build_figure(
    mapset: MapSet, layer: MapLayer, *, labels: bool = False, basemap: Settings | None = None
) -> Figure:
    """The finished figure (not saved), so tests can inspect its artists."""
    with matplotlib.rc_context(_RC):
        fig = Figure(figsize=FIGSIZE, dpi=DPI, facecolor="white")
        FigureCanvasAgg(fig)  # a renderer to measure text with; no pyplot, no global state
        style = layer_style(mapset, layer)
        ax = fig.add_axes(MAP_RECT, label="kaart")
        _draw_buurten(ax, mapset, style)
        _draw_overlays(ax, mapset)
        if basemap is not None:
            add_basemap(ax, basemap)
            layer = replace(layer, sources=[*layer.sources, ATTRIBUTION])
        if labels:
            _draw_labels(ax, mapset)
        _draw_scale_bar(ax)
        _draw_north_arrow(ax)
        leg_ax = fig.add_axes(LEGEND_RECT, label="legenda")
        leg_ax.set_axis_off()
        if layer.kind == "bivariaat":
            _draw_bivariate_legend(leg_ax, mapset, layer, style)
        else:
            _draw_legend(leg_ax, layer, style)
        _draw_overlay_legend(leg_ax, mapset)
        _draw_texts(fig, mapset, layer)
    return fig


# ----------------------------------------------------------------------------- map body


def _draw_buurten(ax: Axes, mapset: MapSet, style: LayerStyle) -> None:
    shapes = _shapes(mapset)
    colours = [style.colours[i] for i in shapes.rows]
    has = [c is not None for c in colours]
    # the same collections geopandas' GeoDataFrame.plot would add, from paths made once
    # per map set (the buurten are the same on every map; only the colours change)
    if any(has):
        ax.add_collection(
            PathCollection(
                [p for p, h in zip(shapes.paths, has, strict=True) if h],
                facecolor=[c for c in colours if c is not None],
                edgecolor=palettes.BOUNDARY,
                linewidth=0.25,
            )
        )
    if not all(has):
        ax.add_collection(
            PathCollection(
                [p for p, h in zip(shapes.paths, has, strict=True) if not h],
                facecolor=palettes.NO_DATA_FACE,
                edgecolor=palettes.NO_DATA_EDGE,
                hatch=palettes.NO_DATA_HATCH,
                linewidth=0.25,
            )
        )
    # the gemeente outline gives the city a crisp edge on paper
    ax.plot(*shapes.outline, color="#4d4d4d", linewidth=0.6, solid_joinstyle="round")
    minx, miny, maxx, maxy = shapes.bounds
    pad = 0.04 * max(maxx - minx, maxy - miny)
    ax.set_xlim(minx - pad, maxx + pad)
    ax.set_ylim(miny - pad, maxy + pad)
    ax.set_aspect("equal")
    ax.set_anchor("W")
    ax.set_axis_off()


def _draw_overlays(ax: Axes, mapset: MapSet, scale: float = 1.0) -> None:
    """Own data: magenta diamonds sized by their value, above the buurten (``scale``: the
    symbol area relative to a single map, smaller where a map carries more)."""
    for overlay in mapset.overlays:
        pts = overlay.points
        if pts.empty:
            continue
        sizes = scale * (14 + 70 * pts["grootte"].fillna(0.5).clip(0, 1).to_numpy())
        ax.scatter(
            pts.geometry.x,
            pts.geometry.y,
            s=sizes,
            marker="D",
            facecolor=palettes.OWN_DATA_FACE,
            edgecolor=palettes.OWN_DATA_EDGE,
            linewidth=0.6,
            zorder=5,
            label=overlay.label,
        )


def _draw_overlay_legend(ax: Axes, mapset: MapSet) -> None:
    """One legend entry per overlay at the foot of the legend panel (all map kinds)."""
    if not mapset.overlays:
        return

    handles = [
        Line2D(
            [],
            [],
            linestyle="none",
            marker="D",
            markersize=7,
            markerfacecolor=palettes.OWN_DATA_FACE,
            markeredgecolor=palettes.OWN_DATA_EDGE,
            label=textwrap.fill(o.label, 34),
        )
        for o in mapset.overlays
    ]
    # a Legend of its own: ax.legend() would replace the class legend above it
    legend = Legend(
        ax,
        handles,
        [h.get_label() for h in handles],
        loc="lower left",
        bbox_to_anchor=(0, 0),
        frameon=False,
        fontsize=9,
        alignment="left",
        borderaxespad=0,
    )
    ax.add_artist(legend)


@dataclass
class _Shapes:
    """The buurten of a map set as matplotlib paths, made once for all its maps."""

    geometry: object  # the GeometryArray these were made from (identity = cache key)
    paths: list  # one compound path per non-empty buurt, in row order
    rows: list[int]  # the buurt row of each path
    outline: tuple[list[float], list[float]]
    bounds: tuple[float, float, float, float]


_SHAPES: dict[int, _Shapes] = {}


def _shapes(mapset: MapSet) -> _Shapes:
    """Paths, gemeente outline and bounds of ``mapset.buurten`` (cached per map set)."""
    geometry = mapset.buurten.geometry.values
    found = _SHAPES.get(id(geometry))
    if found is not None and found.geometry is geometry:
        return found

    # as geopandas.plotting: normalised rings, one compound path per (multi)polygon
    geoms = shapely.normalize(np.asarray(geometry))
    paths, rows = [], []
    for i, geom in enumerate(geoms):
        if geom is None or geom.is_empty:
            continue
        parts = [geom] if geom.geom_type == "Polygon" else list(geom.geoms)
        rings = []
        for part in parts:
            rings.append(MplPath(shapely.get_coordinates(part.exterior), closed=True))
            rings += [MplPath(shapely.get_coordinates(r), closed=True) for r in part.interiors]
        paths.append(MplPath.make_compound_path(*rings))
        rows.append(i)
    outline = _line_xy(shapely.union_all(np.asarray(geometry)).boundary)
    bounds = tuple(float(v) for v in mapset.buurten.total_bounds)
    shapes = _Shapes(geometry, paths, rows, outline, bounds)  # type: ignore[arg-type]
    _SHAPES.clear()  # one map set at a time (the atlas renders many gemeenten per process)
    _SHAPES[id(geometry)] = shapes
    return shapes


def _line_xy(geom: object) -> tuple[list[float], list[float]]:
    """x and y lists of a (multi)line, segments separated by NaN (one plot call)."""
    xs: list[float] = []
    ys: list[float] = []
    for part in shapely.get_parts(geom):
        coords = shapely.get_coordinates(part)
        xs.extend([*coords[:, 0].tolist(), float("nan")])
        ys.extend([*coords[:, 1].tolist(), float("nan")])
    return xs, ys


def _draw_labels(ax: Axes, mapset: MapSet, fontsize: float = 3.6) -> None:
    """Names of the buurten that have room for them (the HTML map shows every name).

    A translucent box instead of a stroked halo: path effects turn every label into
    outlines in SVG (10 MB instead of 0.5 MB for Amsterdam) and lose the text.
    """
    ax.apply_aspect()
    pos = ax.get_position()
    metres_per_pt = (ax.get_xlim()[1] - ax.get_xlim()[0]) / (pos.width * FIGSIZE[0] * 72)
    box = {"boxstyle": "round,pad=0.12", "facecolor": "white", "alpha": 0.6, "linewidth": 0}
    gdf = mapset.buurten
    points = gdf.geometry.representative_point()
    bounds = gdf.geometry.bounds
    for i, (point, name) in enumerate(zip(points, gdf["name"], strict=True)):
        text = textwrap.fill(str(name), 16)
        lines = text.splitlines()
        width = max(len(line) for line in lines) * 0.55 * fontsize * metres_per_pt
        height = len(lines) * 1.1 * fontsize * metres_per_pt
        row = bounds.iloc[i]
        if row.maxx - row.minx < width * 1.05 or row.maxy - row.miny < height * 1.4:
            continue
        ax.annotate(
            text,
            (point.x, point.y),
            ha="center",
            va="center",
            fontsize=fontsize,
            color=palettes.TEXT,
            bbox=box,
            linespacing=0.9,
        )


def _nice_length(span_m: float) -> float:
    """A round scale-bar length (m) of about a fifth of the map width."""
    target = span_m / 5
    best = 100.0
    for km in (0.1, 0.2, 0.25, 0.5, 1, 2, 2.5, 5, 10, 20, 25, 50):
        if km * 1000 <= target:
            best = km * 1000
    return best


def _draw_scale_bar(ax: Axes) -> None:
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    length = _nice_length(x1 - x0)
    height = (y1 - y0) * 0.008
    left, bottom = x0 + (x1 - x0) * 0.02, y0 + (y1 - y0) * 0.03
    for i in range(4):
        ax.add_patch(
            Rectangle(
                (left + i * length / 4, bottom),
                length / 4,
                height,
                facecolor=palettes.TEXT if i % 2 == 0 else "white",
                edgecolor=palettes.TEXT,
                linewidth=0.5,
                zorder=5,
            )
        )
    text_y = bottom + height * 1.8
    for frac in (0, 0.5, 1):
        value = length * frac / 1000
        text = format_number(value, 0 if value == int(value) else 1)
        if frac == 1:
            text += " km"
        ax.text(
            left + length * frac,
            text_y,
            text,
            ha="left" if frac == 1 else "center",
            va="bottom",
            fontsize=7,
            color=palettes.TEXT,
            zorder=5,
        )


def _draw_north_arrow(ax: Axes) -> None:
    # in axes fraction; RD "north" is grid north, within 2° of true north in NL
    cx, top, w, h = 0.965, 0.965, 0.014, 0.055
    tr = ax.transAxes
    left = Polygon(
        [(cx, top), (cx - w, top - h), (cx, top - h * 0.72)],
        closed=True,
        transform=tr,
        facecolor=palettes.TEXT,
        edgecolor=palettes.TEXT,
        lw=0.6,
    )
    right = Polygon(
        [(cx, top), (cx + w, top - h), (cx, top - h * 0.72)],
        closed=True,
        transform=tr,
        facecolor="white",
        edgecolor=palettes.TEXT,
        lw=0.6,
    )
    ax.add_patch(left)
    ax.add_patch(right)
    ax.text(
        cx,
        top - h - 0.012,
        "N",
        transform=tr,
        ha="center",
        va="top",
        fontsize=9,
        fontweight="bold",
        color=palettes.TEXT,
    )


# ----------------------------------------------------------------------------- legend


def _no_data_handle():
    return Patch(
        facecolor=palettes.NO_DATA_FACE,
        edgecolor=palettes.NO_DATA_EDGE,
        hatch=palettes.NO_DATA_HATCH,
        linewidth=0.5,
        label=NO_DATA_LABEL,
    )


def _draw_legend(ax: Axes, layer: MapLayer, style: LayerStyle) -> None:
    handles = [
        Patch(facecolor=c, edgecolor="#bdbdbd", linewidth=0.5, label=textwrap.fill(label, 34))
        for label, c in style.legend
    ]
    if style.no_data:
        handles.append(_no_data_handle())
    legend = ax.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(0, 1),
        frameon=False,
        title=textwrap.fill(layer.legend_title, 30),
        alignment="left",
        fontsize=9,
        title_fontsize=10,
        handlelength=2.0,
        handleheight=1.3,
        labelspacing=0.55,
        borderaxespad=0,
    )
    legend.get_title().set_fontweight("bold")
    _draw_note(ax, layer, legend)


def _draw_note(ax: Axes, layer: MapLayer, anchor) -> None:
    if not layer.note:
        return
    # place the note under the legend: measure the legend in axes coordinates
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    bbox = anchor.get_window_extent(renderer).transformed(ax.transAxes.inverted())
    ax.text(
        0,
        bbox.y0 - 0.04,
        textwrap.fill(layer.note, 40),
        transform=ax.transAxes,
        ha="left",
        va="top",
        fontsize=8,
        color=palettes.MUTED,
        linespacing=1.3,
    )


def _bivariate_explanation(mapset: MapSet, layer: MapLayer) -> str:
    text = "Donker paars: hoog niveau én sterkste stijging."
    if layer.column not in mapset.buurten.columns:  # terciles computed here
        text = "Elke as in drie even grote groepen buurten (tertielen). " + text
    return text


def _draw_bivariate_legend(ax: Axes, mapset: MapSet, layer: MapLayer, style: LayerStyle) -> None:
    x_label, y_label = axis_labels(mapset, layer)
    ax.text(
        0,
        1,
        textwrap.fill(layer.legend_title, 30),
        transform=ax.transAxes,
        ha="left",
        va="top",
        fontsize=10,
        fontweight="bold",
        color=palettes.TEXT,
    )
    # the 3×3 grid in axes fraction, square on the page
    fig_w, fig_h = ax.figure.get_size_inches()
    pos = ax.get_position()
    cell_w = 0.15
    cell_h = cell_w * (pos.width * fig_w) / (pos.height * fig_h)
    x0, y0 = 0.2, 0.9 - 3 * cell_h
    for code, colour in palettes.BIVARIATE.items():
        xi, yi = (int(v) - 1 for v in code.split("-"))
        ax.add_patch(
            Rectangle(
                (x0 + xi * cell_w, y0 + yi * cell_h),
                cell_w,
                cell_h,
                transform=ax.transAxes,
                facecolor=colour,
                edgecolor="white",
                linewidth=1.0,
                label=code,
            )
        )
    arrow = {"arrowstyle": "-|>", "lw": 0.8, "color": palettes.TEXT}
    ax.annotate(
        "",
        xy=(x0 + 3 * cell_w + 0.04, y0 - 0.015),
        xytext=(x0, y0 - 0.015),
        xycoords="axes fraction",
        arrowprops=arrow,
    )
    ax.annotate(
        "",
        xy=(x0 - 0.025, y0 + 3 * cell_h + 0.02),
        xytext=(x0 - 0.025, y0),
        xycoords="axes fraction",
        arrowprops=arrow,
    )
    ax.text(
        x0,
        y0 - 0.03,
        textwrap.fill(x_label, 32),
        transform=ax.transAxes,
        ha="left",
        va="top",
        fontsize=8,
        color=palettes.TEXT,
    )
    ax.text(
        x0 - 0.05,
        y0,
        textwrap.fill(y_label, 26),
        transform=ax.transAxes,
        ha="right",
        va="bottom",
        fontsize=8,
        rotation=90,
        color=palettes.TEXT,
    )
    explain = ax.text(
        0,
        y0 - 0.11,
        textwrap.fill(_bivariate_explanation(mapset, layer), 42),
        transform=ax.transAxes,
        ha="left",
        va="top",
        fontsize=8,
        color=palettes.MUTED,
        linespacing=1.3,
    )
    anchor = explain
    if style.no_data:
        fig = ax.figure
        box = explain.get_window_extent(fig.canvas.get_renderer()).transformed(
            ax.transAxes.inverted()
        )
        anchor = ax.legend(
            handles=[_no_data_handle()],
            loc="upper left",
            bbox_to_anchor=(0, box.y0 - 0.03),
            frameon=False,
            fontsize=9,
            handlelength=2.0,
            handleheight=1.3,
            borderaxespad=0,
        )
    _draw_note(ax, layer, anchor)


# ----------------------------------------------------------------------------- texts


def _draw_texts(fig: Figure, mapset: MapSet, layer: MapLayer) -> None:
    fig.text(
        0.025,
        0.955,
        layer.title,
        ha="left",
        va="top",
        fontsize=17,
        fontweight="bold",
        color=palettes.TEXT,
    )
    subtitle = (
        f"{mapset.gemeente_name} · buurten, buurtindeling {mapset.edition} · periode {layer.period}"
    )
    fig.text(0.025, 0.905, subtitle, ha="left", va="top", fontsize=11, color=palettes.MUTED)
    fig.text(
        0.025,
        0.045,
        textwrap.fill(source_line(layer, mapset.boundary_edition), 175),
        ha="left",
        va="top",
        fontsize=7.5,
        color=palettes.MUTED,
        linespacing=1.35,
    )

"""The board map: one landscape page per gemeente (A4 or A3) that a board reads in 30 s.

Left the signalling map (typology classes of the one pipeline view) with the buurten
that need attention numbered on it; right the class counts with n and the numbered
list (name and code) in the order 'Probleem', 'Kwetsbaar, nog geen problemen',
'Verslechterend'; across the bottom the period, reference, sources with years and the
boundary edition. A corporation's own data (its complexes), when given, comes as the
map set's overlays — placed by the one own-data path (:mod:`veerkracht.own_data`) and
drawn with the same symbol and legend text as on every other map.

Numbers instead of names keep the map readable: a name does not fit in a city-centre
buurt, a number does, and where two numbers would still touch, one moves aside on a
thin leader line.
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from PIL import Image

from veerkracht.errors import ParameterError
from veerkracht.maps import palettes
from veerkracht.maps._png import render_rgba, save_png
from veerkracht.maps.layers import LayerStyle
from veerkracht.maps.static import (
    _RC,
    _draw_buurten,
    _draw_north_arrow,
    _draw_overlays,
    _draw_scale_bar,
)
from veerkracht.signals.compute import rankable

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from veerkracht.maps.layers import MapSet
    from veerkracht.pipeline import SignalView
    from veerkracht.signals import SignalResult

#: paper sizes (inches, landscape); font sizes stay in points, so A3 gets more room
PAPER = {"A4": (11.69, 8.27), "A3": (16.54, 11.69)}
#: the classes a board acts on, in the order they are listed
ATTENTION = ("PRO", "KWE", "VER")
LIST_FONT = 6.2  # pt, the numbered list
NUMBER_FONT = 5.0  # pt, the numbers on the map
PNG_DPI = 150  # the copy in the report
OVERLAY_SCALE = 0.45  # own-data symbols smaller than on a single map: the numbers need room


@dataclass(frozen=True)
class AttentionBuurt:
    """One numbered buurt on the board map (joined to the map by ``code``)."""

    number: int
    code: str
    name: str
    typology: str  # typology code: PRO, KWE or VER
    label: str  # the Dutch class label
    index: float | None  # concentration index, for ordering within a class


def attention_buurten(result: SignalResult) -> list[AttentionBuurt]:
    """Buurten in 'Probleem', 'Kwetsbaar, nog geen problemen' and 'Verslechterend',
    numbered in that order and, within a class, by concentration index (highest first).

    Small buurten are never ranked: only buurten that :func:`rankable` keeps are listed
    (they cannot carry these classes, but the guard makes it explicit).
    """
    labels = {c.code: c.label for c in result.config.classes}
    table = rankable(result.table, result.min_inhabitants)
    table = table[table["typology"].isin(ATTENTION)].copy()
    order = {code: i for i, code in enumerate(ATTENTION)}
    table = table.assign(
        sort_class=table["typology"].map(order),
        sort_index=table["concentration_index"].astype(float),
    ).sort_values(
        ["sort_class", "sort_index", "region_code"],
        ascending=[True, False, True],
        na_position="last",
    )
    out = []
    rows = zip(
        table["region_code"], table["name"], table["typology"], table["sort_index"], strict=True
    )
    for number, (code, name, typology, index) in enumerate(rows, start=1):
        text = "" if name is None or name != name else str(name)
        value = None if math.isnan(index) else float(index)
        out.append(AttentionBuurt(number, str(code), text, typology, labels[typology], value))
    return out


def class_count_rows(result: SignalResult) -> list[tuple[str, str, str, int]]:
    """(code, label, colour, n) per class in the order of the typology settings."""
    counts = result.class_counts()
    return [
        (c.code, c.label, c.base_colour, int(counts.get(c.code, 0))) for c in result.config.classes
    ]


def source_lines(view: SignalView, mapset: MapSet) -> list[str]:
    """Period, reference, every source with its years and the boundary edition."""
    sources = "; ".join(s.citation() for s in view.result.sources)
    edition = f"Buurtgrenzen: buurtindeling {mapset.boundary_edition}"
    if mapset.boundary_edition != view.edition:
        edition += f" (cijfers op buurtindeling {view.edition})"
    return [
        f"{view.period_line()}. {view.reference_line()}.",
        f"Bron: {sources}. {edition}.",
    ]


# ----------------------------------------------------------------------------- figure


def check_paper(paper: str) -> str:
    """``paper`` when the board map knows it (A4, A3), else a Dutch error naming the option."""
    if paper not in PAPER:
        raise ParameterError(
            "--formaat",
            paper,
            "dit papierformaat kent de bestuurskaart niet",
            fix="Kies --formaat A4 of --formaat A3.",
        )
    return paper


def build_board_figure(
    view: SignalView,
    mapset: MapSet,
    *,
    paper: str = "A4",
) -> Figure:
    """The finished board-map figure (not saved), so tests can inspect its artists.

    Own data travels in ``mapset.overlays`` (see :func:`veerkracht.maps.layers.own_data_overlay`).
    """
    width, height = PAPER[check_paper(paper)]
    with matplotlib.rc_context({**_RC, "font.family": "DejaVu Sans"}):
        fig = Figure(figsize=(width, height), dpi=PNG_DPI, facecolor="white")
        FigureCanvasAgg(fig)
        margin = 0.35 / width  # 0.35 inch
        top = 1 - 1.05 / height  # title block
        bottom = 0.95 / height  # source block
        map_w = 0.58
        ax = fig.add_axes((margin, bottom, map_w, top - bottom), label="kaart")
        buurten = attention_buurten(view.result)
        _draw_classes(ax, mapset, view.result)
        _draw_overlays(ax, mapset, scale=OVERLAY_SCALE)
        _draw_numbers(ax, mapset, buurten, width)
        panel = (margin + map_w + 0.02, bottom, 1 - (margin + map_w + 0.02) - margin, top - bottom)
        on_map = set(mapset.buurten.region_code[~mapset.buurten.geometry.is_empty])
        overlays = [o.label for o in mapset.overlays if not o.points.empty]
        _draw_panel(fig, panel, view.result, buurten, overlays, (width, height), on_map)
        _draw_header(fig, view, mapset, margin, height)
        _draw_footer(fig, view, mapset, margin, width, height)
    return fig


def _draw_classes(ax: Axes, mapset: MapSet, result: SignalResult) -> None:
    """Every buurt in the colour of its class (base classes: a board needs no shades)."""
    colours = {code: colour for code, _, colour, _ in class_count_rows(result)}
    codes = mapset.buurten["typology"]
    style = LayerStyle(
        colours=[colours.get(str(c)) if c == c and c is not None else None for c in codes],
        legend=[],
        no_data=0,
    )
    _draw_buurten(ax, mapset, style)
    ax.set_anchor("NW")  # a wide gemeente leaves its spare room under the map, not above
    _draw_scale_bar(ax)
    _draw_north_arrow(ax)


def _draw_numbers(ax: Axes, mapset: MapSet, buurten: list[AttentionBuurt], width: float) -> None:
    """A white disc with the number at each named buurt; a number that would touch an
    earlier one or an own-data symbol moves outwards (first free spot on rings around the
    buurt) on a leader line, so no symbol is hidden under a number."""
    if not buurten:
        return
    ax.apply_aspect()
    pos = ax.get_position()
    metres_per_pt = (ax.get_xlim()[1] - ax.get_xlim()[0]) / (pos.width * width * 72)
    gdf = mapset.buurten.set_index("region_code")
    radius = NUMBER_FONT * 1.05 * metres_per_pt  # half a disc, in metres
    placed: list[tuple[float, float]] = [
        (p.x, p.y) for o in mapset.overlays for p in o.points.geometry if p is not None
    ]
    for b in buurten:
        if b.code not in gdf.index:
            continue  # no polygon: listed with a note, not drawn
        point = gdf.geometry.loc[b.code].representative_point()
        x, y = _free_spot(point.x, point.y, radius, placed)
        if (x, y) != (point.x, point.y):
            ax.plot([point.x, x], [point.y, y], color=palettes.TEXT, lw=0.35, zorder=6)
            ax.plot(point.x, point.y, "o", ms=1.2, color=palettes.TEXT, zorder=6)
        placed.append((x, y))
        ax.text(
            x,
            y,
            str(b.number),
            ha="center",
            va="center",
            fontsize=NUMBER_FONT,
            fontweight="bold",
            color=palettes.TEXT,
            zorder=7,
            bbox={
                "boxstyle": "circle,pad=0.18",
                "facecolor": "white",
                "edgecolor": palettes.TEXT,
                "linewidth": 0.4,
            },
        )


def _free_spot(
    x: float, y: float, radius: float, placed: list[tuple[float, float]]
) -> tuple[float, float]:
    """The point itself when no earlier disc is within two radii, else the nearest free
    spot on rings of growing size (12 directions each)."""

    def free(px: float, py: float) -> bool:
        return all((px - qx) ** 2 + (py - qy) ** 2 >= (2.1 * radius) ** 2 for qx, qy in placed)

    if free(x, y):
        return x, y
    for ring in range(1, 12):
        dist = 2.2 * radius * ring
        for k in range(12):
            angle = math.pi / 2 + k * math.pi / 6
            px, py = x + dist * math.cos(angle), y + dist * math.sin(angle)
            if free(px, py):
                return px, py
    return x, y  # a crowd beyond 12 rings: overlap rather than lose the number


def _draw_header(fig: Figure, view: SignalView, mapset: MapSet, left: float, height: float) -> None:
    gm = view.gemeente
    fig.text(
        left,
        1 - 0.3 / height,
        f"Signaleringskaart {gm.name}: buurten die aandacht vragen",
        ha="left",
        va="top",
        fontsize=16,
        fontweight="bold",
        color=palettes.TEXT,
    )
    fig.text(
        left,
        1 - 0.62 / height,
        f"Kwetsbare bewoners en overlast per buurt, {view.start}–{view.end} · "
        f"{view.result.reference_label()} · buurtindeling {view.edition}",
        ha="left",
        va="top",
        fontsize=9.5,
        color=palettes.MUTED,
    )


def _draw_footer(
    fig: Figure, view: SignalView, mapset: MapSet, left: float, width: float, height: float
) -> None:
    chars = int(width * 72 / (6.3 * 0.56))  # characters per line at 6.3 pt
    lines = [
        textwrap.fill(line, chars)
        for line in [*_explanations(view.result), *source_lines(view, mapset)]
    ]
    if mapset.without_geometry:
        lines.append(
            f"{len(mapset.without_geometry)} buurten zonder grens in de bron staan niet op de "
            "kaart (wel in de lijst)."
        )
    fig.text(
        left,
        0.8 / height,
        "\n".join(lines),
        ha="left",
        va="top",
        fontsize=6.3,
        color=palettes.MUTED,
        linespacing=1.3,
    )


def _explanations(result: SignalResult) -> list[str]:
    """One line: what each class on the list means (from the typology settings)."""
    parts = [f"{c.label}: {c.explanation}" for c in result.config.classes if c.code in ATTENTION]
    return [" ".join(parts)]


def _draw_panel(
    fig: Figure,
    rect: tuple[float, float, float, float],
    result: SignalResult,
    buurten: list[AttentionBuurt],
    overlays: list[str],
    size: tuple[float, float],
    on_map: set[str],
) -> None:
    """Class counts with n (the legend), own data, then the numbered list in columns."""
    left, bottom, w, h = rect
    width, height = size
    line = lambda pt: pt * 1.32 / 72 / height  # noqa: E731 - a line height in figure units
    y = bottom + h
    fig.text(left, y, "Signaal", fontsize=8.5, fontweight="bold", va="top", color=palettes.TEXT)
    fig.text(
        left + w * 0.8,
        y,
        "Buurten (n)",
        fontsize=8.5,
        fontweight="bold",
        va="top",
        ha="right",
        color=palettes.TEXT,
    )
    y -= line(9.5)
    rows = class_count_rows(result)
    total = sum(n for *_, n in rows)
    box_w, box_h = 0.16 / width, 0.11 / height
    for code, label, colour, n in rows:
        fig.add_artist(
            Rectangle(
                (left, y - box_h),
                box_w,
                box_h,
                transform=fig.transFigure,
                facecolor=colour,
                edgecolor="#888888",
                linewidth=0.4,
            )
        )
        weight = "bold" if code in ATTENTION else "normal"
        fig.text(
            left + box_w * 1.5,
            y,
            label,
            fontsize=8,
            va="top",
            fontweight=weight,
            color=palettes.TEXT,
        )
        fig.text(
            left + w * 0.8,
            y,
            str(n),
            fontsize=8,
            va="top",
            ha="right",
            fontweight=weight,
            color=palettes.TEXT,
        )
        y -= line(8.6)
    fig.text(
        left + box_w * 1.5,
        y,
        "Totaal",
        fontsize=8,
        va="top",
        fontweight="bold",
        color=palettes.TEXT,
    )
    fig.text(
        left + w * 0.8,
        y,
        str(total),
        fontsize=8,
        va="top",
        ha="right",
        fontweight="bold",
        color=palettes.TEXT,
    )
    y -= line(8.6)
    for label in overlays:
        y = _draw_overlay_entry(fig, left, y, box_w, w, label, line)
    y -= line(6)
    _draw_list(fig, (left, bottom, w, y - bottom), result, buurten, line, on_map)


def _draw_overlay_entry(fig, left: float, y: float, box_w: float, w: float, label: str, line):
    """The own-data symbol (as on every map) and its legend text; returns the next y."""
    fig.add_artist(
        Line2D(
            [left + box_w * 0.5],
            [y - line(8) * 0.38],
            transform=fig.transFigure,
            linestyle="none",
            marker="D",
            markersize=5,
            markerfacecolor=palettes.OWN_DATA_FACE,
            markeredgecolor=palettes.OWN_DATA_EDGE,
        )
    )
    chars = int(w * 0.95 * fig.get_figwidth() * 72 / (8 * 0.55))
    text = textwrap.fill(label, chars)
    fig.text(left + box_w * 1.5, y, text, fontsize=8, va="top", color=palettes.TEXT)
    return y - line(8.6) * (text.count("\n") + 1)


def _draw_list(
    fig, rect, result: SignalResult, buurten: list[AttentionBuurt], line, on_map: set[str]
) -> None:
    """The numbered buurten under a header per class: two columns, a smaller font before
    a third column, and never silently cut (the rest is counted and pointed to)."""
    left, bottom, w, h = rect
    fig.text(
        left,
        bottom + h,
        "Genummerd op de kaart",
        fontsize=8.5,
        fontweight="bold",
        va="top",
        color=palettes.TEXT,
    )
    top = bottom + h - line(10)
    if not buurten:
        fig.text(
            left,
            top,
            "Geen buurten met het signaal 'Probleem', 'Kwetsbaar, nog geen\n"
            "problemen' of 'Verslechterend'.",
            fontsize=LIST_FONT,
            va="top",
            color=palettes.TEXT,
        )
        return
    entries: list[tuple[str, str | None]] = []  # (text, class code of a header or None)
    for code in ATTENTION:
        group = [b for b in buurten if b.typology == code]
        if group:
            entries.append((f"{group[0].label} ({len(group)})", code))
            entries += [(_entry(b, b.code in on_map), None) for b in group]
    missing = [b for b in buurten if b.code not in on_map]
    font, columns, per_column = _list_layout(len(entries) + bool(missing), top - bottom, line)
    if missing:
        entries.append(("* niet op de kaart: geen grens in de bron", None))
    capacity = per_column * columns
    if len(entries) > capacity:
        left_out = sum(1 for _, header in entries[capacity - 1 :] if header is None)
        entries = [
            *entries[: capacity - 1],
            (f"… en nog {left_out} buurten: zie de bijlage of de XLSX", None),
        ]
    colours = {code: colour for code, _, colour, _ in class_count_rows(result)}
    col_w = w / columns
    chars = int(col_w * fig.get_figwidth() * 72 / (font * 0.6))
    for i, (text, header) in enumerate(entries):
        col, row = divmod(i, per_column)
        x, y = left + col * col_w, top - row * line(font)
        style = {"fontsize": font, "va": "top", "color": palettes.TEXT}
        if header:
            box = {"boxstyle": "square,pad=0.15", "facecolor": colours[header], "edgecolor": "none"}
            fig.text(x, y, text, fontweight="bold", bbox=box, **style)
        else:
            fig.text(x, y, _shorten(text, chars), **style)


def _entry(b: AttentionBuurt, on_map: bool) -> str:
    return f"{b.number:>3}{'' if on_map else '*'}  {b.name}  {b.code}"


def _list_layout(n: int, height: float, line) -> tuple[float, int, int]:
    """(font size, columns, rows per column): two columns at the largest font that fits,
    down to 5 pt; then three columns."""
    font = LIST_FONT
    while font >= 5.0:
        per_column = max(1, int(height / line(font)))
        if n <= 2 * per_column:
            return font, (1 if n <= per_column else 2), per_column
        font -= 0.3
    font = 5.0
    return font, 3, max(1, int(height / line(font)))


def _shorten(text: str, chars: int) -> str:
    """Cut a long name so the code stays visible (the code is the key)."""
    if len(text) <= chars or "  " not in text.strip():
        return text
    head, code = text.rsplit("  ", 1)
    return head[: max(8, chars - len(code) - 3)].rstrip() + "…  " + code


# ----------------------------------------------------------------------------- files


def render_board_map(
    view: SignalView,
    mapset: MapSet,
    out_dir: str | Path,
    *,
    paper: str = "A4",
    png: bool = False,
) -> list[Path]:
    """Write ``<gm>_bestuurskaart_<A4|A3>_<van>_<tot>.pdf`` (and a PNG when asked)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    fig = build_board_figure(view, mapset, paper=paper)
    stem = f"{mapset.gemeente_code.lower()}_bestuurskaart_{paper}_{view.start}_{view.end}"
    title = f"Signaleringskaart {view.gemeente.name} voor het bestuur, {view.start}–{view.end}"
    written = []
    with matplotlib.rc_context(_RC):
        path = out / f"{stem}.pdf"
        fig.savefig(path, format="pdf", metadata={"Title": title, "Creator": "veerkracht"})
        written.append(path)
        if png:
            meta = {"Software": "veerkracht", "Title": title}
            written.append(save_png(fig, out / f"{stem}.png", dpi=PNG_DPI, metadata=meta))
    return written


def board_image(
    view: SignalView,
    mapset: MapSet,
    *,
    paper: str = "A4",
    dpi: float = PNG_DPI,
) -> Image.Image:
    """The board map as a Pillow image (for the report, which embeds it)."""
    fig = build_board_figure(view, mapset, paper=paper)
    with matplotlib.rc_context(_RC):
        return Image.fromarray(render_rgba(fig, dpi).copy(), "RGBA").convert("RGB")

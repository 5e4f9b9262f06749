"""The national map of the overview: one polygon per gemeente, coloured by its signals.

House style of :mod:`veerkracht.maps.static` (A4 landscape, title top left, legend panel
on the right, scale bar, north arrow, source line across the bottom). Gemeente polygons
are dissolved from the buurt boundaries in the store; the map says how many gemeenten
have none (they are listed in the overview table, never silently absent).
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from veerkracht.maps import palettes
from veerkracht.maps.static import (
    _RC,
    DPI,
    FIGSIZE,
    LEGEND_RECT,
    MAP_RECT,
    _draw_north_arrow,
    _draw_scale_bar,
)
from veerkracht.signals.periods import period_name

if TYPE_CHECKING:
    import geopandas as gpd

    from veerkracht.overview import Overview

#: Gemeente categories, worst first: (code, Dutch label, colour from typology.toml).
CATEGORIES = (
    ("PRO", "Minstens één buurt 'Probleem'", "#fb6a4a"),
    ("KWE", "Minstens één buurt 'Kwetsbaar', geen 'Probleem'", "#6baed6"),
    ("GEEN", "Geen buurt 'Probleem' of 'Kwetsbaar'", "#f7f7f7"),
    ("OVER", "Overgeslagen (geen signaal te berekenen)", "#969696"),
)


def gemeente_category(ov: Overview) -> dict[str, str]:
    """GM code -> category code of :data:`CATEGORIES` for every gemeente in the overview."""
    out = {g.code: "OVER" for g in ov.skipped}
    for g in ov.done:
        if g.counts.get("PRO", 0):
            out[g.code] = "PRO"
        elif g.counts.get("KWE", 0):
            out[g.code] = "KWE"
        else:
            out[g.code] = "GEEN"
    return out


def build_national_figure(ov: Overview, shapes: gpd.GeoDataFrame) -> Figure:
    """The finished national figure (not saved)."""
    category = gemeente_category(ov)
    colours = {code: colour for code, _, colour in CATEGORIES}
    shapes = shapes[shapes.gemeente_code.isin(category)]
    drawn = set(shapes.gemeente_code)
    per_category = {code: 0 for code, _, _ in CATEGORIES}
    per_category_drawn = dict(per_category)
    for code, cat in category.items():
        per_category[cat] += 1
        per_category_drawn[cat] += code in drawn
    missing = len(category) - len(drawn)

    with matplotlib.rc_context(_RC):
        fig = Figure(figsize=FIGSIZE, dpi=DPI, facecolor="white")
        FigureCanvasAgg(fig)
        ax = fig.add_axes(MAP_RECT, label="kaart")
        ax.set_axis_off()
        ax.set_aspect("equal")
        if len(shapes):
            shapes.plot(
                ax=ax,
                color=[colours[category[c]] for c in shapes.gemeente_code],
                edgecolor="#636363",
                linewidth=0.4,
            )
            for row in shapes.itertuples():
                point = row.geometry.representative_point()
                ax.annotate(
                    ov_name(ov, row.gemeente_code),
                    (point.x, point.y),
                    fontsize=6,
                    ha="center",
                    va="center",
                    color=palettes.TEXT,
                )
            # the whole of the Netherlands (RD), so the few drawn gemeenten sit where they are
            ax.set_xlim(0, 290_000)
            ax.set_ylim(290_000, 630_000)
            _draw_scale_bar(ax)
            _draw_north_arrow(ax)
        leg_ax = fig.add_axes(LEGEND_RECT, label="legenda")
        leg_ax.set_axis_off()
        handles = [
            Patch(
                facecolor=colour,
                edgecolor="#636363",
                linewidth=0.5,
                label=textwrap.fill(
                    f"{label}: {per_category[code]} gemeenten"
                    f" ({per_category_drawn[code]} op de kaart)",
                    38,
                ),
            )
            for code, label, colour in CATEGORIES
        ]
        legend = leg_ax.legend(
            handles=handles,
            loc="upper left",
            bbox_to_anchor=(0, 1),
            frameon=False,
            title="Gemeenten",
            alignment="left",
            fontsize=8.5,
            title_fontsize=10,
            handlelength=2.0,
            handleheight=1.3,
            labelspacing=0.7,
            borderaxespad=0,
        )
        legend.get_title().set_fontweight("bold")
        figures = ov.figures()
        note = (
            f"{figures[0]['tekst']}; {figures[1]['tekst'][0].lower()}{figures[1]['tekst'][1:]}. "
            f"Definitie: {figures[1]['definitie']} "
            f"Zonder grenzen in de store: {missing} van de {len(category)} gemeenten; zij "
            "staan wel in de tabel (overzicht_….csv/xlsx). " + ov.skipped_text()
        )
        leg_ax.text(
            0,
            0.58,
            textwrap.fill(note, 52),
            transform=leg_ax.transAxes,
            ha="left",
            va="top",
            fontsize=7,
            color=palettes.MUTED,
            linespacing=1.3,
        )
        fig.text(
            0.025,
            0.955,
            "Landelijk overzicht: gemeenten met kwetsbare buurten",
            ha="left",
            va="top",
            fontsize=17,
            fontweight="bold",
            color=palettes.TEXT,
        )
        fig.text(
            0.025,
            0.905,
            f"Nederland · gemeenten · {ov.period_text()}",
            ha="left",
            va="top",
            fontsize=11,
            color=palettes.MUTED,
        )
        editions = sorted({int(e) for e in shapes.get("edition", [])})
        boundaries = (
            "Gemeentegrenzen: samengevoegde buurtgrenzen uit de store (buurtindeling "
            + ", ".join(str(e) for e in editions)
            + ")."
            if editions
            else "Geen gemeentegrenzen in de store."
        )
        fig.text(
            0.025,
            0.045,
            textwrap.fill(f"Bron: {'; '.join(ov.sources())}. {boundaries}", 175),
            ha="left",
            va="top",
            fontsize=7,
            color=palettes.MUTED,
            linespacing=1.35,
        )
    return fig


def ov_name(ov: Overview, code: str) -> str:
    for g in (*ov.done, *ov.skipped):
        if g.code == code:
            return g.name
    return code


def render_national_map(
    ov: Overview,
    shapes: gpd.GeoDataFrame,
    out_dir: str | Path,
    formats: tuple[str, ...] = ("png", "pdf"),
) -> list[Path]:
    """Save the national map as ``overzicht_<periode>_kaart.<fmt>``; return the paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    fig = build_national_figure(ov, shapes)
    title = "Landelijk overzicht veerkracht"
    written = []
    with matplotlib.rc_context(_RC):
        for fmt in formats:
            path = out / f"overzicht_{period_name(ov.start_year, ov.end_year)}_kaart.{fmt}"
            meta = {"Title": title, "Software" if fmt == "png" else "Creator": "veerkracht"}
            extra = {"pil_kwargs": {"compress_level": 3}} if fmt == "png" else {}
            fig.savefig(path, format=fmt, dpi=DPI, metadata=meta, facecolor="white", **extra)
            written.append(path)
    return written

"""Supporting charts for the signalling report (PNG 300 dpi, SVG, PDF), Dutch labels.

Input is always a plain pandas DataFrame:

* :func:`corporation_index_chart` — columns ``category`` (corporation-share bin label,
  e.g. ``"0–10%"`` … ``"≥80%"``, in display order), ``period`` (e.g.
  ``"2017–2019"``) and ``index`` (NL = 100). One line per period.
* :func:`liveability_development_chart` — columns ``category`` (label of the
  liveability class, in display order) and ``value`` (e.g. mean change or share of
  buurten that declined); optional ``period`` for grouped bars and ``ci_low``/``ci_high``
  for a 95 % interval.
* :func:`ranking_chart` — columns ``name`` and ``value``; the top ``top`` buurten.
"""

from __future__ import annotations

import math
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from veerkracht.maps import palettes
from veerkracht.maps.layers import format_number

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

DPI = 300
FORMATS = ("png", "svg", "pdf")
LINE_COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7"]  # Okabe–Ito


def _figure(size: tuple[float, float] = (8.27, 5.0)) -> tuple[Figure, Axes]:
    fig = Figure(figsize=size, dpi=DPI, facecolor="white")
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.1, 0.2, 0.86, 0.62))
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(labelsize=8.5, colors=palettes.TEXT)
    return fig, ax


def _texts(fig: Figure, title: str, subtitle: str, sources: list[str]) -> None:
    fig.text(
        0.03, 0.96, title, ha="left", va="top", fontsize=13, fontweight="bold", color=palettes.TEXT
    )
    if subtitle:
        fig.text(0.03, 0.895, subtitle, ha="left", va="top", fontsize=9.5, color=palettes.MUTED)
    fig.text(
        0.03,
        0.035,
        textwrap.fill("Bron: " + "; ".join(sources) + ".", 140),
        ha="left",
        va="bottom",
        fontsize=7,
        color=palettes.MUTED,
    )


def _dutch_axis(ax: Axes, axis: str = "y", decimals: int = 0) -> None:
    formatter = FuncFormatter(lambda v, _pos: format_number(v, decimals))
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(formatter)


def save(fig: Figure, out_dir: str | Path, stem: str, formats: tuple[str, ...]) -> list[Path]:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    with matplotlib.rc_context({"svg.fonttype": "none", "pdf.fonttype": 42}):
        for fmt in formats:
            path = out / f"{stem}.{fmt}"
            fig.savefig(path, format=fmt, dpi=DPI, facecolor="white")
            paths.append(path)
    return paths


def _require(df: pd.DataFrame, columns: list[str], what: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"{what}: missing columns {missing}; expected {columns}")


def corporation_index_figure(
    df: pd.DataFrame, *, title: str, sources: list[str], subtitle: str = ""
) -> Figure:
    """Index (NL = 100) per corporation-share class, one line per period."""
    _require(df, ["category", "period", "index"], "corporation_index_chart")
    fig, ax = _figure()
    order = list(dict.fromkeys(df["category"]))
    for colour, (period, part) in zip(LINE_COLOURS, df.groupby("period", sort=True), strict=False):
        part = part.set_index("category").reindex(order)
        ax.plot(
            range(len(order)),
            part["index"],
            marker="o",
            color=colour,
            linewidth=2,
            markersize=4,
            label=str(period),
        )
    ax.axhline(100, color=palettes.MUTED, linewidth=0.8, linestyle="--")
    ax.annotate(
        "Nederland = 100",
        (len(order) - 1, 100),
        xytext=(0, 4),
        textcoords="offset points",
        ha="right",
        fontsize=8,
        color=palettes.MUTED,
    )
    ax.set_xticks(range(len(order)), order)
    ax.set_xlabel("Aandeel corporatiewoningen in de buurt", fontsize=9)
    ax.set_ylabel("Index (Nederland = 100)", fontsize=9)
    _dutch_axis(ax)
    ax.legend(title="Periode", frameon=False, fontsize=8.5, title_fontsize=9)
    _texts(fig, title, subtitle, sources)
    return fig


def liveability_development_figure(
    df: pd.DataFrame,
    *,
    title: str,
    sources: list[str],
    value_label: str,
    subtitle: str = "",
    x_label: str = "Leefbaarheidsklasse aan het begin van de periode",
) -> Figure:
    """Bars of a development measure per liveability class (optional 95 % interval)."""
    _require(df, ["category", "value"], "liveability_development_chart")
    fig, ax = _figure()
    order = list(dict.fromkeys(df["category"]))
    periods = list(dict.fromkeys(df["period"])) if "period" in df.columns else [None]
    width = 0.8 / len(periods)
    for k, period in enumerate(periods):
        part = df if period is None else df[df["period"] == period]
        part = part.set_index("category").reindex(order)
        xs = [i - 0.4 + width * (k + 0.5) for i in range(len(order))]
        errors = None
        if {"ci_low", "ci_high"} <= set(part.columns):
            errors = [
                (part["value"] - part["ci_low"]).clip(lower=0),
                (part["ci_high"] - part["value"]).clip(lower=0),
            ]
        ax.bar(
            xs,
            part["value"],
            width * 0.92,
            color=LINE_COLOURS[k % 4],
            label=None if period is None else str(period),
            yerr=errors,
            capsize=3,
            error_kw={"elinewidth": 0.8, "ecolor": palettes.TEXT},
        )
    ax.axhline(0, color=palettes.TEXT, linewidth=0.8)
    ax.set_xticks(range(len(order)), [_wrap_label(o) for o in order], fontsize=8)
    ax.set_xlabel(x_label, fontsize=9)
    ax.set_ylabel(value_label, fontsize=9)
    _dutch_axis(ax, decimals=_decimals_for(ax))
    if periods != [None]:
        ax.legend(title="Periode", frameon=False, fontsize=8.5, title_fontsize=9)
    _texts(fig, title, subtitle, sources)
    return fig


def _wrap_label(label: object) -> str:
    return "\n".join(textwrap.fill(part, 14) for part in str(label).split("\n"))


def _decimals_for(ax: Axes) -> int:
    """Enough decimals that neighbouring tick labels differ (no "0,1 0,1 0,0")."""
    ticks = [t for t in ax.get_yticks()]
    if len(ticks) < 2:
        return 1
    step = abs(ticks[1] - ticks[0])
    return max(0, min(4, -math.floor(math.log10(step)) if step > 0 else 1))


def ranking_figure(
    df: pd.DataFrame,
    *,
    title: str,
    sources: list[str],
    value_label: str,
    top: int = 15,
    subtitle: str = "",
    decimals: int = 1,
) -> Figure:
    """Horizontal bars of the ``top`` buurten with the highest ``value``."""
    _require(df, ["name", "value"], "ranking_chart")
    best = df.dropna(subset=["value"]).nlargest(top, "value").iloc[::-1]
    fig, ax = _figure((8.27, 2.2 + 0.24 * len(best)))
    ax.set_position((0.3, 0.16, 0.62, 0.66))
    bars = ax.barh(range(len(best)), best["value"], color=palettes.SEQUENTIAL[5][3], height=0.7)
    ax.set_yticks(range(len(best)), best["name"].astype(str).tolist())
    for bar, value in zip(bars, best["value"], strict=True):
        ax.text(
            bar.get_width(),
            bar.get_y() + bar.get_height() / 2,
            " " + format_number(float(value), decimals),
            va="center",
            fontsize=7.5,
            color=palettes.TEXT,
        )
    ax.set_xlabel(value_label, fontsize=9)
    _dutch_axis(ax, "x")
    _texts(fig, title, subtitle, sources)
    return fig


def corporation_index_chart(
    df: pd.DataFrame,
    out_dir: str | Path,
    *,
    stem: str = "corporatie_index",
    formats: tuple[str, ...] = FORMATS,
    **kwargs: object,
) -> list[Path]:
    return save(corporation_index_figure(df, **kwargs), out_dir, stem, formats)  # type: ignore[arg-type]


def liveability_development_chart(
    df: pd.DataFrame,
    out_dir: str | Path,
    *,
    stem: str = "leefbaarheid_ontwikkeling",
    formats: tuple[str, ...] = FORMATS,
    **kwargs: object,
) -> list[Path]:
    return save(liveability_development_figure(df, **kwargs), out_dir, stem, formats)  # type: ignore[arg-type]


def ranking_chart(
    df: pd.DataFrame,
    out_dir: str | Path,
    *,
    stem: str = "buurten_top",
    formats: tuple[str, ...] = FORMATS,
    **kwargs: object,
) -> list[Path]:
    return save(ranking_figure(df, **kwargs), out_dir, stem, formats)  # type: ignore[arg-type]

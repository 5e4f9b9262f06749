"""Maps and charts for the report, as data URIs (the HTML must open offline).

Maps are the figures of :func:`veerkracht.maps.static.build_figure`: written as 300-dpi
PNG next to the report (the same file ``render_map`` writes) and embedded as a JPEG drawn
from the same figure at ``EMBED_DPI``, so the HTML and PDF stay a few MB. Charts come
from :mod:`veerkracht.maps.charts`.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib
import pandas as pd
from PIL import Image

from veerkracht.maps._png import render_rgba, save_png
from veerkracht.maps.board import board_image
from veerkracht.maps.charts import (
    corporation_index_figure,
    liveability_development_figure,
    ranking_figure,
)
from veerkracht.maps.static import _RC, DPI, build_figure
from veerkracht.maps.workers import map_layers
from veerkracht.report.content import _headline_indicator
from veerkracht.signals.compute import rankable
from veerkracht.signals.corporation import MIN_GROUP
from veerkracht.signals.export import HOTSPOT_COLUMN
from veerkracht.signals.maps import citations
from veerkracht.signals.statistics import lisa_hotspots

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from veerkracht.maps.layers import MapLayer, MapSet
    from veerkracht.pipeline import SignalView
    from veerkracht.signals import SignalResult

EMBED_DPI = 120  # 1400 px across an A4-landscape map: about 200 dpi at two maps a page
CHART_DPI = 160
#: embedded maps are JPEG: WeasyPrint copies a JPEG into the PDF as it is, while it
#: decodes and re-compresses every PNG (2-3 s for the report's maps); at this quality
#: and without chroma subsampling the thin lines and small text stay sharp
JPEG = {"format": "JPEG", "quality": 92, "subsampling": 0}


def data_uri(image: bytes) -> str:
    kind = "jpeg" if image[:3] == b"\xff\xd8\xff" else "png"
    return f"data:image/{kind};base64," + base64.b64encode(image).decode("ascii")


def jpeg_bytes(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.convert("RGB").save(buf, **JPEG)
    return buf.getvalue()


def map_images(
    mapset: MapSet,
    folder: Path,
    *,
    processes: int = 1,
    meanwhile: Callable[[], object] | None = None,
    jobs: dict[str, tuple[Callable[..., Any], tuple]] | None = None,
) -> tuple[list[dict[str, str]], dict[str, Any]]:
    """One 300-dpi PNG per layer in ``folder`` and its embedded, smaller copy.

    The map set holds only layers with values (``signals.maps`` leaves empty ones out).
    With ``processes`` > 1 the maps are drawn (and scaled down) in worker processes,
    while ``meanwhile()`` runs here; ``jobs`` run in the same workers (see
    :func:`~veerkracht.maps.workers.map_layers`). Returns the maps and the jobs' results.
    """
    done = map_layers(
        mapset, _map_image, (folder,), processes=processes, meanwhile=meanwhile, jobs=jobs
    )
    return [done[layer.key] for layer in mapset.layers], {k: done[k] for k in jobs or {}}


def board_jpeg(mapset: MapSet, view: SignalView) -> bytes:
    """The board map for the report, as JPEG bytes (a job for :func:`map_images`)."""
    return jpeg_bytes(board_image(view, mapset))


def hotspots(mapset: MapSet, buurten: pd.DataFrame) -> pd.DataFrame:
    """The LISA sheet of :func:`~veerkracht.signals.export.hotspot_input`'s buurten (a job
    for :func:`map_images`: its workers have esda loaded, see ``report.WORKER_PRELOAD``)."""
    return lisa_hotspots(buurten, HOTSPOT_COLUMN)


def _map_image(mapset: MapSet, layer: MapLayer, folder: Path) -> dict[str, str]:
    """The 300-dpi PNG next to the report and the embedded copy, from one figure: the
    copy is drawn again at ``EMBED_DPI`` (cheaper than decoding and shrinking the PNG)."""
    fig = build_figure(mapset, layer)
    png = folder / f"{mapset.gemeente_code.lower()}_{layer.key}.png"
    with matplotlib.rc_context(_RC):
        save_png(fig, png, dpi=DPI, metadata={"Software": "veerkracht", "Title": layer.title})
        embedded = jpeg_bytes(Image.fromarray(render_rgba(fig, EMBED_DPI).copy(), "RGBA"))
    return {
        "key": layer.key,
        "title": layer.title,
        "period": layer.period,
        "src": data_uri(embedded),
        "file": png.name,
    }


def _figure_png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=CHART_DPI, facecolor="white")
    return buf.getvalue()


def chart_images(result: SignalResult, tables: dict[str, pd.DataFrame]) -> list[dict[str, str]]:
    """Corporation-share index curves, liveability by start class and the buurt ranking
    (``tables``: the analyses by key, :func:`veerkracht.signals.export.analyses`)."""
    charts = []
    for maker in (_corporation_chart, _liveability_chart, _ranking_chart):
        item = maker(result, tables)
        if item is not None:
            fig, title, text = item
            charts.append({"title": title, "text": text, "src": data_uri(_figure_png(fig))})
    return charts


def _corporation_chart(result: SignalResult, tables: dict[str, pd.DataFrame]) -> Any:
    curves = tables.get("corporation_share")
    ind = _headline_indicator(result)
    if curves is None or ind is None:
        return None

    part = curves[curves.indicator == ind.key].dropna(subset=["index_nl"])
    part = part[part.buurten >= MIN_GROUP]  # groups of fewer buurten carry no pattern
    if part.period.nunique() < 1:
        return None
    last = part[part.period == part.period.max()]
    n_of = dict(zip(last.corporation_share.astype(str), last.buurten, strict=True))
    shares = part.corporation_share.astype(str)
    df = pd.DataFrame(
        {
            "category": [f"{k}\nn={n_of.get(str(k), 0)}" for k in shares],
            "period": part.period.astype(str),
            "index": part.index_nl,
        }
    )
    title = f"{ind.label} naar corporatiebezit"
    fig = corporation_index_figure(
        df,
        title=title,
        subtitle=f"{result.gemeente.name}, index (Nederland = 100) per klasse corporatiebezit",
        sources=citations(result, "cbs_kwb"),
    )
    text = (
        "Per klasse van het aandeel corporatiewoningen in de buurt: het gewogen gemiddelde "
        f"van '{ind.label.lower()}' als index (Nederland = 100), voor beide perioden; n = "
        f"aantal buurten in het eindjaar. Klassen met minder dan {MIN_GROUP} buurten zijn "
        "weggelaten."
    )
    return fig, title, text


def _liveability_chart(result: SignalResult, tables: dict[str, pd.DataFrame]) -> Any:
    frame = tables.get("liveability_by_end_class")
    lbm = result.periods.get("lbm2_totaal")
    if frame is None or frame.empty or not lbm:
        return None
    frame = frame[~frame.too_small]
    labels = zip(frame.class_label, frame.pc4, strict=True)
    df = pd.DataFrame(
        {
            "category": [f"{k}\nn={n}" for k, n in labels],
            "value": frame.mean_change,
            "ci_low": frame.ci_low,
            "ci_high": frame.ci_high,
        }
    )
    title = "Ontwikkeling leefbaarheid naar leefbaarheidsklasse"
    fig = liveability_development_figure(
        df,
        title=title,
        subtitle=f"Heel Nederland (postcode-4-gebieden), Leefbaarometer 2.0, {lbm[0]}–{lbm[1]}; "
        f"klasse in {lbm[1]}",
        value_label="Gemiddelde verandering totaalscore",
        x_label=f"Leefbaarheidsklasse in {lbm[1]} (n = postcode-4-gebieden)",
        sources=citations(result, "leefbaarometer"),
    )
    text = (
        "Gemiddelde verandering van de Leefbaarometer-totaalscore per leefbaarheidsklasse aan "
        f"het eind van de periode ({lbm[1]}, zoals figuur 8 van de studie), voor alle "
        "postcode-4-gebieden in Nederland, met 95%-interval; n = aantal gebieden per klasse "
        f"(klassen met minder dan {MIN_GROUP} gebieden weggelaten)."
    )
    return fig, title, text


def _ranking_chart(result: SignalResult, tables: dict[str, pd.DataFrame]) -> Any:
    t = rankable(result.table, result.min_inhabitants)
    if t.concentration_index.notna().sum() == 0:
        return None
    df = pd.DataFrame({"name": t["name"], "value": t.concentration_index})
    title = "Buurten met de hoogste concentratie kwetsbare groepen"
    fig = ranking_figure(
        df,
        title=title,
        subtitle=f"{result.gemeente.name}, {result.end_year}: gemiddelde index van de "
        f"kernindicatoren ({result.reference_label()})",
        value_label=f"Index ({result.reference_label()})",
        sources=citations(result, "cbs"),
        decimals=0,
    )
    text = (
        "De 15 buurten met de hoogste gemiddelde index van de kernindicatoren kwetsbaarheid "
        f"(buurten met minstens {result.min_inhabitants} inwoners); dezelfde waarde staat in "
        "de kolom 'Concentratie kwetsbare groepen' van de CSV/XLSX."
    )
    return fig, title, text

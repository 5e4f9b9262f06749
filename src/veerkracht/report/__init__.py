"""The signalling report per gemeente: one HTML file (opens offline) and one PDF (A4).

:func:`build_report` collects signals, analyses, maps and charts, renders the
Jinja2 template (:mod:`veerkracht.report.html`) and prints it to PDF with
WeasyPrint (:mod:`veerkracht.report.pdf`). Importing this package is cheap.
"""

from __future__ import annotations

import datetime as dt
import warnings
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from veerkracht.maps.board import attention_buurten
from veerkracht.maps.from_signals import mapset_from_view
from veerkracht.maps.workers import PRELOAD, render_processes, start_workers
from veerkracht.report import content as c
from veerkracht.report.figures import board_jpeg, chart_images, data_uri, hotspots, map_images
from veerkracht.report.html import render_report
from veerkracht.report.pdf import load_in_background, write_pdf
from veerkracht.signals.export import HOTSPOTS, analyses, hotspot_input
from veerkracht.signals.maps import geometry_edition

if TYPE_CHECKING:
    from veerkracht.maps.layers import MapOverlay
    from veerkracht.pipeline import SignalView
    from veerkracht.report.content import ReportContent
    from veerkracht.signals import SignalResult
    from veerkracht.store import Store

__all__ = ["ReportFiles", "build_content", "build_report", "start_report_workers"]

#: what the report's workers import once, in their forkserver: matplotlib (the maps and
#: the board map) and esda (the hotspots), while this process computes the signals
WORKER_PRELOAD = [*PRELOAD, "esda.moran", "libpysal.weights"]


def start_report_workers() -> None:
    """Start the report's worker processes in the background (before the signals)."""
    start_workers(render_processes(), preload=WORKER_PRELOAD)


@dataclass
class ReportFiles:
    html: Path
    pdf: Path | None
    maps: list[Path]
    content: ReportContent
    appendix_html: Path | None = None
    appendix_pdf: Path | None = None


def build_content(
    store: Store, view: SignalView, folder: Path, overlays: list[MapOverlay] | None = None
) -> ReportContent:
    """Everything the report shows; map PNGs (300 dpi) are written to ``folder``.

    ``overlays``: own data (e.g. a corporation's complexes) drawn on the board map and on
    every map, with its legend entry."""
    result = view.result
    processes = render_processes()
    start_report_workers()
    mapset = mapset_from_view(store, view)
    if overlays:
        mapset = replace(mapset, overlays=list(overlays))
    tables: dict = {}  # the analyses by key (signals.export.SHEET_NAMES)
    charts: list[dict[str, str]] = []
    # the board map and the hotspots (LISA: esda alone takes ~1.3 s to import) go to the
    # map workers, which have esda loaded; the other analyses run here meanwhile
    jobs = {"board": (board_jpeg, (view,))}
    if (buurten := hotspot_input(result, store)) is not None:
        jobs["hotspots"] = (hotspots, (buurten,))

    def run_analyses() -> None:  # here, while the workers draw the maps
        with warnings.catch_warnings():  # e.g. a regression over a constant column
            warnings.simplefilter("ignore", RuntimeWarning)
            tables.update(analyses(result, store, hotspots=False))
        charts.extend(chart_images(result, tables))

    maps, done = map_images(
        mapset, folder, processes=processes, meanwhile=run_analyses, jobs=jobs
    )
    if "hotspots" in done and not done["hotspots"].empty:
        tables[HOTSPOTS] = done["hotspots"]
    geo_ed = geometry_edition(store, result.gemeente.code, result.edition, result.table.region_code)
    colours = {k.code: k.base_colour for k in result.config.classes}
    conservation = c.conservation_rows(store, result.gemeente.code, result.edition)
    periods = [
        {"label": ind.label, "start": str(p[0] or "–"), "end": str(p[1] or "–")}
        for ind in result.indicators
        for p in [result.periods[ind.key]]
    ]
    return c.ReportContent(
        title=f"Veerkracht-signalering {result.gemeente.name}",
        gemeente=result.gemeente.name,
        gemeente_code=result.gemeente.code,
        start_year=result.start_year,
        end_year=result.end_year,
        edition=result.edition,
        date=_dutch_date(dt.date.today()),
        periods=periods,
        counts=c.class_counts(result),
        n_buurten=len(result.table),
        findings=c.findings(result, tables),
        signals=c.signal_rows(result),
        indicators=c.indicator_rows(result, store),
        thresholds=c.threshold_rows(result),
        threshold_origin=c.THRESHOLD_ORIGIN.format(file=result.config.path.name),
        classes=c.class_counts(result),
        harmonisation=c.harmonisation_rows(result),
        conservation=conservation,
        conservation_max=c.largest_conservation_error(
            store, result.gemeente.code, result.edition, _used_years(result)
        ),
        sources=c.source_rows(result, store, geo_ed),
        citations=[s.citation() for s in result.sources],
        corporation_table=c.corporation_table(result, tables.get("corporation_share")),
        maps=maps,
        charts=charts,
        period_line=view.period_line(),
        reference_line=view.reference_line(),
        coverage=view.coverage.lines(),
        rules=c.rule_rows(result),
        warnings=view.warnings,
        without_geometry=", ".join(f"{n} ({code})" for code, n in mapset.without_geometry),
        board=data_uri(done["board"]),
        attention=c.attention_rows(attention_buurten(result), colours),
        reference_short=result.reference_label(),
        own_data=[o.label for o in mapset.overlays],
    )


MONTHS = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
]


def _used_years(result: SignalResult) -> set[int]:
    """Every start and end year an indicator of the view uses."""
    return {int(y) for pair in result.periods.values() for y in pair if y is not None}


def _dutch_date(day) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def build_report(
    store: Store,
    view: SignalView,
    out_dir: str | Path,
    *,
    pdf: bool = True,
    appendix: bool = False,
    overlays: list[MapOverlay] | None = None,
) -> ReportFiles:
    """Write ``<gm>_rapport.html`` (and ``.pdf``) plus the map PNGs into ``out_dir``.

    The report is what a board reads (at most 15 pages); the per-buurt detail (every
    signal with its reasons, the whole catalogue, the translation per period) goes to
    ``<gm>_rapport-bijlage.html`` (and ``.pdf``) with ``appendix=True``.
    """
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    if pdf:
        load_in_background()
    content = build_content(store, view, folder, overlays)
    stem = f"{view.gemeente.code.lower()}_rapport_{view.start}_{view.end}"
    content.appendix_note = APPENDIX_NOTE if appendix else NO_APPENDIX_NOTE
    html_text = render_report(content)
    html_path = folder / f"{stem}.html"
    html_path.write_text(html_text, encoding="utf-8")
    files = ReportFiles(html_path, None, [folder / m["file"] for m in content.maps], content)
    if appendix:
        appendix_text = render_report(content, template="bijlage.html")
        files.appendix_html = folder / f"{stem}-bijlage.html"
        files.appendix_html.write_text(appendix_text, encoding="utf-8")
    if pdf:
        files.pdf = write_pdf(html_text, folder / f"{stem}.pdf")
        if appendix:
            files.appendix_pdf = write_pdf(appendix_text, folder / f"{stem}-bijlage.pdf")
    return files


APPENDIX_NOTE = (
    "De redenen per buurt (elke regel met waarde en drempel) staan in de bijlage naast dit "
    "rapport (…-bijlage.html/.pdf) en in de XLSX van 'veerkracht signalen'."
)
NO_APPENDIX_NOTE = (
    "De redenen per buurt (elke regel met waarde en drempel) staan in de XLSX van "
    "'veerkracht signalen', of in een bijlage met 'veerkracht rapport … --bijlage'."
)

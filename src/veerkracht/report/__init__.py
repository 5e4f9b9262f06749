"""The signalling report per gemeente: one HTML file (opens offline) and one PDF (A4).

:func:`build_report` collects signals, analyses, maps and charts, renders the
Jinja2 template (:mod:`veerkracht.report.html`) and prints it to PDF with
WeasyPrint (:mod:`veerkracht.report.pdf`). Importing this package is cheap.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from veerkracht.pipeline import SignalView
    from veerkracht.report.content import ReportContent
    from veerkracht.store import Store

__all__ = ["ReportFiles", "build_content", "build_report"]


@dataclass
class ReportFiles:
    html: Path
    pdf: Path | None
    maps: list[Path]
    content: ReportContent


def build_content(store: Store, view: SignalView, folder: Path) -> ReportContent:
    """Everything the report shows; map PNGs (300 dpi) are written to ``folder``."""
    import datetime as dt
    import warnings

    from veerkracht.maps.from_signals import mapset_from_view
    from veerkracht.maps.static import render_processes, start_workers
    from veerkracht.report import content as c
    from veerkracht.report.figures import chart_images, map_images
    from veerkracht.signals.export import analysis_sheets
    from veerkracht.signals.maps import geometry_edition

    result = view.result
    processes = render_processes()
    start_workers(processes)
    mapset = mapset_from_view(store, view)
    sheets: dict = {}

    def analyses() -> None:  # here, while the workers draw the maps
        with warnings.catch_warnings():  # esda divides by zero for permutation-free islands
            warnings.simplefilter("ignore", RuntimeWarning)
            sheets.update(analysis_sheets(result, store))

    maps = map_images(mapset, folder, processes=processes, meanwhile=analyses)
    geo_ed = geometry_edition(store, result.gemeente.code, result.edition, result.table.region_code)
    assert result.config is not None
    periods = [
        {"label": ind.label, "van": str(p[0] or "–"), "tot": str(p[1] or "–")}
        for ind in result.indicators
        for p in [result.periods[ind.key]]
    ]
    return c.ReportContent(
        title=f"Veerkracht-signalering {result.gemeente.name}",
        gemeente=result.gemeente.name,
        gemeente_code=result.gemeente.code,
        van=result.van,
        tot=result.tot,
        edition=result.edition,
        date=_dutch_date(dt.date.today()),
        periods=periods,
        counts=c.class_counts(result),
        n_buurten=len(result.table),
        findings=c.findings(result, sheets),
        signals=c.signal_rows(result),
        indicators=c.indicator_rows(result, store),
        thresholds=c.threshold_rows(result),
        threshold_origin=c.THRESHOLD_ORIGIN.format(file=result.config.path.name),
        classes=c.class_counts(result),
        harmonisation=c.harmonisation_rows(result),
        conservation=c.conservation_rows(store, result.gemeente.code, result.edition),
        sources=c.source_rows(result, store, geo_ed),
        citations=[s.citation() for s in result.sources],
        corporation_table=c.corporation_table(result, sheets.get("Corporatiebezit")),
        maps=maps,
        charts=chart_images(result, sheets),
        period_line=view.period_line(),
        reference_line=view.reference_line(),
        coverage=view.coverage.lines(),
        rules=c.rule_rows(result),
        warnings=view.warnings,
        without_geometry=", ".join(f"{n} ({code})" for code, n in mapset.without_geometry),
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


def _dutch_date(day) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def build_report(
    store: Store, view: SignalView, out_dir: str | Path, *, pdf: bool = True
) -> ReportFiles:
    """Write ``<gm>_rapport.html`` (and ``.pdf``) plus the map PNGs into ``out_dir``."""
    from veerkracht.report.html import render_report

    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    content = build_content(store, view, folder)
    stem = f"{view.gemeente.code.lower()}_rapport_{view.start}_{view.end}"
    html_text = render_report(content)
    html_path = folder / f"{stem}.html"
    html_path.write_text(html_text, encoding="utf-8")
    pdf_path = None
    if pdf:
        from veerkracht.report.pdf import write_pdf

        pdf_path = write_pdf(html_text, folder / f"{stem}.pdf")
    maps = [folder / m["bestand"] for m in content.maps]
    return ReportFiles(html_path, pdf_path, maps, content)

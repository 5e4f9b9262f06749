"""The national overview: the signals of every gemeente in the store, side by side.

Every gemeente goes through the one pipeline entry (:func:`veerkracht.pipeline.signal_view`)
with the **absolute** reference (``nederland``): it is the only reference that is the same
for every gemeente. The default, relative reference compares each buurt with its own
gemeente, which would give every gemeente signals by construction.

Like the atlas, the parent first translates with the one write connection, closes the
store, and then hands one gemeente per task to worker processes that open the store
read-only (one connection per worker, reused for all its gemeenten). A gemeente without
enough data is recorded as skipped with the pipeline's Dutch reason.
"""

from __future__ import annotations

import logging
import math
import time
import warnings
from collections.abc import Callable
from contextlib import closing, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd

from veerkracht._pool import bounded_map
from veerkracht.atlas import survey
from veerkracht.errors import VeerkrachtError
from veerkracht.gemeenten import Gemeente
from veerkracht.pipeline import prepare_edition, signal_view
from veerkracht.settings import STORE_CRS
from veerkracht.signals.periods import period_name
from veerkracht.signals.typology import load_typology
from veerkracht.store import Store

if TYPE_CHECKING:
    from veerkracht.pipeline import SignalView

log = logging.getLogger(__name__)

#: The reference of every view in the overview (see the module docstring).
REFERENCE = "nederland"
#: The classes the national figures count, with the Dutch wording of their definition.
SIGNAL_CLASSES = ("PRO", "KWE")
DEFINITIONS = {
    "PRO": "hoge concentratie kwetsbare groepen én een overlast- of onveiligheidsprobleem "
    "gemeten in de buurt zelf",
    "KWE": "hoge concentratie kwetsbare groepen, (nog) zonder overlastprobleem",
}
#: 2020 indeling: the gemeenten of the whole-NL health monitor (50090NED).
GEMEENTEN_2020 = 355


@dataclass
class GemeenteSummary:
    """One gemeente's line in the overview (small and picklable: it leaves a worker)."""

    code: str
    name: str
    start: int | None = None
    end: int | None = None
    edition: int | None = None
    counts: dict[str, int] = field(default_factory=dict)
    residents: dict[str, float] = field(default_factory=dict)  # NaN where unknown
    inhabitants_known: bool = False
    sources: list[str] = field(default_factory=list)
    coverage: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    reason: str = ""  # why the gemeente was skipped ('' = computed)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.reason

    @property
    def buurten(self) -> int:
        return sum(self.counts.values())

    @property
    def judged(self) -> int:
        """Buurten that got a signal or 'geen signaal' (not too small, enough data)."""
        return self.buurten - self.counts.get("KLEIN", 0) - self.counts.get("ONV", 0)

    @property
    def period(self) -> str:
        return f"{self.start}–{self.end}" if self.start else ""


def summarise(view: SignalView, seconds: float = 0.0) -> GemeenteSummary:
    """The overview line of one pipeline view: buurten and residents per class."""
    table = view.result.table
    counts = view.result.class_counts()
    known = "inwoners__end" in table and bool(table["inwoners__end"].notna().any())
    residents: dict[str, float] = {}
    for code in counts:
        if not known:
            residents[code] = math.nan
            continue
        rows = table.loc[table.typology == code, "inwoners__end"]
        # a sum over buurten with unknown residents would be too low: unknown, not a number
        residents[code] = math.nan if rows.isna().any() else float(rows.sum())
    return GemeenteSummary(
        code=view.gemeente.code,
        name=view.gemeente.name,
        start=view.start,
        end=view.end,
        edition=view.edition,
        counts=counts,
        residents=residents,
        inhabitants_known=known,
        sources=[s.citation() for s in view.result.sources],
        coverage=view.coverage.lines(),
        warnings=list(view.warnings),
        seconds=seconds,
    )


def summary_for(
    store: Store, code: str, name: str, start_year: int | None = None, end_year: int | None = None
) -> GemeenteSummary:
    """One gemeente through the pipeline (absolute reference); never raises."""
    began = time.perf_counter()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            view = signal_view(
                store, Gemeente(code, name), start_year, end_year, reference=REFERENCE
            )
        return summarise(view, time.perf_counter() - began)
    except VeerkrachtError as exc:
        reason = exc.message + (f" ({exc.fix})" if exc.fix else "")
    except Exception as exc:  # one gemeente must not stop the overview
        log.debug("overview failed for %s", code, exc_info=True)
        reason = f"onverwachte fout: {type(exc).__name__}: {exc}"
    return GemeenteSummary(code, name, reason=reason, seconds=time.perf_counter() - began)


# ----------------------------------------------------------------------------- running


@dataclass(frozen=True)
class OverviewJob:
    code: str
    name: str
    start_year: int | None
    end_year: int | None
    store_path: Path


_WORKER_STORES: dict[str, Any] = {}


def _worker_store(path: Path) -> Store:
    """The worker's read-only store, opened once and reused for all its gemeenten."""
    key = str(path)
    if key not in _WORKER_STORES:
        _WORKER_STORES[key] = Store(path, read_only=True)
    return _WORKER_STORES[key]


def run_job(job: OverviewJob) -> GemeenteSummary:
    """One gemeente in a worker process (never raises)."""
    return summary_for(
        _worker_store(job.store_path), job.code, job.name, job.start_year, job.end_year
    )


@dataclass
class Overview:
    """Every gemeente's summary plus what was skipped, for one requested period."""

    start_year: int | None
    end_year: int | None
    done: list[GemeenteSummary]
    skipped: list[GemeenteSummary]
    seconds: float = 0.0
    processes: int = 1

    # -------------------------------------------------------------- national figures
    def with_signal(self, classes: tuple[str, ...]) -> list[GemeenteSummary]:
        return [g for g in self.done if any(g.counts.get(c, 0) > 0 for c in classes)]

    def period_text(self) -> str:
        if self.start_year is not None or self.end_year is not None:
            return f"periode {self.start_year}–{self.end_year}"
        periods: dict[str, int] = {}
        for g in self.done:
            periods[g.period] = periods.get(g.period, 0) + 1
        parts = ", ".join(
            f"{p} bij {n} gemeente{'n' if n != 1 else ''}"
            for p, n in sorted(periods.items(), key=lambda kv: -kv[1])
        )
        return f"per gemeente de meest recente jaren met gegevens ({parts})"

    def conditions(self) -> str:
        """What every national figure is conditional on, in Dutch."""
        minimum = int(load_typology().thresholds["min_inhabitants"])
        unknown = sum(1 for g in self.done if not g.inhabitants_known)
        return (
            f"vergeleken met Nederland (absolute referentie, index NL = 100); "
            f"{self.period_text()}; buurten met ≥ {minimum} inwoners — bij {unknown} "
            "gemeenten zonder KWB-cijfers is het aantal inwoners per buurt onbekend en "
            "krijgen ook kleine buurten een signaal"
        )

    def figures(self) -> list[dict[str, Any]]:
        """The national figures, each with its full Dutch definition."""
        labels = {c.code: c.label for c in load_typology().classes}
        y = len(self.done)
        out = []
        for classes in (("PRO",), SIGNAL_CLASSES):
            x = len(self.with_signal(classes))
            name = " of ".join(f"'{labels[c]}'" for c in classes)
            what = "; ".join(f"{labels[c]}: {DEFINITIONS[c]}" for c in classes)
            out.append(
                {
                    "signaal": "+".join(classes),
                    "x": x,
                    "y": y,
                    "tekst": (
                        f"{x} van de {y} gemeenten hebben minstens één buurt met het signaal {name}"
                    ),
                    "definitie": f"{what}; {self.conditions()}.",
                }
            )
        return out

    def skipped_text(self) -> str:
        if not self.skipped:
            return "Geen gemeenten overgeslagen."
        reasons: dict[str, int] = {}
        for g in self.skipped:
            reasons[g.reason] = reasons.get(g.reason, 0) + 1
        listed = "; ".join(f"{n}× {r}" for r, n in sorted(reasons.items(), key=lambda kv: -kv[1]))
        return f"{len(self.skipped)} gemeenten overgeslagen: {listed}."

    def sources(self) -> list[str]:
        return sorted({s for g in self.done for s in g.sources})

    # -------------------------------------------------------------- tables
    def table(self) -> pd.DataFrame:
        """Sheet 'Gemeenten': one row per computed gemeente, ranked; Dutch headers."""
        classes = load_typology().classes
        rows = []
        for g in self.done:
            row: dict[str, Any] = {
                "gemeentecode": g.code,
                "gemeente": g.name,
                "periode": g.period,
                "buurtindeling": g.edition,
                "buurten": g.buurten,
                "beoordeeld": g.judged,
            }
            for c in classes:
                row[f"buurten {c.label.lower()}"] = g.counts.get(c.code, 0)
            for c in classes:
                if c.code in SIGNAL_CLASSES:
                    row[f"inwoners {c.label.lower()}"] = g.residents.get(c.code, math.nan)
            row["inwoners per buurt bekend"] = (
                "ja" if g.inhabitants_known else "nee (geen KWB-cijfers voor deze periode)"
            )
            pro, kwe = g.counts.get("PRO", 0), g.counts.get("KWE", 0)
            row["aandeel probleem of kwetsbaar (%)"] = (
                round(100 * (pro + kwe) / g.judged, 1) if g.judged else math.nan
            )
            row["dekking"] = " | ".join(g.coverage)
            rows.append(row)
        frame = pd.DataFrame(rows)
        if frame.empty:
            return frame
        labels = {c.code: f"buurten {c.label.lower()}" for c in classes}
        # rank: most 'Probleem' buurten first, then 'Kwetsbaar'; ties share a rank
        key = frame[labels["PRO"]] * 100_000 + frame[labels["KWE"]]
        frame.insert(0, "rang", key.rank(method="min", ascending=False).astype(int))
        frame = frame.sort_values(["rang", "gemeente"], kind="stable").reset_index(drop=True)
        return frame

    def skipped_table(self) -> pd.DataFrame:
        return pd.DataFrame(
            [{"gemeentecode": g.code, "gemeente": g.name, "reden": g.reason} for g in self.skipped],
            columns=["gemeentecode", "gemeente", "reden"],
        )

    def national_table(self) -> pd.DataFrame:
        rows = [
            {"cijfer": f["tekst"], "x": f["x"], "y": f["y"], "definitie": f["definitie"]}
            for f in self.figures()
        ]
        rows.append(
            {
                "cijfer": f"{len(self.done)} gemeenten berekend, {len(self.skipped)} overgeslagen",
                "x": len(self.done),
                "y": len(self.done) + len(self.skipped),
                "definitie": self.skipped_text()
                + f" De buurtindeling 2020 telt {GEMEENTEN_2020} gemeenten.",
            }
        )
        return pd.DataFrame(rows)

    def accountability(self) -> pd.DataFrame:
        thresholds = load_typology().thresholds
        rows = [
            ("referentie", "Nederland (absoluut): voor elke gemeente dezelfde referentie"),
            ("periode", self.period_text()),
            ("klassen", "typologie van veerkracht (docs/signalen.md), drempels typology.toml"),
            ("minimum inwoners per buurt", str(thresholds["min_inhabitants"])),
            ("rangorde", "meeste buurten 'Probleem', dan meeste 'Kwetsbaar'; gelijk = zelfde rang"),
            ("gemeenten berekend", str(len(self.done))),
            ("gemeenten overgeslagen", str(len(self.skipped))),
            ("rekentijd", f"{self.seconds:.0f} s met {self.processes} proces(sen)"),
        ]
        rows += [("bron", s) for s in self.sources()]
        return pd.DataFrame(rows, columns=["onderwerp", "waarde"])

    def as_json(self) -> dict[str, Any]:
        """The JSON twin of the overview (web, tests): figures, gemeenten, skipped."""
        frame = self.table()
        records = []
        for row in frame.to_dict(orient="records"):
            records.append({k: (None if _missing(v) else _plain(v)) for k, v in row.items()})
        return {
            "periode": self.period_text(),
            "referentie": REFERENCE,
            "landelijk": self.figures(),
            "overgeslagen_tekst": self.skipped_text(),
            "gemeenten": records,
            "overgeslagen": self.skipped_table().to_dict(orient="records"),
            "bronnen": self.sources(),
        }


def _missing(value: Any) -> bool:
    return isinstance(value, float) and math.isnan(value)


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def plan(
    store: Store, start_year: int | None, end_year: int | None, gemeenten: list[str] | None = None
) -> tuple[list[GemeenteSummary], list[GemeenteSummary]]:
    """(to compute, skipped): every gemeente in the store with buurt values or boundaries.

    Only a gemeente with buurt regions or boundaries can need a translation; those (about
    ten, not 355) get the atlas' survey (the pipeline's period choice) and are translated
    once when the store is writable. The others go straight to the pipeline, which says
    in Dutch why a gemeente without enough data has no signal.
    """
    names = store.gemeente_names()
    codes = set(store.buurt_value_gemeenten()) | set(store.buurt_geometry_gemeenten())
    if gemeenten is not None:
        codes &= set(gemeenten)
    translatable = sorted(codes & set(store.buurt_region_gemeenten()))
    candidates, skipped = survey(store, start_year, end_year, translatable, need_geometry=False)
    out_skipped = [GemeenteSummary(c.gemeente_code, c.name, reason=c.reason) for c in skipped]
    todo = [GemeenteSummary(code, names.get(code, code)) for code in codes - set(translatable)]
    for cand in candidates:
        item = GemeenteSummary(cand.gemeente_code, cand.name)
        try:
            if not store.read_only:
                prepare_edition(store, cand.gemeente_code, int(cand.note.split("–")[1]))
            todo.append(item)
        except VeerkrachtError as exc:
            item.reason = f"vertalen naar één buurtindeling mislukt: {exc.message}"
            out_skipped.append(item)
    # biggest first would balance the pool better, but code order keeps runs comparable
    todo.sort(key=lambda g: g.code)
    return todo, out_skipped


def overview(
    store_path: Path,
    start_year: int | None = None,
    end_year: int | None = None,
    *,
    processes: int = 1,
    gemeenten: list[str] | None = None,
    on_start: Callable[[int], None] | None = None,
    on_done: Callable[[GemeenteSummary], None] | None = None,
) -> Overview:
    """Compute the overview of every gemeente in the store at ``store_path``."""
    began = time.perf_counter()
    # the only write connection; closed before the pool starts
    with Store(store_path, must_exist=True) as st:
        todo, skipped = plan(st, start_year, end_year, gemeenten)
    jobs = [OverviewJob(g.code, g.name, start_year, end_year, Path(store_path)) for g in todo]
    if on_start:
        on_start(len(jobs))
    done: list[GemeenteSummary] = []
    for summary in _run(jobs, processes):
        (done if summary.ok else skipped).append(summary)
        if on_done:
            on_done(summary)
    done.sort(key=lambda g: g.code)
    skipped.sort(key=lambda g: g.code)
    return Overview(
        start_year, end_year, done, skipped, time.perf_counter() - began, max(1, processes)
    )


def _run(jobs: list[OverviewJob], processes: int):
    if processes <= 1 or len(jobs) <= 1:
        try:
            for job in jobs:
                yield run_job(job)
        finally:
            for st in _WORKER_STORES.values():
                st.close()
            _WORKER_STORES.clear()
        return

    results = bounded_map(
        run_job,
        jobs,
        workers=min(processes, len(jobs)),
        failed=lambda job, reason: GemeenteSummary(job.code, job.name, reason=reason),
        context="forkserver",
        ordered=False,
        preload=["veerkracht.pipeline", "veerkracht.overview"],
    )
    with closing(results):  # closing: Ctrl+C cancels queued jobs
        yield from results


def overview_in_process(
    store: Store,
    start_year: int | None = None,
    end_year: int | None = None,
    *,
    lock: Any = None,
    gemeenten: list[str] | None = None,
    on_done: Callable[[int, int], None] | None = None,
) -> Overview:
    """The overview on an open store in this process (the web app's one connection).

    ``lock`` (the web app's store lock) is held per gemeente, not for the whole run, so
    other requests are served in between.
    """
    began = time.perf_counter()
    guard = lock if lock is not None else nullcontext()
    with guard:
        todo, skipped = plan(store, start_year, end_year, gemeenten)
    done = []
    for i, item in enumerate(todo, 1):
        with guard:
            summary = summary_for(store, item.code, item.name, start_year, end_year)
        (done if summary.ok else skipped).append(summary)
        if on_done:
            on_done(i, len(todo))
    done.sort(key=lambda g: g.code)
    skipped.sort(key=lambda g: g.code)
    return Overview(start_year, end_year, done, skipped, time.perf_counter() - began, 1)


# ----------------------------------------------------------------------------- outputs


def write_tables(ov: Overview, out_dir: Path) -> list[Path]:
    """``overzicht_<periode>.csv`` (the Gemeenten sheet), ``overzicht_<periode>_landelijk.csv``
    (the national figures with their definitions) and ``.xlsx`` (four sheets)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = out_dir / f"overzicht_{period_name(ov.start_year, ov.end_year)}"
    table = ov.table()
    csv = stem.with_suffix(".csv")
    table.to_csv(csv, index=False, sep=";", decimal=",", encoding="utf-8-sig")
    national = out_dir / f"{stem.name}_landelijk.csv"
    ov.national_table().to_csv(national, index=False, sep=";", encoding="utf-8-sig")
    xlsx = stem.with_suffix(".xlsx")
    with pd.ExcelWriter(xlsx, engine="openpyxl") as xl:
        table.to_excel(xl, sheet_name="Gemeenten", index=False)
        ov.national_table().to_excel(xl, sheet_name="Landelijk", index=False)
        ov.skipped_table().to_excel(xl, sheet_name="Overgeslagen", index=False)
        ov.accountability().to_excel(xl, sheet_name="Verantwoording", index=False)
    return [csv, national, xlsx]


def gemeente_shapes(store: Store, codes: list[str]) -> gpd.GeoDataFrame:
    """Gemeente polygons dissolved from the stored buurt boundaries (latest edition each).

    There is no national gemeente geometry in the store; a gemeente without buurt
    boundaries has no row here.
    """
    frame = store.geometry_frame("buurt")
    if frame.empty:
        return gpd.GeoDataFrame({"gemeente_code": []}, geometry=[], crs=STORE_CRS)
    code = frame.gemeente_code.where(frame.gemeente_code.notna(), "GM" + frame.region_code.str[2:6])
    frame = frame.assign(gemeente_code=code)
    frame = frame[frame.gemeente_code.isin(set(codes))]
    latest = frame.groupby("gemeente_code").edition.transform("max")
    frame = frame[frame.edition == latest]
    shapes = frame[["gemeente_code", "edition", "geometry"]].dissolve(
        by="gemeente_code", aggfunc="first"
    )
    return shapes.reset_index()

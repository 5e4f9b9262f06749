"""The atlas: the map set of every gemeente in the store that has buurt geometry and KWB data.

The parent process first translates each gemeente's values to its reference edition
(needs the one write connection), closes the store, and then hands one gemeente per
task to a process pool; every worker opens the store read-only (DuckDB allows many
read-only connections in different processes, but none next to a writer). A
gemeente that fails is recorded with a Dutch reason; the run goes on.
"""

from __future__ import annotations

import logging
import multiprocessing
import time
import warnings
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import AbstractContextManager, closing, nullcontext
from dataclasses import dataclass, field, replace
from html import escape
from pathlib import Path

from veerkracht._pool import bounded_map
from veerkracht.errors import NoDataError, VeerkrachtError
from veerkracht.gemeenten import Gemeente
from veerkracht.harmonise import TranslationResult, translated_values_from_store, write_translation
from veerkracht.indicators import catalogue
from veerkracht.maps.from_signals import mapset_from_view
from veerkracht.maps.interactive import render_html
from veerkracht.maps.static import render_map
from veerkracht.pipeline import (
    default_edition,
    gemeente_periods,
    needs_translation,
    prepare_edition,
    signal_view,
)
from veerkracht.signals.periods import choose_periods, period_name
from veerkracht.signals.typology import load_typology
from veerkracht.store import Store

log = logging.getLogger(__name__)

FORMATS = ("png", "svg", "pdf")


@dataclass(frozen=True)
class AtlasJob:
    gemeente_code: str
    name: str
    start_year: int | None  # None: each gemeente's own default period (pipeline)
    end_year: int | None
    store_path: Path
    out_dir: Path
    formats: tuple[str, ...] = FORMATS
    html: bool = True
    #: keep the worker's read-only connection open for its next gemeente (pool workers
    #: only: DuckDB's caches stay warm, and no writer needs the store while they draw)
    keep_store: bool = False


@dataclass
class AtlasOutcome:
    gemeente_code: str
    name: str
    files: list[Path] = field(default_factory=list)
    seconds: float = 0.0
    reason: str = ""  # why the gemeente was skipped or failed ('' = done)
    note: str = ""

    @property
    def ok(self) -> bool:
        return not self.reason


# ----------------------------------------------------------------------------- selection


def survey(
    store: Store,
    start_year: int | None,
    end_year: int | None,
    gemeenten: list[str] | None = None,
    *,
    need_geometry: bool = True,
) -> tuple[list[AtlasOutcome], list[AtlasOutcome]]:
    """(candidates, skipped): every gemeente with buurt boundaries or buurt values.

    A candidate has boundaries (unless ``need_geometry`` is False, as for the national
    overview) and a period that gives a signal (the pipeline's period choice, so the atlas
    draws exactly what ``veerkracht kaart`` draws); the others are skipped with the
    pipeline's Dutch reason.
    """
    thresholds = load_typology().thresholds
    geo = set(store.buurt_geometry_gemeenten())
    names = store.gemeente_names()
    candidates, skipped = [], []
    codes = geo | set(store.buurt_value_gemeenten())
    if gemeenten is not None:
        codes &= set(gemeenten)
    for code in sorted(codes):
        out = AtlasOutcome(code, names.get(code, code))
        if need_geometry and code not in geo:
            out.reason = "geen buurtgrenzen in de store (wel buurtcijfers)"
            skipped.append(out)
            continue
        gm = Gemeente(code, out.name)
        try:
            choice = choose_periods(
                gemeente_periods(store, gm),
                list(catalogue()),
                thresholds,
                gm.name,
                start_year,
                end_year,
            )
            out.note = f"{choice.start}–{choice.end}"
        except VeerkrachtError as exc:
            out.reason = exc.message + (f" ({exc.fix})" if exc.fix else "")
        (skipped if out.reason else candidates).append(out)
    return candidates, skipped


def prepare(
    store: Store, candidates: list[AtlasOutcome], end_year: int | None
) -> list[AtlasOutcome]:
    """Translate each candidate once (write connection), exactly as the pipeline would;
    failures get a reason."""
    for cand in candidates:
        end = int(cand.note.split("–")[1]) if cand.note else end_year
        try:
            prepare_edition(store, cand.gemeente_code, end)
        except VeerkrachtError as exc:
            cand.reason = f"vertalen naar één buurtindeling mislukt: {exc.message}"
        except Exception as exc:  # one gemeente must not stop the atlas
            cand.reason = f"vertalen mislukt: {type(exc).__name__}: {exc}"
    return candidates


@dataclass(frozen=True)
class TranslateJob:
    gemeente_code: str
    edition: int
    store_path: Path


#: Translations computed per round before the parent writes them: bounds the memory
#: the results take while they wait for the one write connection.
TRANSLATE_BATCH = 120


def translation_jobs(
    store: Store, candidates: list[AtlasOutcome], end_year: int | None
) -> list[TranslateJob]:
    """The (gemeente, edition) pairs that still need a translation, as the pipeline decides."""
    jobs = []
    for cand in candidates:
        end = int(cand.note.split("–")[1]) if cand.note else end_year
        try:
            edition = default_edition(store, cand.gemeente_code, end)
            if needs_translation(store, cand.gemeente_code, edition):
                jobs.append(TranslateJob(cand.gemeente_code, edition, Path(store.path)))
        except VeerkrachtError as exc:
            cand.reason = f"vertalen naar één buurtindeling mislukt: {exc.message}"
    return jobs


def compute_translation(job: TranslateJob):
    """One gemeente's translation, computed on a read-only connection (runs in a worker)."""
    with Store(job.store_path, read_only=True) as st:
        return translated_values_from_store(st, gemeente=job.gemeente_code, edition=job.edition)


def prepare_parallel(
    store_path: Path,
    candidates: list[AtlasOutcome],
    end_year: int | None,
    processes: int,
    on_progress: Callable[[int, int], None] | None = None,
    executor: ProcessPoolExecutor | None = None,
) -> list[AtlasOutcome]:
    """As :func:`prepare`, with the translations computed in ``processes`` workers.

    DuckDB allows one writer and no readers in other processes beside it, so workers
    compute a batch on read-only connections (opened and closed per gemeente), and the
    parent then writes that batch with the one write connection.
    """
    with Store(store_path, read_only=True) as st:
        jobs = translation_jobs(st, candidates, end_year)
    by_code = {c.gemeente_code: c for c in candidates}
    done = 0
    for start in range(0, len(jobs), TRANSLATE_BATCH):
        batch = jobs[start : start + TRANSLATE_BATCH]
        results = list(
            bounded_map(
                compute_translation,
                batch,
                workers=min(processes, len(batch)),
                failed=lambda job, reason: (job, reason),
                context="spawn",
                ordered=True,
                executor=executor,
            )
        )
        with Store(store_path) as st:  # no reader is open now: every worker closed its own
            for job, result in zip(batch, results, strict=True):
                if isinstance(result, TranslationResult):
                    write_translation(st, result)
                else:
                    by_code[job.gemeente_code].reason = f"vertalen mislukt: {result[1]}"
        done += len(batch)
        if on_progress:
            on_progress(done, len(jobs))
    return candidates


# ----------------------------------------------------------------------------- rendering


def render_gemeente(job: AtlasJob) -> AtlasOutcome:
    """All maps of one gemeente (runs in a worker; never raises)."""
    start = time.perf_counter()
    out = AtlasOutcome(job.gemeente_code, job.name)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out.files = _render(job)
    except VeerkrachtError as exc:
        out.reason = exc.message
    except Exception as exc:
        out.reason = f"onverwachte fout: {type(exc).__name__}: {exc}"
    out.seconds = time.perf_counter() - start
    return out


def _render(job: AtlasJob) -> list[Path]:
    with _store(job) as st:
        view = signal_view(st, job.gemeente_code, job.start_year, job.end_year)
        mapset = mapset_from_view(st, view)
    folder = job.out_dir / f"{job.gemeente_code.lower()}_{view.start}_{view.end}"
    # mapset_from_signals already left out every layer without values
    if not mapset.layers:
        raise NoDataError(
            f"geen enkele kaartlaag heeft waarden voor {view.start}–{view.end}",
            fix="Kies een periode waarvoor buurtcijfers zijn geïmporteerd (--van/--tot).",
        )
    files: list[Path] = []
    for layer in mapset.layers:
        files += render_map(mapset, layer, folder, formats=job.formats)
    if job.html:
        files.append(render_html(mapset, folder / f"{job.gemeente_code.lower()}_kaart.html"))
    return files


#: this worker's read-only connections, by store path (see ``AtlasJob.keep_store``)
_worker_stores: dict[Path, Store] = {}


def _store(job: AtlasJob) -> AbstractContextManager[Store]:
    """A read-only connection for one job: the worker's own, opened once, or a new one."""
    if not job.keep_store:
        return Store(job.store_path, read_only=True)
    st = _worker_stores.get(job.store_path)
    if st is None:
        st = _worker_stores[job.store_path] = Store(job.store_path, read_only=True)
    return nullcontext(st)


def pool(processes: int) -> ProcessPoolExecutor:
    """The atlas's one pool, shared by the translations and the maps (workers start once).

    spawn: a fresh interpreter per worker, no forked DuckDB or matplotlib state.
    """
    return ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("spawn"))


def run(
    jobs: list[AtlasJob], processes: int = 1, executor: ProcessPoolExecutor | None = None
) -> Iterator[AtlasOutcome]:
    """Render the jobs, yielding each outcome as it finishes (pool when processes > 1)."""
    if processes <= 1 or len(jobs) <= 1:
        for job in jobs:
            yield render_gemeente(job)
        return

    # a dead worker fails only the gemeenten it had in hand, in Dutch (see _pool)
    yield from bounded_map(
        render_gemeente,
        [replace(job, keep_store=True) for job in jobs],
        workers=processes if executor else min(processes, len(jobs)),
        failed=lambda job, reason: AtlasOutcome(job.gemeente_code, job.name, reason=reason),
        context="spawn",
        ordered=False,
        executor=executor,
    )


def atlas(
    store_path: Path,
    start_year: int | None,
    end_year: int | None,
    out_dir: Path,
    *,
    processes: int = 1,
    formats: tuple[str, ...] = FORMATS,
    html: bool = True,
    gemeenten: list[str] | None = None,
    on_start: Callable[[int], None] | None = None,
    on_done: Callable[[AtlasOutcome], None] | None = None,
    on_prepare: Callable[[int, int], None] | None = None,
) -> tuple[list[AtlasOutcome], list[AtlasOutcome]]:
    """Render every qualifying gemeente; return (done, skipped_or_failed)."""
    executor = pool(processes) if processes > 1 else None
    try:
        return _atlas(
            store_path,
            start_year,
            end_year,
            out_dir,
            processes,
            executor,
            formats,
            html,
            gemeenten,
            on_start,
            on_done,
            on_prepare,
        )
    finally:
        if executor is not None:  # Ctrl+C: queued gemeenten are cancelled, not waited for
            executor.shutdown(wait=True, cancel_futures=True)


def _atlas(
    store_path: Path,
    start_year: int | None,
    end_year: int | None,
    out_dir: Path,
    processes: int,
    executor: ProcessPoolExecutor | None,
    formats: tuple[str, ...],
    html: bool,
    gemeenten: list[str] | None,
    on_start: Callable[[int], None] | None,
    on_done: Callable[[AtlasOutcome], None] | None,
    on_prepare: Callable[[int, int], None] | None,
) -> tuple[list[AtlasOutcome], list[AtlasOutcome]]:
    with Store(store_path) as st:  # the only write connection; closed before the pool works
        candidates, skipped = survey(st, start_year, end_year, gemeenten)
        if processes <= 1:
            prepare(st, candidates, end_year)
    if processes > 1:  # translations computed on all cores, written by this process
        prepare_parallel(Path(store_path), candidates, end_year, processes, on_prepare, executor)
    skipped += [c for c in candidates if not c.ok]
    jobs = [
        AtlasJob(
            c.gemeente_code,
            c.name,
            start_year,
            end_year,
            Path(store_path),
            Path(out_dir),
            formats,
            html,
        )
        for c in candidates
        if c.ok
    ]
    periods = {c.gemeente_code: c.note for c in candidates}
    if on_start:
        on_start(len(jobs))
    done = []
    with closing(run(jobs, processes, executor)) as outcomes:  # closing: Ctrl+C cancels queued jobs
        for outcome in outcomes:
            outcome.note = outcome.note or periods.get(outcome.gemeente_code, "")
            (done if outcome.ok else skipped).append(outcome)
            if on_done:
                on_done(outcome)
    done.sort(key=lambda o: o.gemeente_code)
    skipped.sort(key=lambda o: o.gemeente_code)
    write_index(out_dir, start_year, end_year, done, skipped)
    return done, skipped


def write_index(
    out_dir: Path,
    start_year: int | None,
    end_year: int | None,
    done: list[AtlasOutcome],
    skipped: list[AtlasOutcome],
) -> Path:
    """A small offline ``atlas_<van>_<tot>.html`` linking every gemeente's interactive map."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    items = []
    for o in done:
        page = next((f for f in o.files if f.suffix == ".html"), None)
        target = escape(str(page.relative_to(out_dir))) if page else ""
        label = f"{escape(o.name)} ({o.gemeente_code}, {escape(o.note)})"
        items.append(f'<li><a href="{target}">{label}</a></li>' if target else f"<li>{label}</li>")
    missing = [
        f"<li>{escape(o.name)} ({o.gemeente_code}): {escape(o.reason)}</li>" for o in skipped
    ]
    title = (
        "meest recente periode per gemeente"
        if start_year is None and end_year is None
        else f"{start_year}–{end_year}"
    )
    text = (
        '<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8">'
        f"<title>Veerkracht-atlas {title}</title>"
        "<style>body{font-family:sans-serif;max-width:50em;margin:2em auto;line-height:1.5}"
        "</style></head><body>"
        f"<h1>Veerkracht-atlas {title}</h1>"
        f"<h2>Gemeenten met kaarten ({len(done)})</h2><ul>{''.join(items)}</ul>"
        f"<h2>Overgeslagen gemeenten ({len(skipped)})</h2><ul>{''.join(missing)}</ul>"
        "</body></html>"
    )
    path = out_dir / f"atlas_{period_name(start_year, end_year)}.html"
    path.write_text(text, encoding="utf-8")
    return path

"""The atlas: the map set of every gemeente in the store that has buurt geometry and KWB data.

The parent process first translates each gemeente's values to its reference edition
(needs the one write connection), closes the store, and then hands one gemeente per
task to a process pool; every worker opens the store read-only (DuckDB allows many
read-only connections in different processes, but none next to a writer). A
gemeente that fails is recorded with a Dutch reason; the run goes on.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from veerkracht.store import Store

log = logging.getLogger(__name__)

FORMATS = ("png", "svg", "pdf")


@dataclass(frozen=True)
class AtlasJob:
    gemeente_code: str
    name: str
    van: int
    tot: int
    store_path: Path
    out_dir: Path
    formats: tuple[str, ...] = FORMATS
    html: bool = True


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


def survey(store: Store, van: int, tot: int) -> tuple[list[AtlasOutcome], list[AtlasOutcome]]:
    """(candidates, skipped): every gemeente with buurt geometry or KWB buurt data.

    A candidate has both, with a KWB period near ``tot``; the others are skipped
    with a Dutch reason.
    """
    from veerkracht.signals._data import PERIOD_TOLERANCE

    geo = set(
        store.query(
            "SELECT DISTINCT gemeente_code FROM geometries "
            "WHERE level = 'buurt' AND gemeente_code IS NOT NULL"
        ).gemeente_code
    )
    kwb = store.query(
        """SELECT 'GM' || substr(region_code, 3, 4) AS gemeente_code,
                  list(DISTINCT period ORDER BY period) AS periods
           FROM "values" WHERE dataset_key = 'cbs_kwb' AND level = 'buurt' GROUP BY 1"""
    )
    kwb_periods = {r.gemeente_code: [int(p) for p in r.periods] for r in kwb.itertuples()}
    names = _names(store)
    candidates, skipped = [], []
    for code in sorted(geo | set(kwb_periods)):
        out = AtlasOutcome(code, names.get(code, code))
        periods = kwb_periods.get(code, [])
        if code not in geo:
            out.reason = "geen buurtgrenzen in de store"
        elif not periods:
            out.reason = "geen KWB-buurtcijfers in de store (alleen buurtgrenzen)"
        elif not any(abs(p - tot) <= PERIOD_TOLERANCE for p in periods):
            years = ", ".join(str(p) for p in periods)
            hint = (
                f"probeer --van {periods[-2]} --tot {periods[-1]}"
                if len(periods) > 1
                else f"kies --tot rond {periods[0]}"
            )
            out.reason = f"geen KWB-buurtcijfers rond {tot} (wel: {years}); {hint}"
        (skipped if out.reason else candidates).append(out)
    return candidates, skipped


def _names(store: Store) -> dict[str, str]:
    frame = store.query(
        """SELECT gemeente_code, name FROM (
               SELECT region_code AS gemeente_code, name, edition FROM regions
               WHERE level = 'gemeente' AND name IS NOT NULL)
           QUALIFY row_number() OVER (PARTITION BY gemeente_code ORDER BY edition DESC) = 1"""
    )
    return dict(zip(frame.gemeente_code, frame.name, strict=True))


def prepare(store: Store, candidates: list[AtlasOutcome], tot: int) -> list[AtlasOutcome]:
    """Translate each candidate once (write connection); failures get a reason."""
    from veerkracht.errors import VeerkrachtError
    from veerkracht.signals import ensure_translation
    from veerkracht.signals._data import default_edition

    for cand in candidates:
        try:
            ensure_translation(
                store, cand.gemeente_code, default_edition(store, cand.gemeente_code, tot)
            )
        except VeerkrachtError as exc:
            cand.reason = f"vertalen naar één buurtindeling mislukt: {exc.message}"
        except Exception as exc:  # one gemeente must not stop the atlas
            cand.reason = f"vertalen mislukt: {type(exc).__name__}: {exc}"
    return candidates


# ----------------------------------------------------------------------------- rendering


def render_gemeente(job: AtlasJob) -> AtlasOutcome:
    """All maps of one gemeente (runs in a worker; never raises)."""
    import warnings

    from veerkracht.errors import VeerkrachtError

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
    from veerkracht.errors import NoDataError
    from veerkracht.maps.interactive import render_html
    from veerkracht.maps.static import render_map
    from veerkracht.signals import signals_for_gemeente
    from veerkracht.signals.maps import mapset_from_signals
    from veerkracht.store import Store

    with Store(job.store_path, read_only=True) as st:
        result = signals_for_gemeente(st, job.gemeente_code, job.van, job.tot)
        mapset = mapset_from_signals(st, result)
    folder = job.out_dir / f"{job.gemeente_code.lower()}_{job.van}_{job.tot}"
    # mapset_from_signals already left out every layer without values
    if not mapset.layers:
        raise NoDataError(
            f"geen enkele kaartlaag heeft waarden voor {job.van}–{job.tot}",
            fix="Kies een periode waarvoor buurtcijfers zijn geïmporteerd (--van/--tot).",
        )
    files: list[Path] = []
    for layer in mapset.layers:
        files += render_map(mapset, layer, folder, formats=job.formats)
    if job.html:
        files.append(render_html(mapset, folder / f"{job.gemeente_code.lower()}_kaart.html"))
    return files


def run(jobs: list[AtlasJob], processes: int = 1) -> Iterator[AtlasOutcome]:
    """Render the jobs, yielding each outcome as it finishes (pool when processes > 1)."""
    if processes <= 1 or len(jobs) <= 1:
        for job in jobs:
            yield render_gemeente(job)
        return
    from veerkracht._pool import bounded_map

    # spawn: a fresh interpreter per worker, no forked DuckDB or matplotlib state;
    # a dead worker fails only the gemeenten it had in hand, in Dutch (see _pool)
    yield from bounded_map(
        render_gemeente,
        jobs,
        workers=min(processes, len(jobs)),
        failed=lambda job, reason: AtlasOutcome(job.gemeente_code, job.name, reason=reason),
        context="spawn",
        ordered=False,
    )


def atlas(
    store_path: Path,
    van: int,
    tot: int,
    out_dir: Path,
    *,
    processes: int = 1,
    formats: tuple[str, ...] = FORMATS,
    html: bool = True,
    on_start: Callable[[int], None] | None = None,
    on_done: Callable[[AtlasOutcome], None] | None = None,
) -> tuple[list[AtlasOutcome], list[AtlasOutcome]]:
    """Render every qualifying gemeente; return (done, skipped_or_failed)."""
    from veerkracht.store import Store

    with Store(store_path) as st:  # the only write connection; closed before the pool starts
        candidates, skipped = survey(st, van, tot)
        prepare(st, candidates, tot)
    skipped += [c for c in candidates if not c.ok]
    jobs = [
        AtlasJob(c.gemeente_code, c.name, van, tot, Path(store_path), Path(out_dir), formats, html)
        for c in candidates
        if c.ok
    ]
    if on_start:
        on_start(len(jobs))
    done = []
    with closing(run(jobs, processes)) as outcomes:  # closing: Ctrl+C cancels queued jobs
        for outcome in outcomes:
            (done if outcome.ok else skipped).append(outcome)
            if on_done:
                on_done(outcome)
    done.sort(key=lambda o: o.gemeente_code)
    skipped.sort(key=lambda o: o.gemeente_code)
    write_index(out_dir, van, tot, done, skipped)
    return done, skipped


def write_index(
    out_dir: Path, van: int, tot: int, done: list[AtlasOutcome], skipped: list[AtlasOutcome]
) -> Path:
    """A small offline ``atlas_<van>_<tot>.html`` linking every gemeente's interactive map."""
    from html import escape

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    items = []
    for o in done:
        page = next((f for f in o.files if f.suffix == ".html"), None)
        target = escape(str(page.relative_to(out_dir))) if page else ""
        label = f"{escape(o.name)} ({o.gemeente_code})"
        items.append(f'<li><a href="{target}">{label}</a></li>' if target else f"<li>{label}</li>")
    missing = [
        f"<li>{escape(o.name)} ({o.gemeente_code}): {escape(o.reason)}</li>" for o in skipped
    ]
    text = (
        '<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8">'
        f"<title>Veerkracht-atlas {van}–{tot}</title>"
        "<style>body{font-family:sans-serif;max-width:50em;margin:2em auto;line-height:1.5}"
        "</style></head><body>"
        f"<h1>Veerkracht-atlas {van}–{tot}</h1>"
        f"<h2>Gemeenten met kaarten ({len(done)})</h2><ul>{''.join(items)}</ul>"
        f"<h2>Overgeslagen gemeenten ({len(skipped)})</h2><ul>{''.join(missing)}</ul>"
        "</body></html>"
    )
    path = out_dir / f"atlas_{van}_{tot}.html"
    path.write_text(text, encoding="utf-8")
    return path

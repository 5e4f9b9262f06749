"""``veerkracht data ophalen``: fetch (``veerkracht.online``), then import (``ingest``).

One gemeente: resolve it, fetch its sources into a folder, import the files through
``ingest.import_jobs`` — the same readers, hashing and atomic store import as
``veerkracht data importeren``.

``--alle-gemeenten``: every gemeente in one resumable run.

The gemeente list comes from CBS (the KWB table of the newest requested year). The first
gemeente is fetched alone, so the answers every gemeente shares (the Leefbaarometer zip,
the gemeente list) are fetched once and cached; the others follow with at most
``MAX_WORKERS`` gemeenten in flight, each fetching its own sources one request at a time,
so no more than that many requests reach the services at once. The HTTP client waits
as long as a ``Retry-After`` header asks.

Imports happen in the calling thread as each gemeente arrives (the store has one writer).
A progress file (``voortgang.json`` in the download folder) lists the gemeenten done for
these years and sources; a second run skips them and continues with the rest, and every
answer already fetched comes from the HTTP cache. Losing the network stops the run at
once, with the gemeenten done so far saved.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from veerkracht.errors import ParameterError
from veerkracht.http import HttpClient, NoConnectionError, ProgressHook
from veerkracht.ingest import ImportReport, import_jobs
from veerkracht.online import cbs_odata
from veerkracht.online.fetch import check_kwb_years, gemeente_at_cbs
from veerkracht.settings import Settings
from veerkracht.sources.registry import FetchResult, fetch_sources

if TYPE_CHECKING:
    from veerkracht.store import Store

log = logging.getLogger(__name__)

#: Upper bound on gemeenten (and so requests) in flight: polite towards CBS and PDOK.
MAX_WORKERS = 4
PROGRESS_FILE = "voortgang.json"


def import_files(store, files: list[Path], report: ImportReport | None = None) -> ImportReport:
    """Import the fetched files one by one (each atomically); list failures with reason."""
    return import_jobs(store, [(path, None, None) for path in files], report=report)


def default_folder(settings: Settings, gemeente_code: str) -> Path:
    return settings.data_dir / "downloads" / gemeente_code


def known_gemeenten(store) -> dict[str, str]:
    frame = store.gemeenten()
    return {str(c): str(n) for c, n in zip(frame["gemeente_code"], frame["name"], strict=True)}


def fetch_and_import(
    store,
    settings: Settings,
    *,
    gemeente: str,
    years: list[int],
    sources: list[str],
    folder: Path | None = None,
    refresh: bool = False,
    progress: Callable[[str, int, int | None], None] | None = None,
    backoff_s: float | None = None,
) -> tuple[str, Path, ImportReport]:
    """Resolve the gemeente, fetch, save, import; returns (code, folder, report)."""
    with HttpClient(settings, refresh=refresh, progress=progress, backoff_s=backoff_s) as client:
        code = gemeente_at_cbs(
            gemeente, known=known_gemeenten(store), client=client, settings=settings,
            year=max(years),
        ).code
        folder = folder or default_folder(settings, code)
        fetched = fetch_sources(
            client, settings, gemeente_code=code, years=years, sources=sources, folder=folder
        )
    report = import_files(store, fetched.files, ImportReport(skipped=list(fetched.skipped)))
    return code, folder, report


@dataclass
class GemeenteOutcome:
    code: str
    name: str
    files: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (source, reason)
    n_values: int = 0
    error: str = ""
    resumed: bool = False  # done in an earlier run, not fetched again

    @property
    def complete(self) -> bool:
        return not self.error and not self.skipped


@dataclass
class AllResult:
    outcomes: list[GemeenteOutcome]
    progress_file: Path

    @property
    def arrived(self) -> list[GemeenteOutcome]:
        return [o for o in self.outcomes if o.files and not o.error]

    @property
    def failed(self) -> list[GemeenteOutcome]:
        return [o for o in self.outcomes if o.error or not o.files]


def check_workers(workers: int) -> int:
    if not 1 <= workers <= MAX_WORKERS:
        raise ParameterError(
            "--gelijktijdig", str(workers), f"moet tussen 1 en {MAX_WORKERS} liggen",
            fix=f"Kies 1 tot {MAX_WORKERS}; meer tegelijk belast de diensten van CBS en PDOK.",
        )
    return workers


def _run_key(years: list[int], sources: list[str]) -> str:
    return f"jaren={','.join(map(str, years))};bronnen={','.join(sorted(sources))}"


def load_progress(path: Path, key: str) -> dict[str, dict]:
    """Gemeenten done in earlier runs with the same years and sources."""
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        log.warning("%s is onleesbaar; begin opnieuw (de cache blijft gelden)", path)
        return {}
    return data.get(key, {}) if isinstance(data, dict) else {}


def save_progress(path: Path, key: str, done: dict[str, dict]) -> None:
    data: dict = {}
    if path.exists():
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            data = {}
    data[key] = done
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    tmp.replace(path)


def _fetch_one(
    client: HttpClient, settings: Settings, code: str, years: list[int], sources: list[str],
    root: Path,
) -> FetchResult:
    return fetch_sources(
        client, settings, gemeente_code=code, years=years, sources=sources, folder=root / code
    )


def _record(outcome: GemeenteOutcome, fetched: FetchResult, report: ImportReport) -> None:
    outcome.files = [r.file_name for r in report.imported]
    outcome.n_values = sum(r.n_values for r in report.imported)
    outcome.skipped = [(s.file.name.strip("()"), s.reason) for s in report.skipped]
    if not fetched.files and not outcome.skipped:
        outcome.error = "geen enkele bron gaf data"


def _plan(
    names: dict[str, str], done: dict[str, dict],
    on_done: Callable[[GemeenteOutcome], None] | None,
) -> tuple[dict[str, GemeenteOutcome], list[str]]:
    """An outcome per gemeente; those done in an earlier run are reported as resumed."""
    outcomes: dict[str, GemeenteOutcome] = {}
    todo = []
    for code in sorted(names):
        outcome = outcomes[code] = GemeenteOutcome(code, names[code])
        if code not in done:
            todo.append(code)
            continue
        outcome.files = list(done[code].get("files", []))
        outcome.resumed = True
        if on_done:
            on_done(outcome)
    return outcomes, todo


def fetch_all(
    store: Store,
    settings: Settings,
    *,
    years: list[int],
    sources: list[str],
    root: Path | None = None,
    refresh: bool = False,
    workers: int = MAX_WORKERS,
    on_list: Callable[[int], None] | None = None,
    on_done: Callable[[GemeenteOutcome], None] | None = None,
    progress: ProgressHook | None = None,
    backoff_s: float | None = None,
) -> AllResult:
    """Fetch and import every gemeente; returns what arrived and what did not."""
    workers = check_workers(workers)
    if "kwb" in sources:
        check_kwb_years(years)  # once, before any request: not 342 times the same error
    root = root or settings.data_dir / "downloads"
    progress_path = root / PROGRESS_FILE
    key = _run_key(years, sources)
    done = {} if refresh else load_progress(progress_path, key)
    with HttpClient(settings, refresh=refresh, progress=progress, backoff_s=backoff_s) as client:
        names = cbs_odata.gemeente_list(client, settings, max(years))
        if on_list:
            on_list(len(names))
        outcomes, todo = _plan(names, done, on_done)

        def finish(code: str, fetched: FetchResult | None, error: str = "") -> None:
            if fetched is None:
                outcomes[code].error = error
            else:
                report = import_files(
                    store, fetched.files, ImportReport(skipped=fetched.skipped)
                )
                _record(outcomes[code], fetched, report)
            if outcomes[code].complete:
                done[code] = {"files": outcomes[code].files}
                save_progress(progress_path, key, done)
            if on_done:
                on_done(outcomes[code])

        # the first alone: the answers all gemeenten share (zip, lists) are fetched once
        _fetch_parallel(client, settings, todo[:1], years, sources, root, 1, finish)
        _fetch_parallel(client, settings, todo[1:], years, sources, root, workers, finish)
    return AllResult([outcomes[c] for c in sorted(outcomes)], progress_path)


def _fetch_parallel(
    client: HttpClient, settings: Settings, codes: list[str], years: list[int],
    sources: list[str], root: Path, workers: int,
    finish: Callable[..., None],
) -> None:
    """At most ``workers`` gemeenten in flight; imports in this thread as each arrives."""
    queue = list(reversed(codes))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ophalen") as pool:
        running: dict[Future, str] = {}
        try:
            while queue or running:
                while queue and len(running) < workers:
                    code = queue.pop()
                    running[pool.submit(
                        _fetch_one, client, settings, code, years, sources, root)] = code
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    code = running.pop(future)
                    try:
                        fetched = future.result()
                    except NoConnectionError:
                        raise
                    except Exception as exc:  # one gemeente failing must not stop the rest
                        log.warning("%s: %s", code, exc)
                        finish(code, None, getattr(exc, "message", str(exc)))
                        continue
                    finish(code, fetched)
        except BaseException:
            for future in running:
                future.cancel()
            raise

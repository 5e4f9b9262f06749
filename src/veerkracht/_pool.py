"""Run a function over many items in worker processes, a bounded number at a time.

Shared by ``ingest`` (read files while the parent writes the store) and ``atlas``
(render gemeenten). What both need from a process pool and what
``ProcessPoolExecutor`` does not give by default:

* only about ``2 x workers`` items in flight, so results (whole tables) do not pile up
  in memory while the parent is busy with earlier ones;
* every item gets a result: a worker that raised or died (out of memory, killed) turns
  into ``failed(item, reason)`` with a Dutch reason, and the rest goes on in a fresh pool;
* on an error or Ctrl+C in the parent, queued items are cancelled instead of waited for.
"""

from __future__ import annotations

import itertools
import logging
import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import forkserver
from typing import TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")
_NOTHING = object()
R = TypeVar("R")

#: Reason given for the items that were in flight when a worker process died.
WORKER_DIED = (
    "het werkproces is onverwacht gestopt (mogelijk te weinig geheugen); "
    "probeer het opnieuw, eventueel met minder werkprocessen"
)


def failure_reason(exc: BaseException) -> str:
    """Dutch reason for an exception that came out of a worker instead of a result."""
    if isinstance(exc, BrokenProcessPool):
        return WORKER_DIED
    return f"onverwachte fout in werkproces: {type(exc).__name__}: {exc}"


def _start_forkserver(mp_context, preload: list[str]) -> None:
    """Start this process's forkserver now, importing ``preload`` once, in the background:
    workers forked from it start without importing those libraries each."""
    mp_context.set_forkserver_preload(preload)
    forkserver.ensure_running()


def bounded_map(
    func: Callable[[T], R],
    items: Iterable[T],
    *,
    workers: int,
    failed: Callable[[T, str], R],
    context: str = "forkserver",
    ordered: bool = True,
    per_worker: int = 2,
    local_first: bool = False,
    preload: list[str] | None = None,
    executor: ProcessPoolExecutor | None = None,
) -> Iterator[R]:
    """``func(item)`` for every item in ``workers`` processes; one result per item.

    ``ordered`` yields in the order of ``items`` (ingest imports files in folder order);
    otherwise as they finish. Close the iterator (``contextlib.closing``) when stopping
    early, so the queued items are cancelled at once. ``preload``: modules the forkserver
    imports once, in the background, before forking the workers (otherwise each worker
    spends most of a second importing them). ``local_first`` runs the first item in this
    process meanwhile, and yields it first. ``executor``: a pool (of ``workers``
    processes) that the caller made and shuts down, to share its started workers between
    several runs; a pool that breaks is replaced by one of this run's own.
    """
    mp_context = multiprocessing.get_context(context)
    if preload and context == "forkserver":
        _start_forkserver(mp_context, preload)
    source = iter(items)
    limit = max(1, workers * per_worker)
    pending: deque[tuple[T, Future[R]]] = deque()
    pool = executor or ProcessPoolExecutor(max_workers=workers, mp_context=mp_context)

    def fill() -> None:
        nonlocal pool
        for item in itertools.islice(source, limit - len(pending)):
            try:
                future = pool.submit(func, item)
            except BrokenProcessPool:
                # the pool broke under earlier items: those get WORKER_DIED, the rest a new pool
                pool.shutdown(wait=False, cancel_futures=True)
                pool = ProcessPoolExecutor(max_workers=workers, mp_context=mp_context)
                future = pool.submit(func, item)
            pending.append((item, future))

    try:
        first = next(source, _NOTHING) if local_first else _NOTHING
        if first is not _NOTHING:
            try:
                result = func(first)
            except Exception as exc:
                log.debug("first item failed in this process: %r", first, exc_info=True)
                result = failed(first, failure_reason(exc))
            fill()  # workers forked from the (by now) preloaded forkserver
            yield result
        else:
            fill()
        while pending:
            if ordered:
                item, future = pending.popleft()
            else:
                done, _ = wait([f for _, f in pending], return_when=FIRST_COMPLETED)
                index = next(i for i, (_, f) in enumerate(pending) if f in done)
                item, future = pending[index]
                del pending[index]
            try:
                result = future.result()
            except Exception as exc:  # raised or died in the worker: this item only
                log.debug("worker failed on %r", item, exc_info=True)
                result = failed(item, failure_reason(exc))
            fill()
            yield result
    finally:
        if pool is executor:  # the caller's: only what this run queued is cancelled
            for _, future in pending:
                future.cancel()
        else:
            pool.shutdown(wait=True, cancel_futures=True)

"""The view cache: one computation per distinct view, a bounded queue, a byte budget.

Computing a view (signals of a gemeente for van/tot/indeling/klassen) takes seconds. The
:class:`ViewCache` makes sure that

* a view is computed once: concurrent requests for the same key wait for the same
  computation (single-flight) instead of starting their own;
* at most ``workers`` computations run at once, in their own threads, and at most
  ``max_queued`` more wait; beyond that a request gets :class:`Busy` (a Dutch 503)
  at once instead of piling up threads and memory;
* a queued computation that nobody waits for any more (every client went away) is
  dropped before it starts, and a running one is cancelled: its
  :class:`~veerkracht.cancel.CancelToken` is set and the pipeline stops at its next
  :func:`~veerkracht.cancel.checkpoint` (within one stage), freeing the worker. With
  several waiters on one view it is cancelled only when the last of them has left;
* finished views are kept in an LRU whose size is measured in bytes (the computed
  tables plus every blob — GeoJSON, exports, profiles — derived from it later), not
  in a number of views.

No lock is held while computing: the internal lock only guards the bookkeeping.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from concurrent.futures import CancelledError, Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import anyio.to_thread
import numpy as np
import pandas as pd
import shapely

from veerkracht.cancel import Cancelled, CancelToken, cancellable

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

log = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 512 * 1024 * 1024
POLL_S = 0.25  # how often a waiting request checks whether its client is still there


class Busy(Exception):
    """Too many computations queued: try again later (HTTP 503)."""

    def __init__(self, queued: int) -> None:
        self.queued = queued
        super().__init__(f"{queued} berekeningen in de wachtrij")


class ClientGone(Exception):
    """The client disconnected while its request waited for a computation."""


class SizedBlobs(dict):
    """A dict of bytes that knows its total size and reports growth to its cache."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.nbytes = sum(_len(v) for v in self.values())
        self.on_grow: Callable[[], None] | None = None

    def __setitem__(self, key: Any, value: Any) -> None:
        old = _len(self[key]) if key in self else 0
        super().__setitem__(key, value)
        self.nbytes += _len(value) - old
        if self.on_grow is not None:
            self.on_grow()


def _len(value: Any) -> int:
    if isinstance(value, (bytes, bytearray, str)):
        return len(value)
    if isinstance(value, dict):
        return sum(_len(v) for v in value.values())
    return 64


@dataclass
class _Flight:
    token: CancelToken = field(default_factory=CancelToken)
    future: Future | None = None
    waiters: int = 0


@dataclass
class _Entry:
    value: Any
    base_bytes: int
    blobs: SizedBlobs | None = None

    @property
    def nbytes(self) -> int:
        return self.base_bytes + (self.blobs.nbytes if self.blobs is not None else 0)


@dataclass
class CacheStats:
    hits: int = 0
    misses: int = 0
    computed: int = 0
    evicted: int = 0
    refused: int = 0
    dropped: int = 0  # queued, nobody waited any more: never started
    cancelled: int = 0  # running, nobody waited any more: told to stop
    stopped: int = 0  # of those, how many stopped at a checkpoint (did not finish)
    nbytes: int = 0
    entries: int = 0
    running: dict = field(default_factory=dict)


class ViewCache(Generic[K, V]):
    """Single-flight, byte-bounded LRU cache of expensive computations."""

    def __init__(
        self,
        compute: Callable[[K], V],
        *,
        size_of: Callable[[V], int],
        blobs_of: Callable[[V], SizedBlobs | None] = lambda v: None,
        max_bytes: int = DEFAULT_MAX_BYTES,
        workers: int = 1,
        max_queued: int = 8,
    ) -> None:
        self._compute = compute
        self._size_of = size_of
        self._blobs_of = blobs_of
        self.max_bytes = max_bytes
        self.workers = workers
        self.max_queued = max_queued
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="veerkracht-weergave")
        self._lock = threading.Lock()
        self._entries: OrderedDict[K, _Entry] = OrderedDict()
        self._flights: dict[K, _Flight] = {}
        self.stats = CacheStats()

    # ------------------------------------------------------------------ reading
    def get(self, key: K) -> V | None:
        """The cached value (and mark it recently used), or None. Never computes."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            self._entries.move_to_end(key)
            self.stats.hits += 1
            return entry.value

    def __contains__(self, key: K) -> bool:
        with self._lock:
            return key in self._entries

    def pending(self) -> int:
        """Computations running or queued."""
        with self._lock:
            return len(self._flights)

    @property
    def nbytes(self) -> int:
        with self._lock:
            return sum(e.nbytes for e in self._entries.values())

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    # ------------------------------------------------------------------ computing
    def _join(self, key: K) -> tuple[V | None, _Flight | None]:
        """A hit, or the flight computing ``key`` (started if needed), with us as a waiter."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
                self.stats.hits += 1
                return entry.value, None
            flight = self._flights.get(key)
            if flight is None:
                if len(self._flights) >= self.workers + self.max_queued:
                    self.stats.refused += 1
                    raise Busy(len(self._flights))
                self.stats.misses += 1
                flight = _Flight()
                flight.future = self._pool.submit(self._run, key, flight)
                self._flights[key] = flight
            flight.waiters += 1
            return None, flight

    def _leave(self, key: K, flight: _Flight, *, abandon: bool = True) -> None:
        """One waiter less; the last one to leave (``abandon``: without the result) drops
        the computation when it is still queued and cancels it when it is running."""
        with self._lock:
            flight.waiters -= 1
            if flight.waiters > 0 or not abandon or flight.future.done():
                return
            if flight.future.cancel():  # not started yet: drop it
                self.stats.dropped += 1
            elif not flight.token.cancelled:
                flight.token.cancel()  # running: stop at the next checkpoint
                self.stats.cancelled += 1
                log.info("berekening %s afgebroken: geen wachtende client meer", key)
            if self._flights.get(key) is flight:  # a new request starts afresh
                del self._flights[key]

    def _run(self, key: K, flight: _Flight) -> V:
        try:
            with cancellable(flight.token):
                value = self._compute(key)
        except BaseException as exc:
            with self._lock:
                if self._flights.get(key) is flight:
                    del self._flights[key]
                if isinstance(exc, Cancelled):
                    self.stats.stopped += 1
            raise
        blobs = self._blobs_of(value)
        entry = _Entry(value, self._size_of(value), blobs)
        if blobs is not None:
            blobs.on_grow = self._trim
        with self._lock:
            self._entries[key] = entry  # also when cancelled after its last checkpoint
            self._entries.move_to_end(key)
            if self._flights.get(key) is flight:
                del self._flights[key]
            self.stats.computed += 1
        self._trim()
        return value

    def _trim(self) -> None:
        """Drop least recently used views until the byte budget holds (the newest stays)."""
        with self._lock:
            total = sum(e.nbytes for e in self._entries.values())
            while total > self.max_bytes and len(self._entries) > 1:
                _, old = self._entries.popitem(last=False)
                if old.blobs is not None:
                    old.blobs.on_grow = None
                total -= old.nbytes
                self.stats.evicted += 1
            self.stats.nbytes, self.stats.entries = total, len(self._entries)

    def obtain(self, key: K) -> V:
        """The value for ``key``: cached, or computed once (waiting for a running computation)."""
        hit, flight = self._join(key)
        if flight is None:
            return hit  # type: ignore[return-value]
        try:
            return flight.future.result()
        finally:
            self._leave(key, flight, abandon=False)  # a blocking caller never leaves early

    async def obtain_async(
        self, key: K, disconnected: Callable[[], Awaitable[bool]] | None = None
    ) -> V:
        """As :meth:`obtain`, without blocking the event loop; gives up (``ClientGone``)
        when ``disconnected()`` says the client went away."""
        hit, flight = self._join(key)
        if flight is None:
            return hit  # type: ignore[return-value]
        abandon = True
        try:
            waiting = asyncio.wrap_future(flight.future)
            while True:
                done, _ = await asyncio.wait({waiting}, timeout=POLL_S)
                if done:
                    abandon = False
                    try:
                        return waiting.result()
                    except (CancelledError, Cancelled):  # nobody else waited: it was dropped
                        raise ClientGone() from None
                if disconnected is not None and await disconnected():
                    # never waiting.cancel(): that would cancel the shared computation for
                    # the other waiters too; _leave cancels it only when nobody waits
                    waiting.add_done_callback(_consume)  # its outcome is nobody's now
                    raise ClientGone()
        finally:
            self._leave(key, flight, abandon=abandon)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


def _consume(future: asyncio.Future) -> None:
    """Read a left-behind future's exception, so asyncio does not log it as lost."""
    if not future.cancelled():
        future.exception()


async def run_cancellable(
    fn: Callable[..., V],
    *args: Any,
    disconnected: Callable[[], Awaitable[bool]],
    stats: CacheStats,
) -> V:
    """``fn(*args)`` in a worker thread for one client; when the client disconnects the
    work is cancelled (it stops at its next checkpoint) and ``ClientGone`` is raised once
    it has stopped, so that whoever bounds the work (a render slot) stays bounded."""
    token = CancelToken()

    def work() -> V:
        with cancellable(token):
            return fn(*args)

    task = asyncio.ensure_future(anyio.to_thread.run_sync(work))
    try:
        while True:
            done, _ = await asyncio.wait({task}, timeout=POLL_S)
            if done:
                value = task.result()
                stats.computed += 1
                return value
            if await disconnected():
                token.cancel()
                stats.cancelled += 1
                break
        try:
            await task  # the thread stops at its next checkpoint
            stats.computed += 1  # it was past its last one: finished after all
        except Cancelled:
            stats.stopped += 1
        raise ClientGone()
    finally:
        if not task.done():  # this coroutine itself was cancelled: stop the thread too
            token.cancel()


def estimate_bytes(value: Any, _depth: int = 0) -> int:
    """Rough in-memory size of a computed view: data frames (deep, with geometry
    coordinates), strings and the public attributes of plain objects, two levels deep."""
    if isinstance(value, (bytes, bytearray, str)):
        return len(value)
    if isinstance(value, pd.DataFrame):
        total = int(value.memory_usage(deep=True, index=True).sum())
        for column in value.columns:
            if str(value[column].dtype) == "geometry":
                total += int(shapely.get_num_coordinates(value[column].to_numpy()).sum()) * 16
        return total
    if isinstance(value, pd.Series):
        return int(value.memory_usage(deep=True, index=True))
    if isinstance(value, np.ndarray):
        return int(value.nbytes)
    if _depth > 2:
        return 64
    if isinstance(value, dict):
        return sum(estimate_bytes(v, _depth + 1) for v in value.values()) + 64 * len(value)
    if isinstance(value, (list, tuple, set, frozenset)):
        return sum(estimate_bytes(v, _depth + 1) for v in value) + 8 * len(value)
    attrs = getattr(value, "__dict__", None)
    if attrs:
        return sum(
            estimate_bytes(v, _depth + 1)
            for k, v in attrs.items()
            if not k.startswith("_") and not isinstance(v, SizedBlobs)
        )
    return 64


class ThreadLocalStore:
    """A store whose connection is a separate DuckDB cursor per thread.

    DuckDB connections are not thread-safe; cursors of one database are, each in its own
    thread. So view computations, exports and quick reads run in parallel without one
    global lock, and without a long computation holding up anything else.
    """

    def __init__(self, store: Any) -> None:
        self._base = store
        self._local = threading.local()

    @property
    def base(self) -> Any:
        return self._base

    def _current(self) -> Any:
        store = getattr(self._local, "store", None)
        if store is None:
            store = self._base.reader()
            self._local.store = store
        return store

    def __getattr__(self, name: str) -> Any:
        return getattr(self._current(), name)

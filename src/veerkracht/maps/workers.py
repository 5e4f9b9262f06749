"""Map layers drawn in worker processes: the pool, its forkserver and what it preloads.

Without matplotlib: the process that hands out the layers (``veerkracht kaart``) does
not draw, so it does not import matplotlib (~0.5 s before the signals could start);
the workers are forked from a forkserver that has it loaded (:data:`PRELOAD`) and find
the drawing functions by name (:class:`_Named`).
"""

from __future__ import annotations

import importlib
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from veerkracht._pool import _start_forkserver

if TYPE_CHECKING:
    from veerkracht.maps.layers import MapLayer, MapSet
    from veerkracht.settings import Settings

R = TypeVar("R")
#: the formats ``veerkracht kaart`` writes of every map
FORMATS = ("png", "svg", "pdf")


@dataclass(frozen=True)
class _Named:
    """A module-level function by name, imported where it is called: a worker has the
    module loaded already, and the caller need not import it (or matplotlib) to send it."""

    module: str
    name: str

    def __call__(self, *args: Any) -> Any:
        return getattr(importlib.import_module(self.module), self.name)(*args)


#: imported once by the forkserver that the render workers are forked from
PRELOAD = ["veerkracht.maps._preload"]
_worker_mapset: MapSet | None = None


def render_processes() -> int:
    """How many processes draw one gemeente's maps: every core, at most 4 (7 maps)."""
    return min(os.cpu_count() or 1, 4)


def start_workers(processes: int, preload: list[str] | None = None) -> None:
    """Start the render workers' forkserver now, in the background (call this before the
    signals are computed): it imports matplotlib and warms the fonts meanwhile, so
    :func:`render_maps` can start at once. Does nothing for one process. ``preload``:
    the modules to import instead of :data:`PRELOAD` (the report's workers also need
    esda); the first call in a process decides."""
    if processes <= 1:
        return

    _start_forkserver(multiprocessing.get_context("forkserver"), preload or PRELOAD)


def _init_worker(mapset: MapSet) -> None:
    global _worker_mapset
    _worker_mapset = mapset  # once per worker; the buurt paths are then made once too


def _in_worker(func: Callable[..., R], key: str | None, args: tuple) -> R:
    if _worker_mapset is None:  # only reachable when a pool is made without _init_worker
        raise RuntimeError("kaartproces zonder kaartset gestart")
    if key is None:  # one of the other jobs: func(mapset, *args)
        return func(_worker_mapset, *args)
    return func(_worker_mapset, _worker_mapset.layer(key), *args)


def map_layers(
    mapset: MapSet,
    func: Callable[..., R],
    args: tuple = (),
    *,
    processes: int = 1,
    on_done: Callable[[MapLayer], None] | None = None,
    meanwhile: Callable[[], object] | None = None,
    jobs: dict[str, tuple[Callable[..., Any], tuple]] | None = None,
) -> dict[str, Any]:
    """``func(mapset, layer, *args)`` for every layer, on ``processes`` processes.

    Returns ``{layer.key: result}``; ``func`` must be a module-level function (it is
    pickled). ``on_done(layer)`` is called as each layer is finished; ``meanwhile()``
    runs in this process while the workers draw. Workers are forked from a forkserver
    that has matplotlib loaded (:func:`start_workers`) and get the map set once. A layer
    whose worker died (not: whose map failed) is done again in this process.
    ``jobs``: other work for the same workers, ``{name: (job, args)}`` run as
    ``job(mapset, *args)`` before the layers; its result is under ``name``.
    """
    layers = list(mapset.layers)
    jobs = jobs or {}
    if clash := set(jobs) & {layer.key for layer in layers}:
        raise ValueError(f"job names that are layer keys: {sorted(clash)}")
    work: list[tuple[str, Callable[..., Any], str | None, tuple]] = [
        (name, job, None, job_args) for name, (job, job_args) in jobs.items()
    ] + [(layer.key, func, layer.key, args) for layer in layers]
    done: dict[str, Any] = {}
    if processes > 1 and len(work) > 1:
        context = multiprocessing.get_context("forkserver")
        _start_forkserver(context, PRELOAD)  # no-op when start_workers() started it
        pool = ProcessPoolExecutor(
            max_workers=min(processes, len(work)),
            mp_context=context,
            initializer=_init_worker,
            initargs=(mapset,),
        )
        try:
            futures = {
                pool.submit(_in_worker, job, key, job_args): name
                for name, job, key, job_args in work
            }
            if meanwhile is not None:
                meanwhile()
                meanwhile = None
            for future in as_completed(futures):
                name = futures[future]
                try:
                    done[name] = future.result()
                except (BrokenProcessPool, OSError):
                    continue  # done below, in this process
                if on_done is not None and name not in jobs:
                    on_done(mapset.layer(name))
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
    if meanwhile is not None:
        meanwhile()
    for name, job, key, job_args in work:
        if name in done:
            continue
        if key is None:
            done[name] = job(mapset, *job_args)
        else:
            done[name] = job(mapset, mapset.layer(key), *job_args)
            if on_done is not None:
                on_done(mapset.layer(key))
    return done


def render_maps(
    mapset: MapSet,
    out_dir: str | Path,
    *,
    labels: bool = False,
    formats: tuple[str, ...] = FORMATS,
    basemap: Settings | None = None,
    processes: int = 1,
    on_done: Callable[[MapLayer], None] | None = None,
    meanwhile: Callable[[], object] | None = None,
) -> list[Path]:
    """Every layer as :func:`~veerkracht.maps.static.render_map` draws it, on
    ``processes`` processes (see :func:`map_layers`); the written paths in layer order."""
    written = map_layers(
        mapset,
        _Named("veerkracht.maps.static", "_render_layer"),
        (Path(out_dir), {"labels": labels, "formats": formats, "basemap": basemap}),
        processes=processes,
        on_done=on_done,
        meanwhile=meanwhile,
    )
    return [path for layer in mapset.layers for path in written[layer.key]]

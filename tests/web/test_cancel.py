"""A computation whose every waiting client has gone stops early (issue 12).

The view cache runs one computation per distinct view; when the last client waiting for
it disconnects, its cancel token is set and the pipeline stops at its next checkpoint.
Synchronisation is by events throughout (no sleeps): the computation under test is held
at a known stage until the test has done what it wants to observe.
"""

from __future__ import annotations

import asyncio
import http.client
import socket
import threading
import time
from urllib.parse import urlsplit

import pytest

from tests.web._live import live_server
from veerkracht.cancel import Cancelled, CancelToken, cancellable, checkpoint, current
from veerkracht.web.cache import ClientGone, ViewCache, run_cancellable
from veerkracht.web.context import view_key
from veerkracht.web.state import ViewState

WAIT_S = 60  # upper bound for every event wait; a healthy run takes far less


class _Held:
    """A computation that runs until it is cancelled (or released), at checkpoints."""

    def __init__(self) -> None:
        self.started = threading.Event()
        self.release = threading.Event()
        self.finished = threading.Event()
        self.outcome: list[str] = []

    def __call__(self, key: str) -> str:
        token = current()
        assert token is not None  # the cache runs every computation under a token
        self.started.set()
        try:
            while not self.release.is_set():
                checkpoint()
                token.wait(0.05)  # woken at once by cancel(); no busy loop
            self.outcome.append("klaar")
            return f"waarde {key}"
        except Cancelled:
            self.outcome.append("gestopt")
            raise
        finally:
            self.finished.set()


class _Client:
    """A waiter whose connection the test closes by setting ``gone``."""

    def __init__(self) -> None:
        self.gone = asyncio.Event()

    async def disconnected(self) -> bool:
        return self.gone.is_set()


def _cache(compute) -> ViewCache:
    return ViewCache(compute, size_of=lambda v: 100, workers=1, max_queued=4)


def test_checkpoint_raises_only_under_a_cancelled_token() -> None:
    checkpoint()  # outside any computation: never raises
    token = CancelToken()
    with cancellable(token):
        checkpoint()
        token.cancel()
        with pytest.raises(Cancelled):
            checkpoint()
    checkpoint()  # the token is gone again after the block
    assert current() is None


async def _two_waiters_one_leaves(cache: ViewCache, held: _Held) -> tuple[_Client, asyncio.Future]:
    """Two clients wait for one computation and the first disconnects; (the second
    client, its pending request)."""
    first, second = _Client(), _Client()
    one = asyncio.ensure_future(cache.obtain_async("v", first.disconnected))
    two = asyncio.ensure_future(cache.obtain_async("v", second.disconnected))
    assert await asyncio.to_thread(held.started.wait, WAIT_S)
    first.gone.set()
    with pytest.raises(ClientGone):
        await one
    return second, two


def test_the_last_waiter_leaving_cancels_the_running_computation() -> None:
    held = _Held()
    cache = _cache(held)

    async def scenario() -> None:
        second, two = await _two_waiters_one_leaves(cache, held)
        # one waiter left: the shared computation goes on for the other
        assert not held.finished.is_set() and cache.stats.cancelled == 0
        assert cache.pending() == 1
        second.gone.set()
        with pytest.raises(ClientGone):
            await two
        assert await asyncio.to_thread(held.finished.wait, WAIT_S)

    asyncio.run(scenario())
    assert held.outcome == ["gestopt"]
    assert (cache.stats.cancelled, cache.stats.stopped, cache.stats.computed) == (1, 1, 0)
    assert "v" not in cache and cache.pending() == 0


def test_a_waiter_who_stays_gets_the_result() -> None:
    held = _Held()
    cache = _cache(held)

    async def scenario() -> str:
        _, two = await _two_waiters_one_leaves(cache, held)
        held.release.set()
        return await two

    assert asyncio.run(scenario()) == "waarde v"
    assert held.outcome == ["klaar"] and cache.stats.cancelled == 0


def test_a_new_request_after_a_cancellation_computes_afresh() -> None:
    held = _Held()
    cache = _cache(held)
    client = _Client()

    async def leave() -> None:
        waiting = asyncio.ensure_future(cache.obtain_async("v", client.disconnected))
        assert await asyncio.to_thread(held.started.wait, WAIT_S)
        client.gone.set()
        with pytest.raises(ClientGone):
            await waiting

    asyncio.run(leave())
    assert held.finished.wait(WAIT_S) and held.outcome == ["gestopt"]
    again = _Held()
    again.release.set()
    cache._compute = again
    assert cache.obtain("v") == "waarde v" and again.outcome == ["klaar"]
    assert cache.stats.computed == 1 and "v" in cache


def test_a_render_for_a_client_that_left_stops() -> None:
    from veerkracht.web.cache import CacheStats

    held = _Held()
    stats = CacheStats()
    client = _Client()

    async def scenario() -> None:
        render = asyncio.ensure_future(
            run_cancellable(held, "kaart", disconnected=client.disconnected, stats=stats)
        )
        assert await asyncio.to_thread(held.started.wait, WAIT_S)
        client.gone.set()
        with pytest.raises(ClientGone):
            await render
        # ClientGone only after the thread stopped: the render slot stayed taken until then
        assert held.finished.is_set()

    asyncio.run(scenario())
    assert held.outcome == ["gestopt"]
    assert (stats.cancelled, stats.stopped, stats.computed) == (1, 1, 0)


# ----------------------------------------------------------------------------- live server
def _raw_get(base: str, path: str) -> socket.socket:
    """Send a GET over a plain socket and return it unread (the test closes it)."""
    url = urlsplit(base)
    sock = socket.create_connection((url.hostname, url.port), timeout=WAIT_S)
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {url.netloc}\r\n\r\n".encode())
    return sock


def _get(base: str, path: str) -> tuple[int, float]:
    url = urlsplit(base)
    con = http.client.HTTPConnection(url.hostname, url.port, timeout=WAIT_S)
    started = time.perf_counter()
    try:
        con.request("GET", path)
        response = con.getresponse()
        response.read()
        return response.status, time.perf_counter() - started
    finally:
        con.close()


def test_a_disconnected_client_stops_the_real_pipeline(world, monkeypatch) -> None:
    """Over a real socket: an uncached Fisher-Jenks view is held inside the pipeline (in
    the first classification), the client disconnects, the computation stops at the next
    checkpoint without classifying the other indicators, and the one view worker is free
    for the next request."""
    import veerkracht.signals.classes as classes

    web = world.app.state.web
    views = web.service.views
    views.clear()
    real = classes.class_bounds
    started = threading.Event()
    held: dict = {"token": None, "begonnen": 0, "afgerond": 0, "andere": 0}

    def held_bounds(*args, **kwargs):
        token = current()
        if held["token"] is None:  # the first classification of the first view: hold it
            held["token"] = token
            started.set()
            assert token is not None and token.wait(WAIT_S), "never cancelled"
        if token is not held["token"]:
            held["andere"] += 1  # classifications of the next view
            return real(*args, **kwargs)
        held["begonnen"] += 1
        bounds = real(*args, **kwargs)
        held["afgerond"] += 1
        return bounds

    monkeypatch.setattr(classes, "class_bounds", held_bounds)
    before = (views.stats.cancelled, views.stats.stopped, views.stats.computed)
    slow = "/api/gemeenten/GM0363/signalen.json?van=2016&tot=2019&klassen=fisher_jenks"
    with live_server(world.app) as base:
        sock = _raw_get(base, slow)
        assert started.wait(WAIT_S)
        status, elapsed = _get(base, "/api/gemeenten?q=amster")  # answered meanwhile
        assert status == 200 and elapsed < 2.0
        sock.close()  # the only waiter goes away
        # the next view needs the single view worker: it runs only once the first stopped
        status, _ = _get(base, "/api/gemeenten/GM0363/signalen.json?van=2017&tot=2019")
        assert status == 200
    after = (views.stats.cancelled, views.stats.stopped, views.stats.computed)
    assert [a - b for a, b in zip(after, before, strict=True)] == [1, 1, 1]
    # it stopped at the first checkpoint after the cancel: no classification finished,
    # while a whole view classifies every indicator (the next view: many)
    assert (held["begonnen"], held["afgerond"]) == (1, 0) and held["andere"] > 10
    fisher = view_key(
        ViewState.parse("GM0363", start_year="2016", end_year="2019", scheme="fisher_jenks")
    )
    assert fisher not in views

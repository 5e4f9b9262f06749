"""Bounds: the view cache, login delays, rate limits, body and JSON limits (units)."""

from __future__ import annotations

import asyncio
import threading

import pytest

from veerkracht.web import limits
from veerkracht.web.cache import Busy, ClientGone, SizedBlobs, ViewCache
from veerkracht.web.limits import (
    BadJson,
    LoginThrottle,
    RateLimiter,
    json_depth_ok,
    parse_json,
)


class _Blocking:
    """A compute function that waits until released and counts its calls per key."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.started = threading.Event()
        self.calls: dict[str, int] = {}
        self.lock = threading.Lock()

    def __call__(self, key: str) -> dict:
        with self.lock:
            self.calls[key] = self.calls.get(key, 0) + 1
        self.started.set()
        assert self.release.wait(30)
        return {"key": key, "blobs": SizedBlobs()}


def test_one_computation_per_view_for_concurrent_requests() -> None:
    compute = _Blocking()
    cache: ViewCache = ViewCache(compute, size_of=lambda v: 10, workers=1, max_queued=4)
    results: list[dict] = []
    threads = [threading.Thread(target=lambda: results.append(cache.obtain("a"))) for _ in range(5)]
    for t in threads:
        t.start()
    assert compute.started.wait(10)
    compute.release.set()
    for t in threads:
        t.join(10)
    assert compute.calls == {"a": 1}
    assert len(results) == 5 and all(r is results[0] for r in results)
    assert cache.obtain("a") is results[0] and compute.calls == {"a": 1}  # now from memory


def test_queue_is_bounded() -> None:
    compute = _Blocking()
    cache: ViewCache = ViewCache(compute, size_of=lambda v: 10, workers=1, max_queued=1)
    waiting = [threading.Thread(target=cache.obtain, args=(k,)) for k in ("a", "b")]
    for t in waiting:
        t.start()
    assert compute.started.wait(10)
    while cache.pending() < 2:  # the second request registers its flight
        threading.Event().wait(0.01)
    with pytest.raises(Busy):
        cache.obtain("c")
    compute.release.set()
    for t in waiting:
        t.join(10)
    assert set(compute.calls) == {"a", "b"} and cache.stats.refused == 1


def test_cache_is_bounded_in_bytes_blobs_included() -> None:
    def compute(key: str) -> dict:
        return {"key": key, "blobs": SizedBlobs()}

    cache: ViewCache = ViewCache(
        compute, size_of=lambda v: 100, blobs_of=lambda v: v["blobs"], max_bytes=350
    )
    for key in "abc":
        cache.obtain(key)
    assert len(cache) == 3 and cache.nbytes == 300
    cache.obtain("a")  # a is now the most recently used
    cache.obtain("d")  # 400 bytes > 350: the least recently used (b) goes
    assert "b" not in cache and {"a", "c", "d"} == {k for k in "abcd" if k in cache}
    cache.get("c")
    cache.get("d")
    cache.get("a")["blobs"][("geojson", "x")] = b"x" * 200  # a grows: c goes, then d
    assert "a" in cache and "c" not in cache and cache.nbytes <= 350


def test_a_queued_computation_nobody_waits_for_is_dropped() -> None:
    compute = _Blocking()
    cache: ViewCache = ViewCache(compute, size_of=lambda v: 10, workers=1, max_queued=4)
    first = threading.Thread(target=cache.obtain, args=("a",))
    first.start()
    assert compute.started.wait(10)

    async def gone() -> bool:
        return True

    with pytest.raises(ClientGone):  # waits for 'b' behind 'a', then the client leaves
        asyncio.run(cache.obtain_async("b", gone))
    compute.release.set()
    first.join(10)
    assert compute.calls == {"a": 1} and cache.stats.dropped == 1 and cache.pending() == 0


def test_login_delay_grows_and_spares_other_clients(monkeypatch) -> None:
    clock = [1000.0]
    monkeypatch.setattr(limits.time, "monotonic", lambda: clock[0])
    throttle = LoginThrottle(free=5, max_delay_s=300, account_free=20, account_max_delay_s=30)
    for _ in range(5):
        assert throttle.wait_s("1.1.1.1", "a@x.nl") == 0
        throttle.failed("1.1.1.1", "a@x.nl")
    assert throttle.wait_s("1.1.1.1", "a@x.nl") == 1  # 2 ** 0 after the free attempts
    for _ in range(5):
        throttle.failed("1.1.1.1", "a@x.nl")
    assert throttle.wait_s("1.1.1.1", "a@x.nl") == 32  # progressive: 2 ** 5
    assert throttle.wait_s("1.1.1.1", "b@x.nl") == 32  # the address itself is slowed
    assert throttle.wait_s("2.2.2.2", "a@x.nl") == 0  # the rightful user elsewhere: no wait
    assert throttle.wait_s("1.1.1.1", "a@x.nl", trusted_device=True) == 0
    clock[0] += 32
    assert throttle.wait_s("1.1.1.1", "a@x.nl") == 0  # a delay, never a lockout
    for i in range(20):  # many addresses against one account: the account slows down too
        throttle.failed(f"3.3.3.{i}", "c@x.nl")
    assert 0 < throttle.wait_s("4.4.4.4", "c@x.nl") <= 30
    assert throttle.wait_s("4.4.4.4", "c@x.nl", trusted_device=True) == 0


def test_throttle_and_rate_tables_are_bounded() -> None:
    throttle = LoginThrottle(max_keys=100)
    limiter = RateLimiter(1, 60, 1, max_keys=50)
    for i in range(1000):
        throttle.failed(f"10.0.{i // 256}.{i % 256}", f"u{i}@x.nl")
        limiter.take(f"10.0.{i // 256}.{i % 256}")
    assert len(throttle) <= 100 and len(limiter) <= 50


def test_rate_limiter_burst_then_wait(monkeypatch) -> None:
    clock = [0.0]
    monkeypatch.setattr(limits.time, "monotonic", lambda: clock[0])
    limiter = RateLimiter(6, 60, 2)
    assert limiter.take("a") == 0 and limiter.take("a") == 0
    assert limiter.take("a") == pytest.approx(10)  # one token per 10 s
    assert limiter.take("b") == 0
    clock[0] += 10
    assert limiter.take("a") == 0


def test_json_depth_and_errors() -> None:
    assert json_depth_ok(b'{"a": [1, {"b": "[[[[[[["}]}', max_depth=3)
    assert not json_depth_ok(b"[" * 17 + b"]" * 17)
    with pytest.raises(BadJson, match="dieper genest"):
        parse_json(b"[" * 100_000)
    with pytest.raises(BadJson, match="ongeldige JSON"):
        parse_json(b'{"staat": ')
    with pytest.raises(BadJson, match="geen inhoud"):
        parse_json(b"  ")
    with pytest.raises(BadJson, match="UTF-8"):
        parse_json(b'{"a": "\xff"}')
    assert parse_json(b'{"a": [1, 2]}') == {"a": [1, 2]}


def test_gate_bounds_running_and_waiting_work() -> None:
    from veerkracht.web.limits import Gate, GateFull

    gate = Gate(slots=1, max_waiting=1)

    async def scenario() -> list[str]:
        release = asyncio.Event()
        events: list[str] = []

        async def work(name: str) -> None:
            try:
                async with gate.slot():
                    events.append(f"start {name}")
                    await release.wait()
            except GateFull:
                events.append(f"refused {name}")

        tasks = [asyncio.create_task(work(n)) for n in ("a", "b", "c")]
        while len(events) < 2:  # a runs, b waits, c is refused at once
            await asyncio.sleep(0)
        release.set()
        await asyncio.gather(*tasks)
        return events

    assert asyncio.run(scenario()) == ["start a", "refused c", "start b"]
    assert gate.peak == 1 and gate.active == 0 and gate.waiting == 0
    assert asyncio.run(scenario()) == ["start a", "refused c", "start b"]  # a new event loop

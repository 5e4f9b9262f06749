"""Bounds on what one client can cost the server: request bodies, JSON depth, expensive
anonymous requests, argon2 work and login attempts.

Every table here is bounded (an LRU of at most ``max_keys`` keys): a client that varies
its address or e-mail cannot grow the server's memory without limit.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections import OrderedDict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from starlette.responses import JSONResponse

DEFAULT_BODY_LIMIT = 64 * 1024  # JSON and login forms: a few hundred bytes in practice
MAX_JSON_DEPTH = 16


# ----------------------------------------------------------------------------- bodies
class BodyTooLarge(Exception):
    def __init__(self, limit: int) -> None:
        self.limit = limit
        super().__init__(f"verzoek groter dan {limit} bytes")


class BodyLimit:
    """Pure ASGI middleware: refuse a request body above its route's limit before reading.

    A declared ``Content-Length`` above the limit is refused at once (413); a body sent
    without one is counted while it streams and refused as soon as it passes the limit
    (the app sees :class:`BodyTooLarge`). ``limits`` maps (method, path prefix) to bytes.
    """

    def __init__(
        self, app: Any, limits: dict[tuple[str, str], int], default: int = DEFAULT_BODY_LIMIT
    ) -> None:
        self.app, self.limits, self.default = app, limits, default

    def limit_for(self, method: str, path: str) -> int:
        for (m, prefix), limit in self.limits.items():
            if m == method and path.startswith(prefix):
                return limit
        return self.default

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["method"], scope["path"])
        declared = next((v for k, v in scope["headers"] if k == b"content-length"), None)
        if declared is not None:
            text = declared.decode("latin-1").strip()
            if not text.isdigit() or int(text) > limit:
                await _send_413(scope, receive, send, limit)
                return
        received = 0

        async def counting() -> Any:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit:
                raise BodyTooLarge(limit)
            return message

        await self.app(scope, counting, send)


async def _send_413(scope: Any, receive: Any, send: Any, limit: int) -> None:
    response = JSONResponse(
        {
            "fout": f"het verzoek is groter dan {size_text(limit)}",
            "oplossing": "Stuur minder gegevens mee.",
        },
        413,
        headers={"Connection": "close"},
    )
    await response(scope, receive, send)


def size_text(limit: int) -> str:
    if limit >= 1024 * 1024:
        return f"{limit / 1024 / 1024:.0f} MB"
    return f"{limit / 1024:.0f} kB"


def json_depth_ok(raw: bytes, max_depth: int = MAX_JSON_DEPTH) -> bool:
    """True when the JSON text nests at most ``max_depth`` arrays/objects (strings skipped).

    Checked before ``json.loads``: deeply nested input makes the parser recurse."""
    depth = 0
    in_string = escaped = False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > max_depth:
                return False
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return True


class BadJson(ValueError):
    pass


def parse_json(raw: bytes, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """Parse a request body; :class:`BadJson` with a Dutch message when it is not JSON."""
    if not raw.strip():
        raise BadJson("het verzoek heeft geen inhoud; verwacht JSON")
    if not json_depth_ok(raw, max_depth):
        raise BadJson(f"de JSON is dieper genest dan {max_depth} niveaus")
    try:
        return json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise BadJson("het verzoek is geen UTF-8") from None
    except (json.JSONDecodeError, RecursionError) as exc:
        message = exc.msg if isinstance(exc, json.JSONDecodeError) else "te diep genest"
        raise BadJson(f"ongeldige JSON ({message})") from None


# ----------------------------------------------------------------------------- tables
class _Bounded(OrderedDict):
    """An LRU dict of at most ``max_keys`` keys."""

    def __init__(self, max_keys: int) -> None:
        super().__init__()
        self.max_keys = max_keys

    def touch(self, key: Any, default: Any) -> Any:
        value = self.get(key)
        if value is None:
            value = default()
            self[key] = value
            while len(self) > self.max_keys:
                self.popitem(last=False)
        else:
            self.move_to_end(key)
        return value


class RateLimiter:
    """Token bucket per key (client address): ``rate`` per ``per_s`` seconds, burst ``burst``."""

    def __init__(self, rate: float, per_s: float, burst: int, max_keys: int = 10_000) -> None:
        self.refill = rate / per_s
        self.burst = burst
        self._buckets: _Bounded = _Bounded(max_keys)
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        """0 when allowed (a token is used), else the seconds to wait for the next one."""
        now = time.monotonic()
        with self._lock:
            bucket = self._buckets.touch(key, lambda: [float(self.burst), now])
            tokens = min(self.burst, bucket[0] + (now - bucket[1]) * self.refill)
            bucket[1] = now
            if tokens >= 1:
                bucket[0] = tokens - 1
                return 0.0
            bucket[0] = tokens
            return (1 - tokens) / self.refill

    def __len__(self) -> int:
        return len(self._buckets)


class GateFull(Exception):
    """Too many requests already waiting for this kind of work (HTTP 503)."""


class Gate:
    """At most ``slots`` at once, at most ``max_waiting`` queued; more are refused at once."""

    def __init__(self, slots: int, max_waiting: int) -> None:
        self.slots, self.max_waiting = slots, max_waiting
        self._semaphore: asyncio.Semaphore | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.waiting = 0
        self.active = 0
        self.peak = 0

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        loop = asyncio.get_running_loop()
        if self._semaphore is None or self._loop is not loop:  # one per event loop
            self._semaphore, self._loop = asyncio.Semaphore(self.slots), loop
        if self.waiting >= self.max_waiting:
            raise GateFull()
        self.waiting += 1
        try:
            await self._semaphore.acquire()
        finally:
            self.waiting -= 1
        self.active += 1
        self.peak = max(self.peak, self.active)
        try:
            yield
        finally:
            self.active -= 1
            self._semaphore.release()


# ----------------------------------------------------------------------------- logins
@dataclass
class _Failures:
    count: int = 0
    last: float = 0.0


class LoginThrottle:
    """Progressive delay after failed logins — per client address, per (address, account)
    and per account — never a lockout.

    Per address and per (address, account) the first ``free`` failures cost nothing; then
    each attempt must wait ``2 ** (failures - free)`` seconds (at most ``max_delay_s``)
    after the last failure. Per account (an attack from many addresses) the same starts
    after ``account_free`` failures and stops growing at ``account_max_delay_s``. A client
    holding the device cookie of an earlier successful login for the account is never
    delayed, and the rightful user on another address is not slowed by one attacker's
    failures. Failures are forgotten after ``window_s``; the table is bounded.
    """

    def __init__(
        self,
        *,
        free: int = 5,
        max_delay_s: float = 300.0,
        account_free: int = 20,
        account_max_delay_s: float = 30.0,
        window_s: float = 3600.0,
        max_keys: int = 10_000,
    ) -> None:
        self.window_s = window_s
        self._rules = {
            "adres": (free, max_delay_s),
            "paar": (free, max_delay_s),
            "account": (account_free, account_max_delay_s),
        }
        self._table: _Bounded = _Bounded(max_keys)
        self._lock = threading.Lock()

    @staticmethod
    def _keys(address: str, account: str) -> tuple[tuple, ...]:
        return (("adres", address), ("paar", address, account), ("account", account))

    def _delay(self, key: tuple, now: float) -> float:
        entry = self._table.get(key)
        if entry is None:
            return 0.0
        if now - entry.last > self.window_s:
            del self._table[key]
            return 0.0
        free, cap = self._rules[key[0]]
        if entry.count < free:
            return 0.0
        wait = min(cap, 2.0 ** (entry.count - free))
        return max(0.0, entry.last + wait - now)

    def wait_s(self, address: str, account: str, trusted_device: bool = False) -> float:
        """Seconds before this client may try this account again (0: now)."""
        if trusted_device:
            return 0.0
        now = time.monotonic()
        with self._lock:
            return max(self._delay(k, now) for k in self._keys(address, account))

    def failed(self, address: str, account: str) -> None:
        now = time.monotonic()
        with self._lock:
            for key in self._keys(address, account):
                entry = self._table.touch(key, _Failures)
                entry.count += 1
                entry.last = now

    def succeeded(self, address: str, account: str) -> None:
        with self._lock:
            self._table.pop(("paar", address, account), None)
            for key in (("adres", address), ("account", account)):
                entry = self._table.get(key)
                if entry is not None:
                    entry.count = max(0, entry.count - 1)

    def __len__(self) -> int:
        return len(self._table)

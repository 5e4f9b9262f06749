"""Cooperative cancellation of long computations (a view, a rendered export).

The web app computes a view in a worker thread; when every client waiting for it has
gone, it sets the computation's :class:`CancelToken`. The pipeline calls
:func:`checkpoint` at its stage boundaries and in its longer loops (one Fisher-Jenks
classification, one indicator, one map layer), which raises :class:`Cancelled` there, so
the worker is free again within one stage instead of finishing seconds of work nobody
reads. Outside a :func:`cancellable` block (the CLI, the atlas, tests) a checkpoint costs
one context-variable lookup and never raises.

A thread cannot be stopped from outside in Python; stages long enough to matter call
``checkpoint()`` themselves. The token lives in a context variable, so it is local to
the thread (and the asyncio task) that runs the computation.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar


class Cancelled(Exception):
    """The computation was cancelled: nobody waits for its result any more.

    Not a :class:`~veerkracht.errors.VeerkrachtError`: no handler that reports a user's
    mistake may catch it; it travels up to the code that set the token.
    """


class CancelToken:
    """Set once by whoever gives up on a computation; read by the computation."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until cancelled (True) or ``timeout`` seconds passed (False)."""
        return self._event.wait(timeout)


_current: ContextVar[CancelToken | None] = ContextVar("veerkracht_cancel", default=None)


@contextmanager
def cancellable(token: CancelToken) -> Iterator[CancelToken]:
    """Run the block under ``token``: every :func:`checkpoint` in it raises once it is set."""
    reset = _current.set(token)
    try:
        yield token
    finally:
        _current.reset(reset)


def current() -> CancelToken | None:
    """The token of the computation running in this thread, if any."""
    return _current.get()


def checkpoint() -> None:
    """Raise :class:`Cancelled` when the running computation was cancelled."""
    token = _current.get()
    if token is not None and token.cancelled:
        raise Cancelled()

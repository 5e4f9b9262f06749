"""Start and await a `veerkracht web` server for the web benchmarks (loopback only)."""

from __future__ import annotations

import socket
import subprocess
import time

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until_up(base: str, proc: subprocess.Popen, timeout: float = 60.0) -> None:
    """Poll the API until it answers; a benchmark script, not a test, so polling is fine."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server stopped (exit {proc.returncode})")
        try:
            if httpx.get(f"{base}/api/gemeenten?q=x", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise SystemExit("server did not start in time")

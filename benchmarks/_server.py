"""Start and await a `veerkracht web` server for the web benchmarks (loopback only)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

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


def start_web(store: Path | None) -> tuple[subprocess.Popen, str, int]:
    """(process, base URL, port) of a `veerkracht web` on a free loopback port, on the DuckDB
    web database (no PostgreSQL URL from the environment); the caller waits and stops it."""
    port = free_port()
    cmd = [sys.executable, "-m", "veerkracht.cli", "web", "--host", "127.0.0.1"]
    cmd += ["--poort", str(port)]
    if store:
        cmd += ["--store", str(store)]
    env = {**os.environ, "VEERKRACHT_DATABASE_URL": ""}
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL)
    return proc, f"http://127.0.0.1:{port}", port

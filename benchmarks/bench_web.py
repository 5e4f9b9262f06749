"""Web-app benchmark: map-data latency under 50 concurrent clients on loopback.

Starts ``veerkracht web`` (uvicorn) in a subprocess on 127.0.0.1, warms the cache
(signals + one GeoJSON per layer), then lets 50 client threads (one keep-alive
connection each) fire a bounded number of requests at the map-data endpoints (GeoJSON
layers, gzip as browsers ask for it). Prints p50/p95/
p99 latency, throughput and errors. Goal: p95 <= 50 ms and no errors.

    python benchmarks/bench_web.py --store /tmp/web/veerkracht.duckdb
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

LAYERS = ["typologie", "concentratie", "ontwikkeling", "bivariaat", "laag_inkomen", "overlast"]
GOAL_P95_MS = 50.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(base: str, proc: subprocess.Popen, timeout: float = 60.0) -> None:
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


def _client(
    base: str,
    urls: list[str],
    todo: list[int],
    lock: threading.Lock,
    out: list[float],
    errors: list[str],
) -> None:
    """One client: its own keep-alive connection, requests until the shared budget is spent."""
    i = 0
    with httpx.Client(base_url=base, timeout=30) as client:
        while True:
            with lock:
                if todo[0] <= 0:
                    return
                todo[0] -= 1
            url = urls[i % len(urls)]
            i += 1
            start = time.perf_counter()
            try:
                response = client.get(url)
                if response.status_code != 200:
                    errors.append(f"{response.status_code} {url}")
            except httpx.HTTPError as exc:
                errors.append(f"{type(exc).__name__} {url}")
            out.append((time.perf_counter() - start) * 1000)


def _run(base: str, gm: str, clients: int, total: int) -> tuple[list[float], list[str], float]:
    urls = [f"/api/gemeenten/{gm}/kaart.geojson?laag={layer}" for layer in LAYERS]
    with httpx.Client(base_url=base, timeout=120) as warm:
        for url in [*urls, f"/api/gemeenten/{gm}/signalen.json"]:
            warm.get(url).raise_for_status()  # compute once; later requests hit memory
    latencies: list[float] = []
    errors: list[str] = []
    todo, lock = [total], threading.Lock()
    threads = [
        threading.Thread(target=_client, args=(base, urls, todo, lock, latencies, errors))
        for _ in range(clients)
    ]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, errors, time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=None, help="store (default: settings)")
    parser.add_argument("--gemeente", default="GM0363")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=3000)
    args = parser.parse_args()

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    cmd = [sys.executable, "-m", "veerkracht.cli", "web", "--port", str(port)]
    if args.store:
        cmd += ["--store", str(args.store)]
    env = {**os.environ, "VEERKRACHT_DATABASE_URL": ""}
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL)
    try:
        _wait(base, proc)
        latencies, errors, seconds = _run(base, args.gemeente, args.clients, args.requests)
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    q = statistics.quantiles(latencies, n=100)
    p50, p95, p99 = q[49], q[94], q[98]
    print(f"{len(latencies)} requests, {args.clients} clients, {seconds:.1f} s")
    print(
        f"latency p50 {p50:.1f} ms, p95 {p95:.1f} ms, p99 {p99:.1f} ms, max {max(latencies):.1f} ms"
    )
    print(f"throughput {len(latencies) / seconds:.0f} requests/s, errors {len(errors)}")
    for line in errors[:5]:
        print("  ", line)
    ok = p95 <= GOAL_P95_MS and not errors
    print(f"goal p95 <= {GOAL_P95_MS:.0f} ms, no errors: {'gehaald' if ok else 'NIET gehaald'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

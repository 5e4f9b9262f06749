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
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _server import free_port, wait_until_up

LAYERS = ["typologie", "concentratie", "ontwikkeling", "bivariaat", "laag_inkomen", "overlast"]
GOAL_P95_MS = 50.0


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


WRK_SCRIPT = """
local paths = {%s}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1], {["Accept-Encoding"] = "gzip"})
end
done = function(summary, latency, requests)
  io.write(string.format("WRK %%d %%d %%d %%d %%.3f %%.3f %%.3f %%.3f\\n",
    summary.requests, summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout, summary.errors.status, summary.duration,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
end
"""


def _run_wrk(base: str, gm: str, clients: int, seconds: int) -> tuple[dict, float]:
    """Load from wrk (C, event loop): the client costs little CPU, unlike Python threads."""
    import tempfile

    urls = [f"/api/gemeenten/{gm}/kaart.geojson?laag={layer}" for layer in LAYERS]
    with httpx.Client(base_url=base, timeout=120) as warm:
        for url in [*urls, f"/api/gemeenten/{gm}/signalen.json"]:
            warm.get(url).raise_for_status()
    script = WRK_SCRIPT % ", ".join(f'"{u}"' for u in urls)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(script)
    out = subprocess.run(
        ["wrk", "-t1", f"-c{clients}", f"-d{seconds}s", "-s", fh.name, base],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(x for x in out.splitlines() if x.startswith("WRK "))
    n, sock_err, status_err, micros, p50, p95, p99, pmax = line.split()[1:]
    return {
        "requests": int(n),
        "errors": int(sock_err) + int(status_err),
        "p50": float(p50),
        "p95": float(p95),
        "p99": float(p99),
        "max": float(pmax),
    }, int(micros) / 1e6


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=None, help="store (default: settings)")
    parser.add_argument("--gemeente", default="GM0363")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--seconds", type=int, default=10, help="duration with wrk")
    parser.add_argument(
        "--client",
        choices=["auto", "wrk", "python"],
        default="auto",
        help="load generator: wrk (Debian package) when present, else Python threads",
    )
    args = parser.parse_args()
    import shutil

    use_wrk = args.client == "wrk" or (args.client == "auto" and shutil.which("wrk"))

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    cmd = [sys.executable, "-m", "veerkracht.cli", "web", "--port", str(port)]
    if args.store:
        cmd += ["--store", str(args.store)]
    env = {**os.environ, "VEERKRACHT_DATABASE_URL": ""}
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL)
    try:
        wait_until_up(base, proc)
        if use_wrk:
            figures, seconds = _run_wrk(base, args.gemeente, args.clients, args.seconds)
        else:
            latencies, errors, seconds = _run(base, args.gemeente, args.clients, args.requests)
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    if use_wrk:
        print(f"wrk: {figures['requests']} requests, {args.clients} connections, {seconds:.1f} s")
        print(
            f"latency p50 {figures['p50']:.1f} ms, p95 {figures['p95']:.1f} ms, "
            f"p99 {figures['p99']:.1f} ms, max {figures['max']:.1f} ms"
        )
        print(
            f"throughput {figures['requests'] / seconds:.0f} requests/s, errors {figures['errors']}"
        )
        ok = figures["p95"] <= GOAL_P95_MS and not figures["errors"]
        print(f"goal p95 <= {GOAL_P95_MS:.0f} ms, no errors: {'gehaald' if ok else 'NIET gehaald'}")
        return 0 if ok else 1
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

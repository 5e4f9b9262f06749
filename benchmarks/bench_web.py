"""Web-app load benchmark on loopback: map layers and buurt profiles at 50 and 200 connections.

Starts ``veerkracht web`` (uvicorn) in a subprocess on 127.0.0.1, warms the cache (signals,
one GeoJSON per layer, one buurt profile), then runs ``wrk`` (Debian package) for a bounded
time per scenario and connection count, and prints p50/p95/p99, throughput, errors and the
server's CPU time per request (Linux; unlike latency it does not depend on what else the
machine runs, so runs on a shared machine stay comparable):

* ``kaartlagen``   — the GeoJSON layers (gzip, as browsers ask)
* ``buurtprofiel`` — the profile of every buurt of the gemeente in turn

Then one responsiveness check: a logged-in user calls ``/api/ik`` while an anonymous
client asks for an uncached view (``klassen=fisher_jenks``); the median wait is printed.

Goals: layers p95 <= 50 ms; profile >= 200 requests/s and p95 <= 100 ms at 50
connections; no errors at 200 connections. Only 127.0.0.1 is ever loaded.

    python benchmarks/bench_web.py --store /tmp/web/veerkracht.duckdb
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _server import start_web, wait_until_up

LAYERS = ["typologie", "concentratie", "ontwikkeling", "bivariaat", "laag_inkomen", "overlast"]
GOALS = {"kaartlagen": (50.0, 0.0), "buurtprofiel": (100.0, 200.0)}  # p95 ms, requests/s
PASSWORD = "paardenbloem-wachtzin-fiets-42"

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


def _wrk(base: str, urls: list[str], connections: int, seconds: int) -> dict:
    """One wrk run (C, event loop: the client costs little CPU, unlike Python threads)."""
    script = WRK_SCRIPT % ", ".join(f'"{u}"' for u in urls)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(script)
    try:
        command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s"]
        out = subprocess.run(
            [*command, "-s", fh.name, base],
            capture_output=True,
            text=True,
            check=True,
            timeout=seconds + 60,
        ).stdout
    finally:
        os.unlink(fh.name)
    line = next(x for x in out.splitlines() if x.startswith("WRK "))
    n, sock_err, status_err, micros, p50, p95, p99, pmax = line.split()[1:]
    return {
        "requests": int(n),
        "errors": int(sock_err) + int(status_err),
        "p50": float(p50),
        "p95": float(p95),
        "p99": float(p99),
        "max": float(pmax),
        "rps": int(n) / (int(micros) / 1e6),
    }


def _python_load(base: str, urls: list[str], connections: int, seconds: int) -> dict:
    """Fallback without wrk: Python threads (they eat CPU themselves: figures are pessimistic)."""
    latencies: list[float] = []
    errors = [0]
    stop = time.monotonic() + seconds

    def client(offset: int) -> None:
        i = offset
        with httpx.Client(base_url=base, timeout=10) as c:
            while time.monotonic() < stop:
                url = urls[i % len(urls)]
                i += 1
                start = time.perf_counter()
                try:
                    if c.get(url).status_code != 200:
                        errors[0] += 1
                except httpx.HTTPError:
                    errors[0] += 1
                latencies.append((time.perf_counter() - start) * 1000)

    threads = [threading.Thread(target=client, args=(k,)) for k in range(connections)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    q = statistics.quantiles(latencies or [0.0, 0.0], n=100)
    return {
        "requests": len(latencies),
        "errors": errors[0],
        "p50": q[49],
        "p95": q[94],
        "p99": q[98],
        "max": max(latencies or [0.0]),
        "rps": len(latencies) / (time.perf_counter() - start),
    }


def _cpu_s(pid: int) -> float | None:
    """CPU seconds (user + system) the server process used so far; None off Linux."""
    stat = Path(f"/proc/{pid}/stat")
    if not stat.exists():
        return None
    fields = stat.read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _logged_in_wait(base: str, gm: str, email: str) -> list[float]:
    """Latency of /api/ik for a logged-in user while an uncached view is computed."""
    with httpx.Client(base_url=base, timeout=120) as user:
        answer = user.post(
            "/api/inloggen",
            json={"email": email, "wachtwoord": PASSWORD},
            headers={"Origin": base},
        )
        answer.raise_for_status()
        heavy = threading.Thread(
            target=lambda: httpx.get(
                f"{base}/api/gemeenten/{gm}/signalen.json?klassen=fisher_jenks&van=2016&tot=2019",
                timeout=120,
            )
        )
        heavy.start()
        waits = []
        while heavy.is_alive() and len(waits) < 200:
            start = time.perf_counter()
            user.get("/api/ik").raise_for_status()
            waits.append((time.perf_counter() - start) * 1000)
            time.sleep(0.05)  # a benchmark, not a test: pacing the probe is fine
        heavy.join()
    return waits


def _add_user(store: Path | None, email: str) -> None:
    cmd = [sys.executable, "-m", "veerkracht.cli", "web", "gebruiker-toevoegen"]
    cmd += ["--organisatie", "Meetploeg", "--email", email, "--rol", "lezer", "--wachtwoord-stdin"]
    if store:
        cmd += ["--store", str(store)]
    subprocess.run(cmd, input=PASSWORD + "\n", text=True, check=True, capture_output=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=None, help="store (default: settings)")
    parser.add_argument("--gemeente", default="GM0363")
    parser.add_argument("--connections", default="50,200", help="comma-separated")
    parser.add_argument("--seconds", type=int, default=8, help="duration per run")
    parser.add_argument("--scenarios", default="kaartlagen,buurtprofiel,ingelogd")
    parser.add_argument("--client", choices=["auto", "wrk", "python"], default="auto")
    args = parser.parse_args()
    use_wrk = args.client == "wrk" or (args.client == "auto" and shutil.which("wrk"))
    load = _wrk if use_wrk else _python_load
    scenarios = args.scenarios.split(",")
    email = f"bench{os.getpid()}@bench.nl"
    if "ingelogd" in scenarios:
        _add_user(args.store, email)

    proc, base, _ = start_web(args.store)
    failed = False
    try:
        wait_until_up(base, proc)
        gm = args.gemeente
        layer_urls = [f"/api/gemeenten/{gm}/kaart.geojson?laag={layer}" for layer in LAYERS]
        with httpx.Client(base_url=base, timeout=300) as warm:
            rows = warm.get(f"/api/gemeenten/{gm}/signalen.json").raise_for_status().json()
            for url in layer_urls:
                warm.get(url).raise_for_status()
            codes = [r["region_code"] for r in rows["rijen"]]
            profile_urls = [f"/api/gemeenten/{gm}/buurten/{c}.json" for c in codes]
            warm.get(profile_urls[0]).raise_for_status()
        urls = {"kaartlagen": layer_urls, "buurtprofiel": profile_urls}
        print(f"client: {'wrk' if use_wrk else 'Python-threads'}; {len(codes)} buurten in {gm}")
        print(
            f"{'scenario':<14}{'verb.':>6}{'verz.':>8}{'verz/s':>8}{'p50':>9}{'p95':>9}"
            f"{'p99':>9}{'max':>9}{'fouten':>8}{'cpu/verz.':>11}"
        )
        for scenario in [s for s in scenarios if s in urls]:
            for n in [int(c) for c in args.connections.split(",")]:
                before = _cpu_s(proc.pid)
                f = load(base, urls[scenario], n, args.seconds)
                after = _cpu_s(proc.pid)
                # server CPU per request: unlike latency, independent of other load
                cpu = (
                    ""
                    if before is None or after is None
                    else (f"{(after - before) * 1000 / max(1, f['requests']):>9.2f}ms")
                )
                print(
                    f"{scenario:<14}{n:>6}{f['requests']:>8}{f['rps']:>8.0f}"
                    f"{f['p50']:>7.1f}ms{f['p95']:>7.1f}ms{f['p99']:>7.1f}ms"
                    f"{f['max']:>7.0f}ms{f['errors']:>8}{cpu}"
                )
                goal_p95, goal_rps = GOALS[scenario]
                if f["errors"] or (n == 50 and (f["p95"] > goal_p95 or f["rps"] < goal_rps)):
                    failed = True
        if "ingelogd" in scenarios:
            waits = _logged_in_wait(base, gm, email)
            print(
                f"ingelogd tijdens een onbewaarde berekening: /api/ik mediaan "
                f"{statistics.median(waits):.0f} ms, max {max(waits):.0f} ms "
                f"({len(waits)} verzoeken)"
            )
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    print(
        "doelen (kaartlagen p95 <= 50 ms; profiel >= 200/s en p95 <= 100 ms bij 50; "
        f"0 fouten): {'gehaald' if not failed else 'NIET gehaald'}"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

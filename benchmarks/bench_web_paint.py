"""Map-app paint benchmark: how fast does /kaart/{gm} show its buurten in a browser?

Starts ``veerkracht web`` (uvicorn) in a subprocess on 127.0.0.1, opens the app page
in headless Chromium (SwiftShader WebGL, as in the browser tests) and reads:

* first paint / first contentful paint — ``performance.getEntriesByType('paint')``;
* buurten drawn — the app's ``vk-buurten-getekend`` mark, set once MapLibre reports
  ``idle`` after the layer's GeoJSON went into the map (data fetched and rendered) and
  two animation frames later: the frame is then composited, on the screen (with WebGL
  on the CPU that takes another 0.2–0.5 s after ``idle``);
* the timeline of the first view: the app's own ``vk-*`` marks (bundle run, map made,
  style loaded, GeoJSON read, source set, first ``idle``) and when the script, the
  GeoJSON, the layer list and the signals were requested and received;
* bytes of the GeoJSON on the wire (gzip) and of the bundle.

Run 1 is cold (the server computes the signals); the next runs hit the server's
cache with a fresh browser context each (no HTTP cache), as a new visitor would.

``--nederland`` measures the national buurt view (``/nederland``: every buurt of the
store from the PMTiles archive, values joined by code) instead: "buurten getekend" is
then its ``vk-nederland-getekend`` mark, and the bytes are those of all tile ranges.

    python benchmarks/bench_web_paint.py --store /tmp/web/veerkracht.duckdb [--nederland]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _server import free_port, wait_until_up

ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader",
]
MEASURE = """() => {
  const paint = Object.fromEntries(
    performance.getEntriesByType('paint').map((e) => [e.name, e.startTime]));
  const drawn = performance.getEntriesByName('vk-buurten-getekend')[0]
    || performance.getEntriesByName('vk-nederland-getekend')[0];
  const nav = performance.getEntriesByType('navigation')[0];
  const res = performance.getEntriesByType('resource');
  const geo = res.find((r) => r.name.includes('kaart.geojson'))
    || res.find((r) => r.name.includes('waarden.json'));
  const tiles = res.filter((r) => r.name.includes('.pmtiles'));
  const js = res.find((r) => r.name.includes('/static/app.js') || r.name.includes('national.js'));
  // the timeline of the first view: the app's own marks and when its requests ran
  const steps = {};
  for (const m of performance.getEntriesByType('mark')) {
    if (m.name.startsWith('vk-') && !(m.name in steps)) steps[m.name] = m.startTime;
  }
  const lagen = res.find((r) => r.name.includes('/api/lagen'));
  const signalen = res.find((r) => r.name.includes('signalen.json'));
  const requests = [['script', js], ['geojson', geo], ['lagen', lagen], ['signalen', signalen]];
  for (const [key, r] of requests) {
    if (r) { steps[`${key} start`] = r.startTime; steps[`${key} binnen`] = r.responseEnd; }
  }
  return {steps, fp: paint['first-paint'], fcp: paint['first-contentful-paint'],
          drawn: drawn && drawn.startTime, dcl: nav.domContentLoadedEventEnd,
          geo_bytes: geo && geo.transferSize, geo_ms: geo && geo.duration,
          tile_bytes: tiles.reduce((a, r) => a + r.transferSize, 0), tiles: tiles.length,
          js_bytes: js && js.transferSize};
}"""


def _measure(browser, url: str, selector: str, shot: Path | None = None) -> dict:
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector(selector, state="attached", timeout=300_000)
    if shot is not None:
        page.screenshot(path=str(shot), full_page=True)
    figures = page.evaluate(MEASURE)
    context.close()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=None, help="store (default: settings)")
    parser.add_argument("--gemeente", default="GM0363")
    parser.add_argument("--laag", dest="layer", default="typologie")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--nederland", action="store_true", help="de landelijke buurtkaart")
    parser.add_argument("--schermafdruk", type=Path, default=None, help="PNG van de laatste run")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    cmd = [sys.executable, "-m", "veerkracht.cli", "web", "--port", str(port)]
    if args.store:
        cmd += ["--store", str(args.store)]
    if args.nederland:  # needs no translations: skip translating every gemeente first
        cmd += ["--schrijfbaar"]
    env = {**os.environ, "VEERKRACHT_DATABASE_URL": ""}
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL)
    url = f"{base}/kaart/{args.gemeente}?laag={args.layer}"
    selector = "#vk-kaart[data-getekend]"
    if args.nederland:
        url, selector = f"{base}/nederland", "#vk-nederland[data-getekend]"
    runs = []
    try:
        wait_until_up(base, proc)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=args.chromium, args=ARGS)
            for i in range(args.runs):
                shot = args.schermafdruk if i == args.runs - 1 else None
                runs.append(_measure(browser, url, selector, shot))
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=20)

    def row(name: str, values: list[float]) -> None:
        warm = values[1:] or values
        print(
            f"{name:<28} koud {values[0]:8.0f} ms   warm mediaan {statistics.median(warm):6.0f} ms"
            f"   (min {min(warm):.0f}, max {max(warm):.0f})"
        )

    print(f"{url}  ({args.runs} runs, headless Chromium, SwiftShader WebGL)")
    row("first paint", [r["fp"] for r in runs])
    row("first contentful paint", [r["fcp"] for r in runs])
    row("DOMContentLoaded", [r["dcl"] for r in runs])
    row(
        "waarden.json geladen (duur)" if args.nederland else "GeoJSON geladen (duur)",
        [r["geo_ms"] for r in runs],
    )
    row("buurten getekend", [r["drawn"] for r in runs])
    print("tijdlijn van de eerste weergave (warm, mediaan, ms na navigatie):")
    steps = {k for r in runs[1:] or runs for k in r["steps"]}
    timeline = {
        k: statistics.median(r["steps"][k] for r in runs[1:] or runs if k in r["steps"])
        for k in steps
    }
    for name, at in sorted(timeline.items(), key=lambda kv: kv[1]):
        print(f"  {at:7.0f}  {name}")
    last = runs[-1]
    print(
        f"bytes over de lijn: {'waarden' if args.nederland else 'GeoJSON'} "
        f"{last['geo_bytes'] / 1024:.0f} kB (gzip), "
        f"tegels {last['tile_bytes'] / 1024:.0f} kB in {last['tiles']} verzoeken, "
        f"script {last['js_bytes'] / 1024:.0f} kB"
    )


if __name__ == "__main__":
    main()

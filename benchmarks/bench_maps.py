"""Time and size of one gemeente's map set (Amsterdam, real data from shared/data).

Run: ``python benchmarks/bench_maps.py``. Goal: Amsterdam PNG + HTML within 1 s on
2 cores, HTML at most 1 MB. Prints one line per product.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # for tests.maps._amsterdam (the real-data MapSet builder)


def main() -> int:
    from tests.maps._amsterdam import amsterdam_mapset

    from veerkracht.maps.interactive import render_html
    from veerkracht.maps.static import render_map
    from veerkracht.settings import shared_data_dir

    t0 = time.perf_counter()
    mapset = amsterdam_mapset(shared_data_dir())
    print(f"MapSet Amsterdam ({len(mapset.buurten)} buurten) opgebouwd: "
          f"{time.perf_counter() - t0:.2f} s")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        # warm-up: font cache and imports are paid once per process
        render_map(mapset, mapset.layers[0], out / "warm", formats=("png",))
        total_png = 0.0
        for layer in mapset.layers:
            t = time.perf_counter()
            (png,) = render_map(mapset, layer, out, formats=("png",))
            dt = time.perf_counter() - t
            total_png += dt
            print(f"PNG {layer.key:16s} {dt:5.2f} s  {png.stat().st_size / 1e6:5.2f} MB")
        t = time.perf_counter()
        paths = render_map(mapset, mapset.layers[0], out, formats=("svg", "pdf"))
        print(f"SVG+PDF concentratie   {time.perf_counter() - t:5.2f} s  "
              + "  ".join(f"{p.suffix[1:]} {p.stat().st_size / 1e6:.2f} MB" for p in paths))
        t = time.perf_counter()
        html = render_html(mapset, out / "amsterdam.html")
        dt_html = time.perf_counter() - t
        size = html.stat().st_size
        print(f"HTML ({len(mapset.layers)} kaartlagen) {dt_html:5.2f} s  {size / 1e6:5.3f} MB")
        one = total_png / len(mapset.layers) + dt_html
        print(f"Eén PNG + HTML: {one:.2f} s (doel ≤ 1 s); HTML {size / 1e6:.3f} MB (doel ≤ 1 MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

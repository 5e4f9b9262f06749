"""Time of the atlas per gemeente and in total (real data from shared/data).

Run: ``python benchmarks/bench_atlas.py [--processen N] [--van 2017 --tot 2019]``.
Imports shared/data into a temporary store (not timed), then renders the atlas
(PNG, SVG, PDF and HTML per gemeente) and prints one line per gemeente.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path


def main() -> int:
    from veerkracht.atlas import atlas
    from veerkracht.ingest import import_folder
    from veerkracht.settings import shared_data_dir
    from veerkracht.store import Store

    parser = argparse.ArgumentParser()
    parser.add_argument("--processen", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--van", dest="start_year", type=int, default=2017)
    parser.add_argument("--tot", dest="end_year", type=int, default=2019)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        store_path = Path(tmp) / "store.duckdb"
        t = time.perf_counter()
        with Store(store_path) as st:
            import_folder(st, shared_data_dir())
        print(f"Store opgebouwd uit shared/data: {time.perf_counter() - t:.1f} s (niet meegeteld)")
        t0 = time.perf_counter()
        done, skipped = atlas(
            store_path, args.start_year, args.end_year, Path(tmp) / "uit", processes=args.processen
        )
        total = time.perf_counter() - t0
        for o in done:
            size = sum(p.stat().st_size for p in o.files) / 1e6
            print(f"{o.gemeente_code} {o.name:20s} {o.seconds:6.1f} s  "
                  f"{len(o.files):3d} bestanden  {size:6.1f} MB")
        for o in skipped:
            print(f"{o.gemeente_code} {o.name:20s} overgeslagen: {o.reason}")
        period = f"{args.start_year}–{args.end_year}"
        print(f"Totaal ({args.processen} processen, {period}): {total:.1f} s "
              f"voor {len(done)} gemeenten")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

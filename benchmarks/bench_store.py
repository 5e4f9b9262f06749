"""Store benchmark: whole-NL build time versus the bare read of the same inputs.

Not a test - a script that prints figures (``make bench``)::

    python benchmarks/bench_store.py [--buurten 14000] [--map PAD] [--geen-vertaling]

Generates ~14,000 synthetic buurten (see ``_synthetic.py``) with 10 years x 40 KWB
variables as ``kwb-YYYY.csv`` plus two buurt GeoPackages, then measures, each phase in
its own process (so peak memory is per phase):

a. bare read: ``pandas.read_csv`` of every CSV and ``pyogrio.read_dataframe`` of every
   GeoPackage, no processing;
b. build: ``ingest.import_folder`` into a fresh store;
c. translation of all gemeenten from edition 2019 to 2024 (area overlay, whole NL).

Goal: build <= 20 s and <= 3x the bare read time on 2 cores. Phases a and b alternate
``--herhalingen`` times (default 3); the figures are medians, every sample is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
GOAL_SECONDS = 20.0
GOAL_RATIO = 3.0


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def phase_read(folder: Path) -> dict:
    import pandas as pd
    import pyogrio

    t = time.perf_counter()
    rows = 0
    for path in sorted(folder.glob("*.csv")):
        rows += len(pd.read_csv(path, sep=";", dtype=str, keep_default_na=False))
    for path in sorted(folder.glob("*.gpkg")):
        rows += len(pyogrio.read_dataframe(path))
    return {"seconds": time.perf_counter() - t, "rows": rows}


def phase_build(folder: Path, store_path: Path) -> dict:
    from veerkracht.ingest import import_folder
    from veerkracht.store import Store

    t = time.perf_counter()
    with Store(store_path) as store:
        report = import_folder(store, folder)
        n_geoms = int(store.query("SELECT count(*) n FROM geometries").n.iloc[0])
    return {
        "seconds": time.perf_counter() - t,
        "values": report.n_values,
        "geometries": n_geoms,
        "skipped": [f"{s.file.name}: {s.reason}" for s in report.skipped],
    }


def phase_translate(store_path: Path, limit: int | None) -> dict:
    from veerkracht.harmonise import translated_values_from_store, write_translation
    from veerkracht.store import Store

    t = time.perf_counter()
    n_values = 0
    worst = 0.0
    with Store(store_path) as store:
        codes = store.gemeenten()["gemeente_code"].tolist()[:limit]
        for code in codes:
            result = translated_values_from_store(
                store, gemeente=code, edition=2024, source_editions=[2019]
            )
            write_translation(store, result)
            n_values += len(result.values)
            a_inw = result.errors[result.errors["variable"] == "kwb.a_inw"]
            if not a_inw.empty:
                worst = max(worst, float(a_inw["relative_error"].abs().max()))
    seconds = time.perf_counter() - t
    return {"seconds": seconds, "gemeenten": len(codes), "values": n_values,
            "max_abs_error_a_inw": worst}


def _median(runs: list[dict]) -> dict:
    """The run with the median wall time (its memory and counts come with it)."""
    return sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2]


def _samples(runs: list[dict]) -> str:
    return ", ".join(f"{r['seconds']:.2f}" for r in runs) + " s"


def _run_phase(args: list[str]) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--fase", *args], check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--buurten", type=int, default=14_000)
    parser.add_argument("--map", type=Path, default=None, help="map voor de invoer")
    parser.add_argument("--geen-vertaling", action="store_true")
    parser.add_argument("--herhalingen", type=int, default=3,
                        help="aantal keren lezen + bouwen (de mediaan telt)")
    parser.add_argument("--vertaal-gemeenten", type=int, default=None,
                        help="vertaal alleen de eerste N gemeenten")
    parser.add_argument("--fase", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.fase:  # child process: one phase, print JSON
        name, *rest = args.fase
        if name == "read":
            result = phase_read(Path(rest[0]))
        elif name == "build":
            result = phase_build(Path(rest[0]), Path(rest[1]))
        else:
            result = phase_translate(Path(rest[0]), int(rest[1]) if rest[1:] else None)
        result["peak_mb"] = _peak_mb()
        print(json.dumps(result))
        return

    sys.path.insert(0, str(HERE))
    from _synthetic import write_inputs

    tmp = tempfile.TemporaryDirectory(prefix="veerkracht-bench-")
    folder = args.map or Path(tmp.name) / "invoer"
    t = time.perf_counter()
    if not any(folder.glob("kwb-*.csv")):
        write_inputs(folder, n_buurten=args.buurten)
    size = sum(p.stat().st_size for p in folder.iterdir()) / 1e6
    print(f"invoer: {folder} ({size:.0f} MB, gemaakt in {time.perf_counter() - t:.1f} s), "
          f"{os.cpu_count()} cores")

    store_path = Path(tmp.name) / "store.duckdb"
    # Read and build alternate, each in a fresh process: this machine's speed drifts
    # by tens of percents between minutes, so one pair can mislead; the median holds.
    reads, builds = [], []
    for _ in range(args.herhalingen):
        reads.append(_run_phase(["read", str(folder)]))
        for stale in (store_path, store_path.with_name(store_path.name + ".wal")):
            stale.unlink(missing_ok=True)
        builds.append(_run_phase(["build", str(folder), str(store_path)]))
    read, build = _median(reads), _median(builds)
    pairs = zip(reads, builds, strict=True)
    ratio = statistics.median(b["seconds"] / r["seconds"] for r, b in pairs)
    print(f"a. kaal lezen : {read['seconds']:6.1f} s  piek {read['peak_mb']:6.0f} MB  "
          f"({read['rows']:,} rijen)  metingen: {_samples(reads)}")
    print(f"b. store bouwen: {build['seconds']:6.1f} s  piek {build['peak_mb']:6.0f} MB  "
          f"({build['values']:,} waarden, {build['geometries']:,} geometrieën)  "
          f"metingen: {_samples(builds)}")
    for line in build["skipped"]:
        print(f"   overgeslagen: {line}")
    ok = build["seconds"] <= GOAL_SECONDS and ratio <= GOAL_RATIO
    print(f"   bouwen / kaal lezen = {ratio:.1f}x (mediaan van {args.herhalingen} paren)  "
          f"(doel <= {GOAL_RATIO:.0f}x en <= {GOAL_SECONDS:.0f} s: "
          f"{'gehaald' if ok else 'NIET gehaald'})")
    if not args.geen_vertaling:
        extra = [str(args.vertaal_gemeenten)] if args.vertaal_gemeenten else []
        tr = _run_phase(["translate", str(store_path), *extra])
        print(f"c. vertalen 2019 -> 2024 ({tr['gemeenten']} gemeenten, overlap): "
              f"{tr['seconds']:6.1f} s  piek {tr['peak_mb']:6.0f} MB  "
              f"({tr['values']:,} waarden, max |behoudsfout a_inw| "
              f"{tr['max_abs_error_a_inw']:.2%})")
    tmp.cleanup()


if __name__ == "__main__":
    main()

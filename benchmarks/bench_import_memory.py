"""Peak memory of importing one large KWB-style CSV (issue 12: bounded resources).

Not a test - a script that prints figures::

    python benchmarks/bench_import_memory.py [--mib 100] [--map PAD] [--herhalingen 1]

Writes one CSV of ``--mib`` MiB (default 100, just under ``max_text_bytes``) in the
StatLine short-name style (``;``, decimal comma, ``.`` = geheim) with ~1.5 million buurt
rows and 8 variables, then runs ``veerkracht data importeren`` on its folder in a fresh
process and a fresh store, and prints that process's peak RSS (``ru_maxrss``), the wall
time, the number of values stored and the exit code. Goal: peak well under 1 GB.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
GOAL_MB = 1024
#: (short name, decimals) of the variables: counts, percentages and a mean
VARIABLES = [("a_inw", 0), ("a_woning", 0), ("a_hh", 0), ("p_wcorpw", 1), ("p_koopw", 1),
             ("p_huurw", 1), ("p_hh_li", 1), ("g_woz", 0)]  # fmt: skip
_BLOCK_ROWS = 100_000


def _block(rng: np.random.Generator, start: int, n: int) -> bytes:
    """``n`` buurt rows, numbered from ``start`` (unique codes BU + 8 digits)."""
    idx = np.arange(start, start + n)
    gemeente = idx // 10_000 + 1  # GM0001 ... : 10,000 buurten per gemeente
    codes = np.char.add("BU", np.char.zfill((gemeente * 10_000 + idx % 10_000).astype(str), 8))
    cols = [codes, np.char.add("Buurt ", idx.astype(str)),
            np.char.add("Gemeente ", gemeente.astype(str)), np.full(n, "Buurt")]  # fmt: skip
    for name, decimals in VARIABLES:
        share = name.startswith("p_")
        x = rng.uniform(0, 100, n) if share else np.round(rng.lognormal(6, 1, n))
        text = np.char.mod(f"%.{decimals}f", x)
        text = np.char.replace(text, ".", ",") if decimals else text
        cols.append(np.where(rng.random(n) < 0.05, ".", text))
    lines = cols[0]
    for col in cols[1:]:
        lines = np.char.add(np.char.add(lines, ";"), col)
    return ("\n".join(lines.tolist()) + "\n").encode()


def write_csv(path: Path, mib: float, seed: int = 12) -> int:
    """Write the CSV (just under ``mib`` MiB); returns its number of data rows."""
    rng = np.random.default_rng(seed)
    target = int(mib * 1024**2) - 1024
    header = ";".join(["gwb_code_10", "regio", "gm_naam", "recs"] + [v for v, _ in VARIABLES])
    rows = 0
    with path.open("wb") as fh:
        fh.write((header + "\n").encode())
        size = fh.tell()
        while True:
            data = _block(rng, rows, _BLOCK_ROWS)
            if size + len(data) > target:  # the last block: cut at a line break
                data = data[: data.rfind(b"\n", 0, target - size) + 1]
                fh.write(data)
                rows += data.count(b"\n")
                break
            fh.write(data)
            size += len(data)
            rows += _BLOCK_ROWS
    return rows


def run_import(folder: Path, store_dir: Path) -> dict:
    """``veerkracht data importeren`` in its own process; its peak RSS from wait4."""
    env = dict(os.environ, VEERKRACHT_DATA_DIR=str(store_dir), PYTHONPATH=str(ROOT / "src"))
    cmd = [sys.executable, "-m", "veerkracht.cli", "data", "importeren", str(folder)]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = proc.stdout.read() if proc.stdout else b""
    _pid, status, usage = os.wait4(proc.pid, 0)
    return {
        "seconds": time.perf_counter() - start,
        "peak_mb": usage.ru_maxrss / 1024,
        "exit": os.waitstatus_to_exitcode(status),
        "output": out.decode(errors="replace").strip().splitlines()[-3:],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mib", type=float, default=100.0)
    parser.add_argument("--map", type=Path, default=None, help="werkmap (standaard tijdelijk)")
    parser.add_argument("--herhalingen", type=int, default=1)
    args = parser.parse_args()
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    with tempfile.TemporaryDirectory() as tmp:
        work = args.map or Path(tmp)
        folder = work / "invoer"
        folder.mkdir(parents=True, exist_ok=True)
        csv = folder / "kwb-2022.csv"
        if not csv.exists():
            rows = write_csv(csv, args.mib)
            print(f"CSV: {csv.stat().st_size / 1024**2:.1f} MiB, {rows:,} rijen")
        for i in range(args.herhalingen):
            store = work / f"store-{i}"
            result = run_import(folder, store)
            verdict = "gehaald" if result["peak_mb"] < GOAL_MB else "NIET gehaald"
            print(
                f"import {i + 1}: {result['seconds']:6.1f} s  piek {result['peak_mb']:6.0f} MB "
                f"(doel < {GOAL_MB} MB: {verdict})  exit {result['exit']}"
            )
            for line in result["output"]:
                print(f"    {line}")
            subprocess.run(["rm", "-rf", str(store)], check=False)


if __name__ == "__main__":
    main()

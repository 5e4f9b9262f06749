"""The commands as users run them: wall time and peak memory of each ``veerkracht`` process.

Not a test - a script that prints figures::

    python benchmarks/bench_commands.py [--herhalingen 3] [--gemeente Amsterdam]
                                        [--nl] [--alleen kaart,naief]

Imports ``../shared/data`` once into a temporary data folder (not timed) and runs one
``veerkracht signalen`` first (it translates the gemeente to one boundary edition, once
per store; printed, not counted). Then, ``--herhalingen`` times in turn, each as its own
process (``python -m veerkracht.cli …``):

* ``signalen`` (CSV + XLSX with analyses), ``kaart`` (7 maps × PNG 300 dpi/SVG/PDF plus the
  HTML map), ``rapport`` (HTML + PDF, at most 15 pages, no appendix), ``bestuurskaart``
  (one A4 PDF), ``atlas`` (every gemeente of the store);
* ``naief``: ``benchmarks/naive_maps.py``, the same 7 maps in the same 3 formats drawn the
  obvious way with geopandas, run right after ``kaart`` so both see the same machine.

Figures are medians with every sample (a shared machine's speed swings per minute).
Peak memory: the largest proportional set size (PSS) of the whole process tree, polled
every 50 ms (250 ms after the first 20 s), and the peak RSS of the largest single
process (from ``wait4``). The load average is printed with the figures: on a shared
machine it says how far the wall times are from an idle one.

``--nl`` also builds a synthetic whole-NL store (``_synthetic.py``: ~14,000 buurten in
~340 gemeenten) and runs ``veerkracht atlas`` on it once (several minutes).

Goals on 2 cores: ``kaart`` ≤ 4 s and ≥ 4× faster than ``naief``; ``signalen`` ≤ 1.5 s;
``rapport`` ≤ 10 s; atlas of whole NL ≤ 10 minutes with peak ≤ 2 GB.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
GOALS = {"signalen": 1.5, "kaart": 4.0, "rapport": 10.0}  # bestuurskaart: measured, no goal
GOAL_RATIO = 4.0
GOAL_NL_SECONDS = 600.0
GOAL_NL_MB = 2048.0
sys.path.insert(0, str(ROOT / "src"))  # this checkout, as in the measured processes


@dataclass
class Sample:
    seconds: float
    cpu: float  # user + system of the whole process tree
    tree_mb: float  # peak PSS summed over the process tree
    single_mb: float  # peak RSS of the largest single process
    returncode: int


# ----------------------------------------------------------------------------- processes


def _children(pid: int) -> list[int]:
    kids = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as fh:
                kids += [int(k) for k in fh.read().split()]
    except OSError:
        pass
    return kids


def _tree(pid: int) -> list[int]:
    todo, seen = [pid], []
    while todo:
        p = todo.pop()
        seen.append(p)
        todo += _children(p)
    return seen


def _cpu_seconds(pid: int) -> float | None:
    """User + system time of the process itself (not its children), from /proc."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _memory_kb(pid: int) -> int:
    """PSS of one process (shared pages counted once over the tree), RSS as fallback."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def measure(cmd: list[str], env: dict[str, str], log: Path) -> Sample:
    """Run ``cmd`` to the end; wall time, CPU time and peak memory of its process tree."""
    with open(log, "ab") as out:
        t = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
        peak_kb = 0
        cpu: dict[int, float] = {}  # last seen CPU time of every process in the tree
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            tree = _tree(proc.pid)
            peak_kb = max(peak_kb, sum(_memory_kb(p) for p in tree))
            for p in tree:
                seen = _cpu_seconds(p)
                if seen is not None:
                    cpu[p] = max(seen, cpu.get(p, 0.0))
            # every 50 ms, after 20 s every 250 ms: reading /proc of the whole tree costs CPU
            # that a long atlas run would otherwise lose to its own measurement
            time.sleep(0.05 if time.perf_counter() - t < 20 else 0.25)
        seconds = time.perf_counter() - t
    proc.returncode = os.waitstatus_to_exitcode(status)
    # wait4 counts the process and the children it waited for; polling also sees the
    # workers of a forkserver (not waited for by the process itself)
    polled = sum(cpu.values())
    return Sample(
        seconds,
        max(usage.ru_utime + usage.ru_stime, polled),
        peak_kb / 1024,
        usage.ru_maxrss / 1024,
        proc.returncode,
    )


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "veerkracht.cli", *args]


def environment(data_dir: Path, src: Path = ROOT / "src") -> dict[str, str]:
    env = dict(os.environ)
    env["VEERKRACHT_DATA_DIR"] = str(data_dir)
    env.pop("VEERKRACHT_STORE", None)
    src = str(src)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (src, env.get("PYTHONPATH", "")) if p)
    env["COLUMNS"] = "160"
    return env


# ----------------------------------------------------------------------------- baseline input


def export_baseline_input(
    store_path: Path, gemeente: str, start_year: int, end_year: int, folder: Path
):
    """The buurten with each map's class colour as a column, and the map texts, for
    ``naive_maps.py`` (the same classes and colours as ``veerkracht kaart``)."""
    from veerkracht.maps.from_signals import mapset_from_signals
    from veerkracht.maps.layers import layer_style, source_line
    from veerkracht.signals import signals_for_gemeente
    from veerkracht.store import Store

    with Store(store_path, read_only=True) as st:
        result = signals_for_gemeente(st, gemeente, start_year, end_year)
        mapset = mapset_from_signals(st, result)
    gdf = mapset.buurten[["region_code", "name", "geometry"]].copy()
    layers = []
    for layer in mapset.layers:
        style = layer_style(mapset, layer)
        gdf[f"kleur_{layer.key}"] = [c or "" for c in style.colours]
        layers.append(
            {
                "key": layer.key,
                "title": layer.title,
                "subtitle": f"{mapset.gemeente_name} · buurtindeling {mapset.edition} · "
                f"periode {layer.period}",
                "legend_title": layer.legend_title,
                "legend": [list(item) for item in style.legend],
                "source": source_line(layer, mapset.edition),
            }
        )
    folder.mkdir(parents=True, exist_ok=True)
    gpkg = folder / "buurten.gpkg"
    gdf.to_file(gpkg, layer="buurten", driver="GPKG")
    meta = folder / "lagen.json"
    meta.write_text(json.dumps(layers, ensure_ascii=False), encoding="utf-8")
    return gpkg, meta, mapset.gemeente_code


# ----------------------------------------------------------------------------- report


def _mb(value: float) -> str:
    return f"{value:,.0f} MB".replace(",", ".")


def _s(value: float) -> str:
    return f"{value:.2f}".replace(".", ",") + " s"


def summarise(name: str, samples: list[Sample]) -> float:
    wall = statistics.median(s.seconds for s in samples)
    cpu = statistics.median(s.cpu for s in samples)
    tree = max(s.tree_mb for s in samples)
    single = max(s.single_mb for s in samples)
    shown = ", ".join(_s(s.seconds) for s in samples)
    failed = [s.returncode for s in samples if s.returncode]
    goal = GOALS.get(name)
    verdict = ""
    if goal is not None:
        verdict = f"  doel ≤ {_s(goal)}: {'gehaald' if wall <= goal else 'niet gehaald'}"
    print(
        f"{name:12s} {_s(wall):>8s} (metingen {shown}); cpu {_s(cpu)}; "
        f"piek {_mb(tree)} (procesboom), {_mb(single)} (grootste proces){verdict}"
        + (f"  FOUT: exitcodes {failed}" if failed else "")
    )
    return wall


# ----------------------------------------------------------------------------- whole NL


def _load() -> str:
    """The machine's load average (1 and 15 minutes): other users' share of the cores."""
    one, _, fifteen = os.getloadavg()
    return f"belasting {one:.1f} (15 min: {fifteen:.1f})".replace(".", ",")


def run_nl(tmp: Path, args, log: Path) -> None:
    sys.path.insert(0, str(HERE))
    from _synthetic import write_inputs

    inputs = tmp / "nl-invoer"
    t = time.perf_counter()
    write_inputs(inputs)
    print(f"Synthetisch NL gemaakt: {time.perf_counter() - t:.0f} s (niet meegeteld)")
    env = environment(tmp / "nl-data")
    s = measure(cli("data", "importeren", str(inputs)), env, log)
    print(f"Synthetisch NL geïmporteerd: {s.seconds:.0f} s (niet meegeteld)")
    cmd = cli("atlas", "--van", "2017", "--tot", "2019", "--uit", str(tmp / "nl-uit"))
    if args.processen:
        cmd += ["--processen", str(args.processen)]
    s = measure(cmd, env, log)
    n = len(list((tmp / "nl-uit").glob("gm*_2017_2019")))
    ok = s.seconds <= GOAL_NL_SECONDS and s.tree_mb <= GOAL_NL_MB
    print(
        f"atlas NL  {s.seconds / 60:.1f} min voor {n} gemeenten "
        f"({s.seconds / max(n, 1):.2f} s per gemeente); cpu {s.cpu / 60:.1f} min; "
        f"piek {_mb(s.tree_mb)} (procesboom), {_mb(s.single_mb)} (grootste proces); "
        f"doel ≤ 10 min en ≤ 2 GB: {'gehaald' if ok else 'niet gehaald'}; {_load()}"
        + (f"  FOUT: exitcode {s.returncode}" if s.returncode else "")
    )


def report(samples: dict[str, list[Sample]]) -> None:
    medians = {name: summarise(name, ss) for name, ss in samples.items()}
    if "kaart" in samples and "naief" in samples:
        ratios = [n.seconds / k.seconds for k, n in
                  zip(samples["kaart"], samples["naief"], strict=True)]
        ratio = medians["naief"] / medians["kaart"]
        print(
            f"kaart vs naïef geopandas-script: {ratio:.1f}× zo snel "
            f"(per ronde: {', '.join(f'{r:.1f}×' for r in ratios)}); "
            f"doel ≥ {GOAL_RATIO:.0f}×: {'gehaald' if ratio >= GOAL_RATIO else 'niet gehaald'}"
        )
    for name in samples:
        if f"{name}-oud" in medians:
            ratios = [o.seconds / n.seconds for n, o in
                      zip(samples[name], samples[f"{name}-oud"], strict=True)]
            print(f"{name}: {medians[f'{name}-oud'] / medians[name]:.1f}× zo snel als --oud "
                  f"(per ronde: {', '.join(f'{r:.1f}×' for r in ratios)})")


# ----------------------------------------------------------------------------- main


def main() -> int:
    from veerkracht.settings import shared_data_dir

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--herhalingen", type=int, default=3)
    parser.add_argument("--gemeente", default="GM0363", help="GM-code (standaard Amsterdam)")
    parser.add_argument("--van", dest="start_year", type=int, default=2017)
    parser.add_argument("--tot", dest="end_year", type=int, default=2019)
    parser.add_argument("--data", type=Path, default=None, help="map met de open data")
    parser.add_argument("--alleen", default="", help="bv. kaart,naief (standaard alles)")
    parser.add_argument("--nl", action="store_true", help="ook de atlas van heel NL (minuten)")
    parser.add_argument("--processen", type=int, default=0, help="voor de atlas; 0 = alle kernen")
    parser.add_argument("--bewaar", type=Path, default=None, help="uitvoer hier bewaren")
    parser.add_argument(
        "--oud",
        type=Path,
        default=None,
        help="src-map van een andere versie: elk commando ook zo, direct erna (voor/na)",
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="veerkracht-bench-") as tmp_name:
        tmp = args.bewaar or Path(tmp_name)
        tmp.mkdir(parents=True, exist_ok=True)
        log = tmp / "uitvoer.log"
        print(f"Uitvoer van de commando's: {log}")
        env = environment(tmp / "data")
        data = args.data or shared_data_dir()
        s = measure(cli("data", "importeren", str(data)), env, log)
        print(f"Store opgebouwd uit {data}: {s.seconds:.1f} s (niet meegeteld)")
        period = ["--van", str(args.start_year), "--tot", str(args.end_year)]
        out = tmp / "uit"
        g = args.gemeente
        s = measure(cli("signalen", g, *period, "--uit", str(out / "warm")), env, log)
        print(f"Eerste signalen (vertalen naar één indeling, eenmalig): {_s(s.seconds)} "
              "(niet meegeteld)")
        store_path = tmp / "data" / "veerkracht.duckdb"
        gpkg, meta, code = export_baseline_input(
            store_path, g, args.start_year, args.end_year, tmp / "naief"
        )
        naive = [sys.executable, str(HERE / "naive_maps.py"), str(gpkg), str(meta)]
        commands = {
            "signalen": lambda i: cli("signalen", g, *period, "--uit", str(out / f"s{i}")),
            "kaart": lambda i: cli("kaart", g, *period, "--uit", str(out / f"k{i}")),
            "naief": lambda i: [*naive, str(out / f"n{i}")],
            "rapport": lambda i: cli("rapport", g, *period, "--uit", str(out / f"r{i}")),
            "bestuurskaart": lambda i: cli(
                "bestuurskaart", g, *period, "--uit", str(out / f"b{i}")
            ),
            "atlas": lambda i: cli("atlas", *period, "--uit", str(out / f"a{i}")),
        }
        if args.alleen:
            wanted = args.alleen.split(",")
            commands = {k: v for k, v in commands.items() if k in wanted}
        # one group per command: this version, then (with --oud) the other one right after
        groups = [[(name, make, env)] for name, make in commands.items()]
        if args.oud:
            old_env = environment(tmp / "data", args.oud)
            for group in groups:
                name, make, _ = group[0]
                if name != "naief":
                    group.append((f"{name}-oud", make, old_env))
        samples: dict[str, list[Sample]] = {name: [] for g in groups for name, _, _ in g}
        for i in range(args.herhalingen):
            # the other version first in every other round (the first one waits less)
            order = [run for g in groups for run in (g[::-1] if i % 2 else g)]
            for name, make, e in order:
                samples[name].append(measure(make(i), e, log))
                print(f"  ronde {i + 1} {name:12s} {_s(samples[name][-1].seconds)}", flush=True)
        if args.herhalingen and samples:
            period = f"{args.start_year}–{args.end_year}"
            print(f"\n{code} {period}, mediaan van {args.herhalingen} (wandklok), "
                  f"{os.cpu_count()} kernen, {_load()}:")
            report(samples)
        if args.nl:
            print()
            run_nl(tmp, args, log)
    return 0


if __name__ == "__main__":
    sys.exit(main())

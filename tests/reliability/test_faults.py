"""kill -9 at any moment leaves the store all-or-nothing: per file for an import, per
gemeente and edition for a translation (``data vertalen``).

The processes are killed while they run (not at a hook in the code): after an import
has announced a file, and at moments spread over a translation's run time.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.reliability import make_bad_inputs as corpus

SRC = str(Path(__file__).resolve().parents[2] / "src")

_IMPORT_SCRIPT = """
import sys
from pathlib import Path
from veerkracht.ingest import import_folder
from veerkracht.store import Store

folder, path = map(Path, sys.argv[1:3])
with Store(path) as st:
    import_folder(st, folder, workers=1,
                  progress=lambda p: print("begin", p.name, flush=True))
print("klaar", flush=True)
"""


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}


def _big_kwb(path: Path, year: int, n_gemeenten: int = 150, per_gemeente: int = 100) -> None:
    """A KWB file of n_gemeenten x per_gemeente buurten (about 100,000 values)."""
    lines = [";".join(corpus.HEADER)]
    for g in range(1, n_gemeenten + 1):
        for b in range(per_gemeente):
            lines.append(
                f"BU{g:04d}{b:04d};Buurt {b};Gemeente {g};Buurt;{100 + b + year};{50 + b};"
                f"{b % 100},5;{(b * 7) % 100}"
            )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _check_import_atomic(path: Path) -> list[str]:
    """Each import row has exactly its values and regions; no rows without an import."""
    from veerkracht.store import Store

    with Store(path, read_only=True) as st:
        imports = st.query("SELECT import_id, file_name, n_values FROM imports")
        stored = st.query(
            "SELECT import_id, count(*) AS n FROM value_rows GROUP BY import_id"
        ).set_index("import_id")["n"]
        for row in imports.itertuples():
            assert stored.get(row.import_id, 0) == row.n_values, row.file_name
        assert set(stored.index) <= set(imports.import_id)
        orphans = st.query(
            "SELECT count(*) AS n FROM regions WHERE import_id NOT IN (SELECT import_id "
            "FROM imports)"
        ).n.iloc[0]
        assert orphans == 0
        return sorted(imports.file_name)


@pytest.fixture(scope="module")
def big_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("groot")
    for year in range(2015, 2021):
        _big_kwb(folder / f"kwb-{year}.csv", year)
    return folder


@pytest.mark.parametrize(("kill_at_file", "delay_s"), [(1, 0.0), (3, 0.03), (5, 0.1)])
def test_kill_during_import_is_all_or_nothing_per_file(
    big_folder: Path, tmp_path: Path, kill_at_file: int, delay_s: float
) -> None:
    store = tmp_path / "store.duckdb"
    proc = subprocess.Popen(
        [sys.executable, "-c", _IMPORT_SCRIPT, str(big_folder), str(store)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=_env(),
    )
    begun = 0
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("begin"):
            begun += 1
            if begun == kill_at_file:
                time.sleep(delay_s)
                proc.send_signal(signal.SIGKILL)
                break
    proc.wait(timeout=60)
    files = sorted(p.name for p in big_folder.iterdir())
    stored = _check_import_atomic(store)
    if proc.returncode == 0:  # a very fast machine finished first: everything is in
        assert stored == files
        return
    assert proc.returncode == -signal.SIGKILL
    # the files before the killed one are in, whole; the killed one is whole or absent
    assert stored in (files[: kill_at_file - 1], files[:kill_at_file])


def test_write_failure_stops_the_run_with_exit_4(big_folder: Path, tmp_path: Path) -> None:
    """A real write error (the store may not grow beyond 3 MB: RLIMIT_FSIZE, as a full
    disk): a Dutch message, exit code 4, and every file in the store whole or absent."""
    import resource
    import shutil

    store = tmp_path / "store.duckdb"
    limit = 3 * 1024**2
    folder = tmp_path / "twee"  # two files: read in the CLI's own process, no workers
    folder.mkdir()
    for name in sorted(p.name for p in big_folder.iterdir())[:2]:
        shutil.copy(big_folder / name, folder / name)

    def small_disk() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    done = subprocess.run(
        [sys.executable, "-m", "veerkracht.cli", "data", "importeren", str(folder),
         "--store", str(store)],
        capture_output=True, text=True, env=_env(), preexec_fn=small_disk, timeout=120,
    )  # fmt: skip
    err = " ".join(done.stderr.split())
    assert done.returncode == 4, done.stdout + done.stderr
    assert "Fout: de store kon niet schrijven" in err and "Oplossing" in err
    assert "Traceback" not in done.stderr
    # the summary is one line, whatever the width of the terminal (scripts grep for it)
    assert any(
        line.startswith("Onvolledig: ") and line.endswith("overgeslagen (geen data).")
        for line in done.stderr.splitlines()
    ), done.stderr
    files = sorted(p.name for p in folder.iterdir())
    stored = _check_import_atomic(store)
    assert stored == files[: len(stored)] and len(stored) < len(files)


def _grid(code_base: int, offset: float, n: int = 25, side: float = 100.0) -> dict:
    x0, y0, _ = corpus.SQUARE
    rings = {}
    for i in range(n):
        for j in range(n):
            x, y = x0 + offset + i * side, y0 + offset + j * side
            ring = [[x, y], [x + side, y], [x + side, y + side], [x, y + side], [x, y]]
            rings[f"BU0363{code_base + i * n + j:04d}"] = ring
    return rings


@pytest.fixture(scope="module")
def translatable(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with 625 buurten in 2019 and a shifted grid with other codes in 2022."""
    from veerkracht.ingest import import_folder
    from veerkracht.store import Store

    folder = tmp_path_factory.mktemp("vertalen")
    old, new = _grid(0, 0.0), _grid(5000, 50.0)
    corpus.write_geojson(folder / "buurten_2019.geojson", old)
    corpus.write_geojson(folder / "buurten_2022.geojson", new)
    rows = [";".join(corpus.HEADER), "GM0363;Amsterdam;Amsterdam;Gemeente;1;1;1;1"]
    for k, code in enumerate(old):
        rows.append(f"{code};Buurt {k};Amsterdam;Buurt;{100 + k % 50};{40 + k % 30};{k % 90};20")
    (folder / "kwb-2019.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    path = tmp_path_factory.mktemp("vertalen_store") / "store.duckdb"
    with Store(path) as st:
        report = import_folder(st, folder, workers=1)
    assert report.complete, report.skipped
    return path


def _translation_rows(path: Path) -> tuple[int, int]:
    from veerkracht.store import Store

    with Store(path, read_only=True) as st:
        [(values,)] = st.con.execute(
            "SELECT count(*) FROM translated_values WHERE edition = 2022"
        ).fetchall()
        [(errors,)] = st.con.execute(
            "SELECT count(*) FROM translation_errors WHERE edition = 2022"
        ).fetchall()
    return int(values), int(errors)


def _vertalen(store: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "veerkracht.cli", "data", "vertalen", "--gemeente", "GM0363",
         "--naar", "2022", "--store", str(store)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=_env(),
    )  # fmt: skip


def test_kill_during_translation_is_all_or_nothing(translatable: Path, tmp_path: Path) -> None:
    import shutil

    reference = tmp_path / "referentie.duckdb"
    shutil.copy(translatable, reference)
    start = time.monotonic()
    done = _vertalen(reference)
    _, err = done.communicate(timeout=120)
    took = time.monotonic() - start
    assert done.returncode == 0, err.decode()
    full = _translation_rows(reference)
    assert full[0] > 0 and full[1] > 0
    outcomes = set()
    for fraction in (0.6, 0.85, 0.97):
        store = tmp_path / f"kill_{fraction}.duckdb"
        shutil.copy(translatable, store)
        proc = _vertalen(store)
        time.sleep(took * fraction)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        found = _translation_rows(store)
        assert found in ((0, 0), full), f"half a translation after kill at {fraction:.0%}"
        outcomes.add(found)
    assert outcomes  # every moment gave nothing or everything


def test_write_failure_during_translation_is_dutch_and_all_or_nothing(
    translatable: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The disk fills up while a translation is written: exit 4, a Dutch message, and
    nothing of the translation in the store. (In process: a real RLIMIT_FSIZE below the
    size of an existing store file also fails writes inside the file, which a full disk
    does not do.)"""
    import shutil

    import duckdb

    from tests.reliability.conftest import run_cli
    from veerkracht.store import Store

    store = tmp_path / "store.duckdb"
    shutil.copy(translatable, store)
    first = run_cli("data", "vertalen", "--gemeente", "GM0363", "--naar", "2022",
                    "--store", str(store))  # fmt: skip
    assert first.code == 0, first.out
    earlier = _translation_rows(store)  # a failed new run must leave this one whole

    class FullDisk:
        def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
            self.con = con

        def execute(self, sql: str, *args: object):
            if sql.lstrip().startswith("INSERT INTO translated_values"):
                raise duckdb.IOException(
                    'IO Error: Could not write file "store.duckdb.wal": No space left on device'
                )
            return self.con.execute(sql, *args)

        def __getattr__(self, name: str):
            return getattr(self.con, name)

    real = Store.replace_translation

    def replace(self: Store, *args, **kwargs):
        self.con, con = FullDisk(self.con), self.con  # type: ignore[assignment]
        try:
            return real(self, *args, **kwargs)
        finally:
            self.con = con

    monkeypatch.setattr(Store, "replace_translation", replace)
    result = run_cli("data", "vertalen", "--gemeente", "GM0363", "--naar", "2022",
                     "--store", str(store))  # fmt: skip
    assert result.code == 4, result.out
    assert "Fout: de store kon niet schrijven: de schijf is vol" in result.out
    assert "Oplossing" in result.out and "Onverwachte fout" not in result.out
    monkeypatch.undo()
    assert _translation_rows(store) == earlier != (0, 0)

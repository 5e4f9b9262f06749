"""The README's Python example for own data runs as written (against a copy of the test store)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def _own_data_example() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index("**Eigen data** (bijv. de complexen")
    match = re.search(r"```python\n(.*?)```", text[start:], re.S)
    assert match, "README: no Python block after the own-data paragraph"
    return match.group(1)


def test_readme_own_data_example_runs(amsterdam_store, tmp_path: Path) -> None:
    code = _own_data_example()
    assert "store = " in code  # the example defines what it uses
    # its store: a copy, opened read-only by another process (no writer may hold it)
    amsterdam_store.con.execute("CHECKPOINT")
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    shutil.copy(amsterdam_store.path, data_dir / "veerkracht.duckdb")
    (tmp_path / "complexen.csv").write_text(
        "complex;buurtcode;woningen\nC1;BU03630000;120\nC2;BU03630001;45\nC3;BU05990101;3\n",
        encoding="utf-8",
    )
    (tmp_path / "voorbeeld.py").write_text(
        code + "\nprint('BUURTEN', len(per_buurt), 'PUNTEN', len(punten))\n", encoding="utf-8"
    )
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin"),
        "PYTHONPATH": os.pathsep.join(sys.path),
        "VEERKRACHT_DATA_DIR": str(data_dir),
        "VEERKRACHT_OFFLINE": "1",
    }
    run = subprocess.run(
        [sys.executable, "voorbeeld.py"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    assert "rij 4: buurtcode BU05990101 hoort bij een andere gemeente (GM0599)" in run.stdout
    assert "BUURTEN 2 PUNTEN 2" in run.stdout

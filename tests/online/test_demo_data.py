"""``make demo`` without ../shared/data: ``scripts/demo-data.sh`` fetches the demo gemeente."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from veerkracht.store import Store

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "demo-data.sh"


def _script(tmp_path: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "VEERKRACHT": f"{sys.executable} -m veerkracht.cli",
           "VEERKRACHT_STORE": str(tmp_path / "store.duckdb")}
    return subprocess.run(["bash", str(SCRIPT), str(tmp_path / "geen-data"), "Amsterdam"],
                          env=env, capture_output=True, text=True, timeout=300)


def test_without_shared_data_the_demo_gemeente_is_fetched(services, tmp_path) -> None:
    done = _script(tmp_path)
    assert done.returncode == 0, done.stderr
    assert "wordt opgehaald bij CBS" in done.stdout
    with Store(tmp_path / "store.duckdb", read_only=True) as st:
        periods = st.variable_periods(["kwb.a_inw"], "GM0363")["period"].tolist()
    assert periods == [2017, 2019]
    assert services.hits["/odata/83765NED/TypedDataSet"] == 2


def test_without_data_and_network_it_says_what_to_do(tmp_path, closed_port, monkeypatch) -> None:
    monkeypatch.setenv("VEERKRACHT_CBS_ODATA_V3", f"http://127.0.0.1:{closed_port}/odata")
    monkeypatch.setenv("VEERKRACHT_HTTP_BACKOFF", "0")
    done = _script(tmp_path)
    assert done.returncode == 1
    err = " ".join(done.stderr.split())
    assert "geen netwerkverbinding" in err
    assert "make demo SHARED=/pad/naar/data" in err and "Traceback" not in err

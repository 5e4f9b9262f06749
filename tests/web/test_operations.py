"""Operations while `veerkracht web` runs: read-only commands and account management work
without stopping the server (DuckDB allows one writing process per file)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.web.conftest import _free_port

PASSWORD = "paardenbloem-zin-voor-de-fiets"


def _cli(*args: str, stdin: str | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    env = {**os.environ, "VEERKRACHT_DATABASE_URL": ""}
    return subprocess.run(
        [sys.executable, "-m", "veerkracht.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )


@pytest.fixture
def running_server(amsterdam_store, tmp_path: Path):
    amsterdam_store.con.execute("CHECKPOINT")
    store = tmp_path / "veerkracht.duckdb"
    shutil.copy(amsterdam_store.path, store)
    port = _free_port()
    env = {**os.environ, "VEERKRACHT_DATABASE_URL": ""}
    proc = subprocess.Popen(
        [sys.executable, "-m", "veerkracht.cli", "web", "--port", str(port), "--store", str(store)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        assert proc.stdout is not None
        for line in proc.stdout:  # the server says when it listens: wait for that line
            if "web-app op" in line:
                break
        else:
            pytest.fail(f"server stopped (exit {proc.wait()})")
        with httpx.Client(
            base_url=base, timeout=60, transport=httpx.HTTPTransport(retries=20)
        ) as c:
            assert c.get("/api/gemeenten?q=amst").status_code == 200
        yield store, base
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_read_only_commands_and_accounts_while_the_server_runs(running_server) -> None:
    store, base = running_server
    status = _cli("data", "status", "--store", str(store))
    assert status.returncode == 0, status.stdout + status.stderr
    assert "GM0363" in status.stdout

    added = _cli(
        "web",
        "gebruiker-toevoegen",
        "--organisatie",
        "Woonstichting Zuid",
        "--email",
        "beheer@zuid.nl",
        "--rol",
        "beheerder",
        "--wachtwoord-stdin",
        "--store",
        str(store),
        stdin=PASSWORD + "\n",
    )
    assert added.returncode == 0, added.stdout + added.stderr
    assert "via de draaiende web-app" in added.stdout
    inbox = store.with_name("veerkracht.web-inbox")
    assert oct(inbox.stat().st_mode & 0o777) == "0o700"
    assert not list(inbox.glob("*.json"))  # request and answer are cleaned up

    weak = _cli(
        "web",
        "gebruiker-toevoegen",
        "--organisatie",
        "Woonstichting Zuid",
        "--email",
        "zwak@zuid.nl",
        "--wachtwoord-stdin",
        "--store",
        str(store),
        stdin="1234567890\n",
    )
    assert weak.returncode != 0 and "te makkelijk te raden" in weak.stdout + weak.stderr

    with httpx.Client(base_url=base, timeout=60) as client:
        login = client.post(
            "/api/inloggen",
            json={"email": "beheer@zuid.nl", "wachtwoord": PASSWORD},
            headers={"Origin": base},
        )
        assert login.status_code == 200, login.text
        assert client.get("/api/ik").json()["gebruiker"]["organisatie"] == "Woonstichting Zuid"
        # the store is read-only for the server: a view whose translation is missing is a
        # Dutch 503 naming the command that makes it, not silently untranslated figures
        missing = client.get("/api/gemeenten/GM0363/signalen.json?van=2019&tot=2023")
        assert missing.status_code == 503 and "data vertalen" in missing.json()["oplossing"]

"""Web-app fixtures: the app on the real Amsterdam store, with web tables in DuckDB or in
a throwaway PostgreSQL cluster that the fixture starts itself.

Under CI=true the PostgreSQL variant must run (it fails when the cluster cannot start);
locally it is skipped when no PostgreSQL binaries are installed.
"""

from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest

BACKENDS = ["duckdb", "postgres"]
OWNER, PARTNER, OTHER = "Woonstichting Noord", "Welzijn West", "Buurtwerk Oost"
PASSWORD = "correct-paard-batterij"
BU_A, BU_B = "BU03630000", "BU03630001"
ORIGIN = "http://testserver"


def _in_ci() -> bool:
    from tests.conftest import in_ci

    return in_ci()


def _pg_bindir() -> Path | None:
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    if found:
        return Path(found[-1]).parent
    which = shutil.which("initdb")
    return Path(which).resolve().parent if which else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class PgCluster:
    dir: Path
    port: int
    bindir: Path
    prefix: list[str] = field(default_factory=list)

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://postgres@/{dbname}?host={self.dir}&port={self.port}"

    def new_database(self) -> str:
        import psycopg

        name = f"web_{secrets.token_hex(4)}"
        with psycopg.connect(self.url(), autocommit=True) as con:
            con.execute(f"CREATE DATABASE {name}")
        return self.url(name)


def _start_cluster() -> PgCluster:
    bindir = _pg_bindir()
    if bindir is None:
        raise RuntimeError("PostgreSQL binaries (initdb, pg_ctl) not found")
    tmp = Path(tempfile.mkdtemp(prefix="veerkracht-pg-"))
    prefix: list[str] = []
    if os.geteuid() == 0:  # postgres refuses to run as root: use the postgres (or nobody) user
        name = "postgres"
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            name, entry = "nobody", pwd.getpwnam("nobody")
        os.chown(tmp, entry.pw_uid, entry.pw_gid)
        prefix = ["runuser", "-u", name, "--"]
    data, port = tmp / "data", _free_port()
    run = {"check": True, "capture_output": True, "text": True, "timeout": 120}
    subprocess.run(
        [
            *prefix,
            str(bindir / "initdb"),
            "-D",
            str(data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-instructions",
        ],
        **run,
    )
    subprocess.run(
        [
            *prefix,
            str(bindir / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(tmp / "log"),
            "-w",
            "-o",
            f"-k {tmp} -p {port} -c listen_addresses='' -c fsync=off",
            "start",
        ],
        **run,
    )
    return PgCluster(tmp, port, bindir, prefix)


@pytest.fixture(scope="session")
def pg_cluster():
    try:
        cluster = _start_cluster()
    except (RuntimeError, subprocess.SubprocessError, OSError) as exc:
        detail = getattr(exc, "stderr", "") or ""
        message = f"cannot start a throwaway PostgreSQL cluster: {exc} {detail}"
        if _in_ci():
            pytest.fail(message)
        pytest.skip(message)
    yield cluster
    subprocess.run(
        [
            *cluster.prefix,
            str(cluster.bindir / "pg_ctl"),
            "-D",
            str(cluster.dir / "data"),
            "-m",
            "immediate",
            "stop",
        ],
        capture_output=True,
        check=False,
    )
    shutil.rmtree(cluster.dir, ignore_errors=True)


@pytest.fixture(scope="session")
def web_service(amsterdam_store):
    from veerkracht.signals import ensure_translation
    from veerkracht.web.data import DataService

    ensure_translation(amsterdam_store, "GM0363", 2019)
    return DataService(amsterdam_store)


@pytest.fixture(scope="module", params=BACKENDS)
def web_db(request, tmp_path_factory):
    from veerkracht.store.accounts.database import open_database

    if request.param == "duckdb":
        import duckdb

        con = duckdb.connect(str(tmp_path_factory.mktemp("webdb") / "web.duckdb"))
        yield open_database(None, duck_con=con)
        con.close()
    else:
        cluster = request.getfixturevalue("pg_cluster")
        db = open_database(cluster.new_database())
        yield db
        db.close()


@dataclass
class World:
    """An app with three organisations, their users, one shared overlay and one shared view."""

    app: object
    client: object
    repo: object
    users: dict
    upload_id: str
    view_token: str
    backend: str

    def session(self, who: str) -> dict[str, str]:
        """Cookies of a fresh session for ``who`` (no cookies for 'anoniem')."""
        if who == "anoniem":
            return {}
        token, _ = self.repo.create_session(self.users[who].user_id)
        return {"veerkracht_sessie": token}

    def new_upload(self, shared: bool = True) -> str:
        owner = self.users["eigenaar"]
        meta = {
            "organisation_id": owner.organisation_id,
            "gemeente_code": "GM0363",
            "edition": 2019,
            "title": "Testlaag",
            "file_name": "test.csv",
            "key_type": "buurt",
            "n_rows": 1,
            "columns": {"getallen": ["woningen"], "labels": []},
            "notes": [],
            "created_by": owner.user_id,
        }
        upload_id = self.repo.save_upload(meta, [(BU_A, "woningen", 10.0, None)])
        if shared:
            self.repo.share_upload(upload_id, [self.users["partner"].organisation_id])
        return upload_id


@pytest.fixture(scope="module")
def world(web_service, web_db, request) -> World:
    from fastapi.testclient import TestClient

    from veerkracht.web.app import create_app
    from veerkracht.web.limits import LoginThrottle, RateLimiter
    from veerkracht.web.state import ViewState

    app = create_app(web_service.store, database=web_db, service=web_service)
    # the matrix and API tests start many computations and renders from one address:
    # the anonymous rate limit has its own test (test_limits.py)
    app.state.web.expensive = RateLimiter(10_000, 60, 10_000)
    # ... and log in wrongly on purpose many times from one address (throttle: test_limits.py)
    app.state.web.throttle = LoginThrottle(free=10_000, account_free=10_000)
    repo = app.state.web.repo
    users = {
        "eigenaar": repo.add_user(OWNER, "beheer@noord.nl", PASSWORD, "beheerder"),
        "eigenaar_analist": repo.add_user(OWNER, "analist@noord.nl", PASSWORD, "analist"),
        "eigenaar_lezer": repo.add_user(OWNER, "lezer@noord.nl", PASSWORD, "lezer"),
        "partner": repo.add_user(PARTNER, "analist@west.nl", PASSWORD, "analist"),
        "ander": repo.add_user(OTHER, "analist@oost.nl", PASSWORD, "analist"),
        "ander_beheerder": repo.add_user(OTHER, "beheer@oost.nl", PASSWORD, "beheerder"),
    }
    # a browser sends Origin with every POST; state-changing requests without it are refused
    client = TestClient(app, headers={"Origin": ORIGIN})
    w = World(app, client, repo, users, "", "", web_db.kind)
    w.upload_id = w.new_upload()
    state = ViewState.parse("GM0363", layer="concentratie", buurt=[BU_A], overlay=[w.upload_id])
    w.view_token = repo.save_view(
        users["eigenaar"].organisation_id,
        users["eigenaar"].user_id,
        state.as_dict(),
        [users["partner"].organisation_id],
    )
    return w

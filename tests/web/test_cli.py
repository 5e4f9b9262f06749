"""``veerkracht web gebruiker-toevoegen`` writes an argon2id account into the store."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from veerkracht.cli import main


def test_add_user_into_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VEERKRACHT_DATABASE_URL", raising=False)
    store = tmp_path / "store.duckdb"
    args = [
        "web",
        "gebruiker-toevoegen",
        "--organisatie",
        "Woonstichting De Key",
        "--email",
        "Beheer@DeKey.nl",
        "--rol",
        "beheerder",
        "--wachtwoord-stdin",
        "--store",
        str(store),
    ]
    monkeypatch.setattr(sys, "stdin", io.StringIO("een-goed-wachtwoord\n"))
    assert main(args) == 0
    monkeypatch.setattr(sys, "stdin", io.StringIO("kort\n"))
    assert main([*args[:5], "ander@dekey.nl", *args[6:]]) == 1  # too short: Dutch error

    import duckdb

    from veerkracht.store.accounts.database import open_database
    from veerkracht.store.accounts.repo import Repository
    from veerkracht.web.accounts import web_file

    # accounts live next to the store (the web app opens the store itself read-only)
    con = duckdb.connect(str(web_file(store)))
    try:
        repo = Repository(open_database(None, duck_con=con))
        user = repo.authenticate("beheer@dekey.nl", "een-goed-wachtwoord")
        assert user is not None and (user.role, user.organisation) == (
            "beheerder",
            "Woonstichting De Key",
        )
        stored = con.execute("SELECT password_hash FROM web_users").fetchall()
        assert len(stored) == 1 and stored[0][0].startswith("$argon2id$")
        assert repo.authenticate("beheer@dekey.nl", "fout-wachtwoord") is None
    finally:
        con.close()


def test_accounts_of_an_older_store_are_carried_over(tmp_path: Path, monkeypatch) -> None:
    """Before, the web tables lived inside the store: the first use copies them over."""
    monkeypatch.delenv("VEERKRACHT_DATABASE_URL", raising=False)
    from veerkracht.store import Store
    from veerkracht.store.accounts.database import open_database
    from veerkracht.store.accounts.repo import Repository

    store = tmp_path / "oud.duckdb"
    with Store(store) as st:
        Repository(open_database(None, duck_con=st.con)).add_user(
            "Oude Organisatie", "oud@org.nl", "een-goed-wachtwoord", "beheerder"
        )
    monkeypatch.setattr(sys, "stdin", io.StringIO("nog-een-goed-wachtwoord\n"))
    args = ["web", "gebruiker-toevoegen", "--organisatie", "Oude Organisatie"]
    args += ["--email", "nieuw@org.nl", "--wachtwoord-stdin", "--store", str(store)]
    assert main(args) == 0
    import duckdb

    from veerkracht.web.accounts import web_file

    con = duckdb.connect(str(web_file(store)))
    try:
        repo = Repository(open_database(None, duck_con=con))
        assert repo.authenticate("oud@org.nl", "een-goed-wachtwoord") is not None
        assert repo.authenticate("nieuw@org.nl", "nog-een-goed-wachtwoord") is not None
    finally:
        con.close()

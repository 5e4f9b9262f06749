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

    from veerkracht.store import Store
    from veerkracht.web.db import open_database
    from veerkracht.web.repo import Repository

    with Store(store) as st:
        repo = Repository(open_database(None, duck_con=st.con))
        user = repo.authenticate("beheer@dekey.nl", "een-goed-wachtwoord")
        assert user is not None and (user.role, user.organisation) == (
            "beheerder",
            "Woonstichting De Key",
        )
        stored = st.con.execute("SELECT password_hash FROM web_users").fetchall()
        assert len(stored) == 1 and stored[0][0].startswith("$argon2id$")
        assert repo.authenticate("beheer@dekey.nl", "fout-wachtwoord") is None

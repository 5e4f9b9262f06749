"""The accounts database (``store/accounts``): password rules, the schema upgrade and the
copy of an older store's web tables. The web app's use of it (both DuckDB and PostgreSQL)
is tested in ``tests/web``."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from veerkracht.errors import ParameterError
from veerkracht.store import Store
from veerkracht.store.accounts.database import WEB_TABLES, open_database, table_names
from veerkracht.store.accounts.repo import Repository, check_password, common_passwords

PASSWORD = "een-goed-wachtwoord"


@pytest.mark.parametrize(
    "password",
    ["1234567890", "wachtwoord123", "Welkom2024!", "qwertyuiop", "aaaaaaaaaaaa", "0987654321"],
)
def test_common_passwords_refused(password: str) -> None:
    with pytest.raises(ParameterError, match="te makkelijk te raden"):
        check_password(password)


def test_password_with_own_address_refused_and_passphrase_accepted() -> None:
    assert len(common_passwords()) > 200 and "1234567890" in common_passwords()
    with pytest.raises(ParameterError, match="e-mailadres"):
        check_password("jan.jansen-2024", "jan.jansen@noord.nl")
    assert check_password("fiets-regen-lamp-oever", "jan@noord.nl", "Noord")


def test_schema_creates_every_table(tmp_path: Path) -> None:
    con = duckdb.connect(str(tmp_path / "web.duckdb"))
    try:
        open_database(None, duck_con=con)
        made = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    finally:
        con.close()
    assert set(table_names()) == made
    assert set(WEB_TABLES) <= made


def test_copy_tables_from_an_older_store(tmp_path: Path) -> None:
    """Before, the web tables lived inside the store: they are copied once, into empty tables."""
    with Store(tmp_path / "oud.duckdb") as old:
        repo = Repository(open_database(None, duck_con=old.con))
        repo.add_user("Oude Organisatie", "oud@org.nl", PASSWORD, "beheerder")
        repo.add_user("Oude Organisatie", "lezer@org.nl", PASSWORD + "-2", "lezer")
        con = duckdb.connect(str(tmp_path / "oud.web.duckdb"))
        try:
            db = open_database(None, duck_con=con)
            assert db.copy_tables_from(old) == 3  # one organisation, two accounts
            assert db.copy_tables_from(old) == 0  # tables no longer empty: nothing twice
            new = Repository(db)
            user = new.authenticate("oud@org.nl", PASSWORD)
            assert user is not None and (user.role, user.organisation) == (
                "beheerder",
                "Oude Organisatie",
            )
            assert [u.email for u in new.users_of(user.organisation_id)] == [
                "lezer@org.nl",
                "oud@org.nl",
            ]
        finally:
            con.close()


def test_unique_email_of_an_older_schema_becomes_unique_per_organisation(
    tmp_path: Path,
) -> None:
    """Before 2026-12 an e-mail address was unique over all organisations."""
    con = duckdb.connect(str(tmp_path / "web.duckdb"))
    try:
        con.execute(
            "CREATE TABLE web_users (user_id TEXT PRIMARY KEY, organisation_id TEXT NOT NULL, "
            "email TEXT NOT NULL UNIQUE, password_hash TEXT NOT NULL, role TEXT NOT NULL, "
            "active BOOLEAN NOT NULL, created_at TIMESTAMP NOT NULL)"
        )
        repo = Repository(open_database(None, duck_con=con))
        repo.add_user("Noord", "jan@org.nl", PASSWORD, "beheerder")
        repo.add_user("Zuid", "jan@org.nl", PASSWORD + "-2", "analist")  # was refused
        with pytest.raises(ParameterError, match="al een account"):
            repo.add_user("Zuid", "jan@org.nl", PASSWORD + "-3", "lezer")
        assert con.execute("SELECT count(*) FROM web_users").fetchall()[0][0] == 2
    finally:
        con.close()

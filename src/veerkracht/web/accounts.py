"""Where the web tables live next to a read-only store, and account management while the
web app runs.

DuckDB allows one writing process per file. So the web app opens the *store* read-only
(``veerkracht data status``, ``signalen`` exports and other readers can open it too) and
keeps accounts, sessions, uploads and shared views in a file of its own next to it
(``veerkracht.web.duckdb`` beside ``veerkracht.duckdb``), or in PostgreSQL.

While the web app holds that file, ``veerkracht web gebruiker-toevoegen`` cannot open it.
It then hands the account to the running app through an *inbox*: a directory next to the
store (mode 0700) where the command writes one request file (mode 0600) holding the
argon2id hash — never the password — and the app answers in a file beside it. The app
only reads requests owned by its own user (or root) from a directory nobody else can
write to.
"""

from __future__ import annotations

import json
import os
import secrets
import stat
import threading
from pathlib import Path
from typing import Any

from veerkracht.errors import ParameterError, StoreError
from veerkracht.store.accounts.repo import (
    check_email,
    check_organisation_name,
    check_password,
    check_role,
    hash_password,
)

POLL_S = 1.0


def web_file(store_path: Path) -> Path:
    """``…/veerkracht.duckdb`` -> ``…/veerkracht.web.duckdb``."""
    return store_path.with_name(store_path.stem + ".web.duckdb")


def inbox_dir(store_path: Path) -> Path:
    return store_path.with_name(store_path.stem + ".web-inbox")


# ----------------------------------------------------------------------------- inbox
def _safe_dir(path: Path) -> Path:
    path.mkdir(mode=0o700, exist_ok=True)
    info = path.stat()
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH) or info.st_uid not in {os.getuid(), 0}:
        raise StoreError(
            f"de map {path} is door anderen te beschrijven",
            fix=f"Zet de rechten op 0700: chmod 700 {path}",
        )
    return path


def send_account_request(
    store_path: Path,
    organisation: str,
    email: str,
    password: str,
    role: str,
    *,
    timeout_s: float = 20.0,
) -> dict:
    """Hand a new account to the running web app; its answer (or a Dutch StoreError)."""
    organisation = check_organisation_name(organisation)
    email, role = check_email(email), check_role(role)
    check_password(password, email, organisation)
    inbox = _safe_dir(inbox_dir(store_path))
    ident = secrets.token_hex(8)
    request = inbox / f"{ident}.verzoek.json"
    answer = inbox / f"{ident}.antwoord.json"
    payload = {
        "organisatie": organisation,
        "email": email,
        "rol": role,
        "wachtwoord_hash": hash_password(password),
    }
    tmp = inbox / f".{ident}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(payload, fh)
    tmp.rename(request)  # appears complete or not at all
    done = threading.Event()
    deadline_checks = int(timeout_s / 0.2)
    for _ in range(deadline_checks):
        if answer.exists():
            break
        done.wait(0.2)
    else:
        request.unlink(missing_ok=True)
        raise StoreError(
            "de web-app heeft het account niet op tijd verwerkt",
            fix="Controleer of 'veerkracht web' voor deze store draait, of stop de web-app "
            "en probeer het opnieuw.",
        )
    result = json.loads(answer.read_text("utf-8"))
    answer.unlink(missing_ok=True)
    if "fout" in result:
        raise ParameterError("account", email, result["fout"], fix=result.get("oplossing"))
    return result


class Inbox:
    """The web app's side: a thread that applies account requests from the inbox."""

    def __init__(self, store_path: Path, repo: Any) -> None:
        self.path = inbox_dir(store_path)
        self.repo = repo
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        _safe_dir(self.path)
        self._thread = threading.Thread(target=self._loop, name="veerkracht-inbox", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _loop(self) -> None:
        while not self._stop.wait(POLL_S):
            self.process()

    def process(self) -> int:
        """Apply every waiting request once; returns how many were handled."""
        handled = 0
        for request in sorted(self.path.glob("*.verzoek.json")):
            info = request.stat()
            if info.st_uid not in {os.getuid(), 0} or info.st_mode & 0o077:
                continue  # not written by us (or root), or readable by others: ignore
            ident = request.name.split(".")[0]
            try:
                data = json.loads(request.read_text("utf-8"))
                user = self.repo.add_user_hashed(
                    str(data["organisatie"]),
                    str(data["email"]),
                    str(data["wachtwoord_hash"]),
                    str(data["rol"]),
                )
                result: dict = {"gebruiker": user.as_json()}
            except ParameterError as exc:
                result = {"fout": exc.message, "oplossing": exc.fix}
            except (ValueError, KeyError, TypeError):
                result = {"fout": "onleesbaar verzoek"}
            answer = self.path / f"{ident}.antwoord.json"
            fd = os.open(answer, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(result, fh, ensure_ascii=False)
            request.unlink(missing_ok=True)
            handled += 1
        return handled

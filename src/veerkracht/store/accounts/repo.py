"""Organisations, accounts, sessions, overlays and shared views: all SQL in one place.

Runs on any :class:`~veerkracht.store.accounts.database.Database` (DuckDB or PostgreSQL).
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from veerkracht.errors import ParameterError
from veerkracht.store.accounts.database import Database
from veerkracht.store.accounts.organisation import OrganisationTables

ROLES = ("beheerder", "analist", "lezer")
#: what each role may do, from most to least
ROLE_RANK = {"beheerder": 3, "analist": 2, "lezer": 1}
SESSION_HOURS = 12
MIN_PASSWORD = 10
MAX_PASSWORD = 200  # argon2 hashes any length; a bound keeps requests small
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{2,}$")
#: same rule as own_data's organisation names, so every organisation can upload
_ORGANISATION = re.compile(r"^[0-9A-Za-zÀ-ÿ][0-9A-Za-zÀ-ÿ _.-]{0,59}$")


def now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def new_id(nbytes: int = 12) -> str:
    return secrets.token_urlsafe(nbytes)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class User:
    user_id: str
    email: str
    role: str
    organisation_id: str
    organisation: str

    def may(self, role: str) -> bool:
        """At least ``role`` (beheerder > analist > lezer)."""
        return ROLE_RANK[self.role] >= ROLE_RANK[role]

    def as_json(self) -> dict[str, str]:
        return {"email": self.email, "rol": self.role, "organisatie": self.organisation}


# ----------------------------------------------------------------------------- hashing
def _hasher() -> Any:
    return PasswordHasher()  # argon2id, the library's current recommended parameters


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(stored: str, password: str) -> bool:
    try:
        return bool(_hasher().verify(stored, password))
    except (VerificationError, InvalidHashError):
        return False


_DUMMY_HASH: list[str] = []


def _dummy_hash() -> str:
    # verifying against a dummy hash for unknown e-mails keeps login timing uniform
    if not _DUMMY_HASH:
        _DUMMY_HASH.append(hash_password(secrets.token_urlsafe(16)))
    return _DUMMY_HASH[0]


# ----------------------------------------------------------------------------- checks
def check_organisation_name(name: str) -> str:
    text = str(name).strip()
    if not _ORGANISATION.match(text) or ".." in text:
        raise ParameterError(
            "organisatie",
            name,
            "ongeldige naam: alleen letters, cijfers, spatie, punt, '-' en '_' (max. 60 tekens)",
            fix="Geef een korte naam, bijv. 'Woonstichting De Key'.",
        )
    return text


def check_email(email: str) -> str:
    text = str(email).strip().lower()
    if not _EMAIL.match(text):
        raise ParameterError("e-mail", email, "geen geldig e-mailadres", fix="Bijv. naam@org.nl.")
    return text


def check_role(role: str) -> str:
    if role not in ROLES:
        raise ParameterError("rol", role, "onbekende rol", fix=f"Kies uit {', '.join(ROLES)}.")
    return role


_COMMON: set[str] = set()
_SEQUENCES = ("0123456789", "abcdefghijklmnopqrstuvwxyz", "qwertyuiop", "asdfghjkl", "zxcvbnm")


def common_passwords() -> set[str]:
    """The shipped list of common and often-breached passwords (lower case)."""
    if not _COMMON:
        text = Path(__file__).with_name("common_passwords.txt").read_text("utf-8")
        _COMMON.update(
            ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")
        )
    return _COMMON


def _weak_reason(password: str, email: str | None, organisation: str | None) -> str | None:
    low = password.lower()
    core = re.sub(r"[^0-9a-zà-ÿ]", "", low)
    stem = re.sub(r"[\d\W_]+$", "", low)  # 'welkom2024!' -> 'welkom'
    common = common_passwords()
    if low in common or core in common or stem in common:
        return "staat op de lijst van veelgebruikte wachtwoorden"
    if len(set(low)) <= 3:
        return "bestaat uit te weinig verschillende tekens"
    if core.isdigit():
        return "bestaat alleen uit cijfers"
    for seq in _SEQUENCES:
        if core and (core in seq or core in seq[::-1] or core in seq * 3):
            return "is een reeks opeenvolgende tekens"
    local = (email or "").split("@")[0].lower()
    if len(local) >= 4 and local in low:
        return "bevat het e-mailadres"
    org = re.sub(r"[^0-9a-zà-ÿ]", "", (organisation or "").lower())
    if len(org) >= 4 and org in core:
        return "bevat de naam van de organisatie"
    return None


def check_password(password: str, email: str | None = None, organisation: str | None = None) -> str:
    """At least MIN_PASSWORD characters, not common or guessable (shipped list, patterns)."""
    fix = "Kies een langere wachtzin van een paar losse woorden, bijv. 'fiets-regen-lamp-oever'."
    if len(password) < MIN_PASSWORD:
        raise ParameterError(
            "wachtwoord", "***", f"te kort (minimaal {MIN_PASSWORD} tekens)", fix=fix
        )
    if len(password) > MAX_PASSWORD:
        raise ParameterError(
            "wachtwoord", "***", f"te lang (maximaal {MAX_PASSWORD} tekens)", fix=fix
        )
    reason = _weak_reason(password, email, organisation)
    if reason:
        raise ParameterError("wachtwoord", "***", f"te makkelijk te raden: {reason}", fix=fix)
    return password


class Repository(OrganisationTables):
    def __init__(self, db: Database) -> None:
        self.db = db

    # ------------------------------------------------------------------ organisations
    def organisation_id(self, name: str) -> str | None:
        row = self.db.fetchone(
            "SELECT organisation_id FROM web_organisations WHERE lower(name) = lower(?)",
            [name.strip()],
        )
        return str(row[0]) if row else None

    def ensure_organisation(self, name: str) -> tuple[str, bool]:
        """The organisation's id, creating it when new; (id, created)."""
        name = check_organisation_name(name)
        with self.db.transaction():
            found = self.organisation_id(name)
            if found:
                return found, False
            org_id = new_id()
            self.db.execute("INSERT INTO web_organisations VALUES (?, ?, ?)", [org_id, name, now()])
        return org_id, True

    def organisation_ids(self, names: list[str]) -> dict[str, str]:
        """Name -> id for every name; unknown names are a Dutch 400."""
        out, unknown = {}, []
        for name in names:
            found = self.organisation_id(name)
            if found is None:
                unknown.append(name)
            else:
                out[name] = found
        if unknown:
            raise ParameterError(
                "organisaties",
                unknown,
                "onbekende organisatie(s)",
                fix="Gebruik de exacte namen van bestaande organisaties.",
            )
        return out

    def organisation_names(self, ids: list[str]) -> list[str]:
        if not ids:
            return []
        marks = ", ".join("?" * len(ids))
        rows = self.db.fetchall(
            f"SELECT name FROM web_organisations WHERE organisation_id IN ({marks}) ORDER BY name",
            ids,
        )
        return [str(r[0]) for r in rows]

    # ------------------------------------------------------------------ users
    def add_user(self, organisation: str, email: str, password: str, role: str) -> User:
        """A new account. E-mail addresses are unique per organisation, so adding one never
        reveals whether the address has an account at another organisation."""
        email, role = check_email(email), check_role(role)
        check_password(password, email, organisation)
        return self.add_user_hashed(organisation, email, hash_password(password), role)

    def add_user_hashed(self, organisation: str, email: str, password_hash: str, role: str) -> User:
        """As :meth:`add_user` with the argon2id hash made elsewhere (the CLI's inbox)."""
        email, role = check_email(email), check_role(role)
        if not password_hash.startswith("$argon2id$") or len(password_hash) > 500:
            raise ParameterError("wachtwoord", "***", "geen argon2id-hash", fix="Maak hem opnieuw.")
        org_id, _ = self.ensure_organisation(organisation)
        if self.db.fetchone(
            "SELECT 1 FROM web_users WHERE email = ? AND organisation_id = ?", [email, org_id]
        ):
            raise ParameterError(
                "e-mail",
                email,
                "uw organisatie heeft al een account met dit adres",
                fix="Kies een ander adres.",
            )
        user_id = new_id()
        self.db.execute(
            "INSERT INTO web_users VALUES (?, ?, ?, ?, ?, ?, ?)",
            [user_id, org_id, email, password_hash, role, True, now()],
        )
        user = self.user(user_id)
        if user is None:  # removed by another request in between
            raise ParameterError("e-mail", email, "het account is meteen weer verwijderd")
        return user

    def remove_user(self, organisation_id: str, email: str) -> bool:
        """Delete an account of this organisation and its sessions; False when unknown."""
        row = self.db.fetchone(
            "SELECT user_id FROM web_users WHERE email = ? AND organisation_id = ?",
            [str(email).strip().lower(), organisation_id],
        )
        if row is None:
            return False
        with self.db.transaction():
            self.db.execute("DELETE FROM web_sessions WHERE user_id = ?", [row[0]])
            self.db.execute("DELETE FROM web_users WHERE user_id = ?", [row[0]])
        return True

    def count_role(self, organisation_id: str, role: str) -> int:
        row = self.db.fetchone(
            "SELECT count(*) FROM web_users WHERE organisation_id = ? AND role = ? AND active",
            [organisation_id, role],
        )
        return int(row[0]) if row else 0

    def change_password(self, user: User, current: str, new: str) -> bool:
        """Set a new password after checking the current one; ends every session of the user.

        False when ``current`` is wrong (nothing changes)."""
        row = self.db.fetchone(
            "SELECT password_hash FROM web_users WHERE user_id = ? AND active", [user.user_id]
        )
        if row is None or not verify_password(str(row[0]), current):
            return False
        check_password(new, user.email, user.organisation)
        if new == current:
            raise ParameterError(
                "wachtwoord",
                "***",
                "het nieuwe wachtwoord is gelijk aan het huidige",
                fix="Kies een ander wachtwoord.",
            )
        with self.db.transaction():
            self.db.execute(
                "UPDATE web_users SET password_hash = ? WHERE user_id = ?",
                [hash_password(new), user.user_id],
            )
            self.db.execute("DELETE FROM web_sessions WHERE user_id = ?", [user.user_id])
        return True

    _USER_SQL = (
        "SELECT u.user_id, u.email, u.role, u.organisation_id, o.name FROM web_users u "
        "JOIN web_organisations o ON o.organisation_id = u.organisation_id "
    )

    def user(self, user_id: str) -> User | None:
        row = self.db.fetchone(self._USER_SQL + "WHERE u.user_id = ? AND u.active", [user_id])
        return User(*map(str, row)) if row else None

    def users_of(self, organisation_id: str) -> list[User]:
        rows = self.db.fetchall(
            self._USER_SQL + "WHERE u.organisation_id = ? AND u.active ORDER BY u.email",
            [organisation_id],
        )
        return [User(*map(str, r)) for r in rows]

    def authenticate(self, email: str, password: str) -> User | None:
        """The account with this e-mail address and password (the oldest, should one
        address have accounts at several organisations with the same password)."""
        rows = self.db.fetchall(
            "SELECT user_id, password_hash FROM web_users WHERE email = ? AND active "
            "ORDER BY created_at, user_id LIMIT 5",
            [str(email).strip().lower()],
        )
        if not rows:
            verify_password(_dummy_hash(), password)
            return None
        for user_id, stored in rows:
            if verify_password(str(stored), password):
                return self.user(str(user_id))
        return None

    # ------------------------------------------------------------------ sessions
    def create_session(self, user_id: str, hours: float = SESSION_HOURS) -> tuple[str, datetime]:
        token = secrets.token_urlsafe(32)
        expires = now() + timedelta(hours=hours)
        self.db.execute(
            "INSERT INTO web_sessions VALUES (?, ?, ?, ?)",
            [token_hash(token), user_id, now(), expires],
        )
        return token, expires

    def session_user(self, token: str) -> User | None:
        row = self.db.fetchone(
            "SELECT user_id FROM web_sessions WHERE token_hash = ? AND expires_at > ?",
            [token_hash(token), now()],
        )
        return self.user(str(row[0])) if row else None

    def end_session(self, token: str) -> None:
        self.db.execute(
            "DELETE FROM web_sessions WHERE token_hash = ? OR expires_at <= ?",
            [token_hash(token), now()],
        )

    # ------------------------------------------------------------------ uploads
    def save_upload(self, meta: dict[str, Any], values: list[tuple]) -> str:
        """Write an overlay and its values in one transaction; returns its id."""
        upload_id = new_id()
        with self.db.transaction():
            self.db.execute(
                "INSERT INTO web_uploads VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    upload_id,
                    meta["organisation_id"],
                    meta["gemeente_code"],
                    int(meta["edition"]),
                    meta["title"],
                    meta["file_name"],
                    meta["key_type"],
                    int(meta["n_rows"]),
                    json.dumps(meta["columns"], ensure_ascii=False),
                    json.dumps(meta["notes"], ensure_ascii=False),
                    meta["created_by"],
                    now(),
                ],
            )
            self.db.insert_rows(
                "web_upload_values",
                ["upload_id", "region_code", "variable", "value", "label"],
                [(upload_id, *row) for row in values],
            )
        return upload_id

    _UPLOAD_COLS = (
        "upload_id, organisation_id, gemeente_code, edition, title, file_name, key_type, "
        "n_rows, columns_json, notes_json, created_at"
    )

    def _upload_dict(self, row: tuple) -> dict[str, Any]:
        keys = [c.strip() for c in self._UPLOAD_COLS.split(",")]
        d = dict(zip(keys, row, strict=True))
        d["columns"] = json.loads(d.pop("columns_json"))
        d["notes"] = json.loads(d.pop("notes_json"))
        d["created_at"] = d["created_at"].isoformat(timespec="seconds")
        return d

    def upload(self, upload_id: str) -> dict[str, Any] | None:
        row = self.db.fetchone(
            f"SELECT {self._UPLOAD_COLS} FROM web_uploads WHERE upload_id = ?", [upload_id]
        )
        return self._upload_dict(row) if row else None

    def upload_shared_with(self, upload_id: str) -> list[str]:
        rows = self.db.fetchall(
            "SELECT organisation_id FROM web_upload_shares WHERE upload_id = ?", [upload_id]
        )
        return [str(r[0]) for r in rows]

    def can_see_upload(self, organisation_id: str, upload: dict[str, Any]) -> bool:
        if upload["organisation_id"] == organisation_id:
            return True
        return organisation_id in self.upload_shared_with(upload["upload_id"])

    def visible_uploads(self, organisation_id: str, gemeente: str | None = None) -> list[dict]:
        sql = (
            f"SELECT {self._UPLOAD_COLS} FROM web_uploads WHERE (organisation_id = ? OR "
            "upload_id IN (SELECT upload_id FROM web_upload_shares WHERE organisation_id = ?))"
        )
        params: list[Any] = [organisation_id, organisation_id]
        if gemeente:
            sql += " AND gemeente_code = ?"
            params.append(gemeente)
        rows = self.db.fetchall(sql + " ORDER BY created_at, upload_id", params)
        return [self._upload_dict(r) for r in rows]

    def upload_values(self, upload_id: str) -> list[tuple]:
        return self.db.fetchall(
            "SELECT region_code, variable, value, label FROM web_upload_values "
            "WHERE upload_id = ? ORDER BY region_code, variable",
            [upload_id],
        )

    def share_upload(self, upload_id: str, organisation_ids: list[str]) -> None:
        with self.db.transaction():
            for org_id in organisation_ids:
                self.db.execute(
                    "INSERT INTO web_upload_shares VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                    [upload_id, org_id, now()],
                )

    def delete_upload(self, upload_id: str) -> None:
        with self.db.transaction():
            for table in ("web_upload_values", "web_upload_shares", "web_uploads"):
                self.db.execute(f"DELETE FROM {table} WHERE upload_id = ?", [upload_id])

    # ------------------------------------------------------------------ shared views
    def save_view(
        self, organisation_id: str, user_id: str, state: dict, organisation_ids: list[str]
    ) -> str:
        token = secrets.token_urlsafe(18)
        with self.db.transaction():
            self.db.execute(
                "INSERT INTO web_shared_views VALUES (?, ?, ?, ?, ?)",
                [token, organisation_id, user_id, json.dumps(state, ensure_ascii=False), now()],
            )
            for org_id in {*organisation_ids, organisation_id}:
                self.db.execute("INSERT INTO web_shared_view_orgs VALUES (?, ?)", [token, org_id])
        return token

    def view(self, token: str) -> tuple[dict, str, list[str]] | None:
        """(state, owning organisation id, organisation ids that may open it)."""
        row = self.db.fetchone(
            "SELECT state_json, organisation_id FROM web_shared_views WHERE token = ?", [token]
        )
        if row is None:
            return None
        orgs = self.db.fetchall(
            "SELECT organisation_id FROM web_shared_view_orgs WHERE token = ?", [token]
        )
        return json.loads(row[0]), str(row[1]), [str(r[0]) for r in orgs]

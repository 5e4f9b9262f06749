"""SQL for invitations, partner organisations, roles and the audit log (web tables).

A mixin of :class:`~veerkracht.store.accounts.repo.Repository`: every query on the web
tables stays in the repository layer, on any
:class:`~veerkracht.store.accounts.database.Database`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from veerkracht.store.accounts.database import Database


@dataclass(frozen=True)
class Invitation:
    invitation_id: str
    kind: str  # gebruiker | partner
    organisation_id: str  # the inviting organisation
    partner_name: str | None
    email: str
    role: str
    created_by: str
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None
    revoked_at: datetime | None


_INVITATION_COLS = (
    "invitation_id, kind, organisation_id, partner_name, email, role, created_by, "
    "created_at, expires_at, used_at, revoked_at"
)


class OrganisationTables:
    db: Database

    # ------------------------------------------------------------------ invitations
    def save_invitation(self, invitation: Invitation, code_hash: str) -> None:
        self.db.execute(
            "INSERT INTO web_invitations (invitation_id, code_hash, kind, organisation_id, "
            "partner_name, email, role, created_by, created_at, expires_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                invitation.invitation_id,
                code_hash,
                invitation.kind,
                invitation.organisation_id,
                invitation.partner_name,
                invitation.email,
                invitation.role,
                invitation.created_by,
                invitation.created_at,
                invitation.expires_at,
            ],
        )

    def invitation_by_code(self, code_hash: str) -> Invitation | None:
        row = self.db.fetchone(
            f"SELECT {_INVITATION_COLS} FROM web_invitations WHERE code_hash = ?", [code_hash]
        )
        return Invitation(*row) if row else None

    def invitation(self, organisation_id: str, invitation_id: str) -> Invitation | None:
        """An invitation made by this organisation (None for another's: no enumeration)."""
        row = self.db.fetchone(
            f"SELECT {_INVITATION_COLS} FROM web_invitations "
            "WHERE invitation_id = ? AND organisation_id = ?",
            [invitation_id, organisation_id],
        )
        return Invitation(*row) if row else None

    def open_invitations(self, organisation_id: str, at: datetime) -> list[Invitation]:
        rows = self.db.fetchall(
            f"SELECT {_INVITATION_COLS} FROM web_invitations WHERE organisation_id = ? "
            "AND used_at IS NULL AND revoked_at IS NULL AND expires_at > ? "
            "ORDER BY created_at, invitation_id",
            [organisation_id, at],
        )
        return [Invitation(*r) for r in rows]

    def claim_invitation(self, code_hash: str, user_id: str, at: datetime) -> bool:
        """Mark the invitation used by ``user_id``; False when it was used, revoked or
        expired meanwhile. Call inside a transaction: the conditional UPDATE makes two
        concurrent claims end with one winner."""
        self.db.execute(
            "UPDATE web_invitations SET used_at = ?, used_by = ? WHERE code_hash = ? "
            "AND used_at IS NULL AND revoked_at IS NULL AND expires_at > ?",
            [at, user_id, code_hash, at],
        )
        row = self.db.fetchone(
            "SELECT used_by FROM web_invitations WHERE code_hash = ?", [code_hash]
        )
        return row is not None and row[0] == user_id

    def revoke_invitation(self, organisation_id: str, invitation_id: str, at: datetime) -> None:
        self.db.execute(
            "UPDATE web_invitations SET revoked_at = ? WHERE invitation_id = ? "
            "AND organisation_id = ? AND used_at IS NULL",
            [at, invitation_id, organisation_id],
        )

    # ------------------------------------------------------------------ accounts
    def insert_user(
        self,
        user_id: str,
        organisation_id: str,
        email: str,
        password_hash: str,
        role: str,
        at: datetime,
    ) -> None:
        self.db.execute(
            "INSERT INTO web_users VALUES (?, ?, ?, ?, ?, ?, ?)",
            [user_id, organisation_id, email, password_hash, role, True, at],
        )

    def has_user(self, organisation_id: str, email: str) -> bool:
        return (
            self.db.fetchone(
                "SELECT 1 FROM web_users WHERE email = ? AND organisation_id = ?",
                [email, organisation_id],
            )
            is not None
        )

    def insert_organisation(self, organisation_id: str, name: str, at: datetime) -> None:
        self.db.execute(
            "INSERT INTO web_organisations VALUES (?, ?, ?)", [organisation_id, name, at]
        )

    def set_role(self, organisation_id: str, email: str, role: str) -> str | None:
        """The previous role, or None when this organisation has no such account."""
        row = self.db.fetchone(
            "SELECT role FROM web_users WHERE email = ? AND organisation_id = ? AND active",
            [email, organisation_id],
        )
        if row is None:
            return None
        self.db.execute(
            "UPDATE web_users SET role = ? WHERE email = ? AND organisation_id = ?",
            [role, email, organisation_id],
        )
        return str(row[0])

    # ------------------------------------------------------------------ partners
    def add_partners(self, a: str, b: str, at: datetime) -> None:
        for left, right in ((a, b), (b, a)):
            self.db.execute(
                "INSERT INTO web_partners VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                [left, right, at],
            )

    def partner_names(self, organisation_id: str) -> list[str]:
        rows = self.db.fetchall(
            "SELECT o.name FROM web_partners p JOIN web_organisations o "
            "ON o.organisation_id = p.partner_id WHERE p.organisation_id = ? ORDER BY o.name",
            [organisation_id],
        )
        return [str(r[0]) for r in rows]

    # ------------------------------------------------------------------ audit
    def add_audit(
        self,
        event_id: str,
        organisation_id: str,
        at: datetime,
        actor: str,
        action: str,
        subject: str,
        detail: dict[str, Any],
    ) -> None:
        self.db.execute(
            "INSERT INTO web_audit VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                event_id,
                organisation_id,
                at,
                actor,
                action,
                subject,
                json.dumps(detail, ensure_ascii=False),
            ],
        )

    def audit(self, organisation_id: str, limit: int = 500) -> list[tuple]:
        """(at, actor, action, subject, detail) of this organisation, newest first."""
        rows = self.db.fetchall(
            "SELECT created_at, actor, action, subject, detail_json FROM web_audit "
            "WHERE organisation_id = ? ORDER BY created_at DESC, event_id LIMIT ?",
            [organisation_id, limit],
        )
        return [
            (at, actor, action, subject, json.loads(d)) for at, actor, action, subject, d in rows
        ]

"""Organisations and partners without a terminal: one-time invitations, roles, removals and
an audit log of who shared what with whom.

* A beheerder invites a colleague (``gebruiker``: a new account in the own organisation,
  with a role) or a partner organisation (``partner``: a new organisation whose first
  account is its beheerder). The invitation is a random code shown once as a link; only
  its SHA-256 is stored. It expires (``geldig_dagen``, at most MAX_DAYS) and is used once:
  claiming it is a conditional UPDATE inside the transaction that creates the account.
* Every change (invitations, roles, removals, shares, password changes) is written to the
  audit log of the organisation it concerns, which only that organisation's beheerder
  can read. A share is also logged at each receiving organisation.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from veerkracht.store.accounts.organisation import Invitation
from veerkracht.store.accounts.repo import (
    ROLES,
    Repository,
    User,
    check_email,
    check_organisation_name,
    check_password,
    check_role,
    new_id,
    now,
    token_hash,
)
from veerkracht.web.common import ApiError

KINDS = ("gebruiker", "partner")
DEFAULT_DAYS, MAX_DAYS = 7, 30
MAX_CODE = 100  # longer input is no code of ours: refused before hashing


class Organisations:
    """Invitations, roles and the audit log of the web app's organisations."""

    def __init__(self, repo: Repository, clock: Callable[[], datetime] = now) -> None:
        self.repo = repo
        self.clock = clock  # tests move time forward to expire an invitation

    # ------------------------------------------------------------------ audit
    def record(
        self, organisation_id: str, actor: str, action: str, subject: str, **detail: Any
    ) -> None:
        self.repo.add_audit(new_id(), organisation_id, self.clock(), actor, action, subject, detail)

    def shared(self, user: User, what: str, partner_ids: dict[str, str]) -> None:
        """Log a share at the sharing organisation and at every receiving one."""
        names = sorted(partner_ids)
        self.record(user.organisation_id, user.email, "gedeeld", what, met=names)
        for org_id in set(partner_ids.values()) - {user.organisation_id}:
            self.record(org_id, user.organisation, "met u gedeeld", what, door=user.organisation)

    def log(self, user: User) -> list[dict]:
        """The audit log of the user's own organisation (beheerder only: checked by routes)."""
        return [
            {
                "tijd": at.isoformat(timespec="seconds"),
                "wie": actor,
                "actie": action,
                "onderwerp": subject,
                "details": detail,
            }
            for at, actor, action, subject, detail in self.repo.audit(user.organisation_id)
        ]

    # ------------------------------------------------------------------ invitations
    def invite(
        self,
        actor: User,
        kind: Any,
        email: Any,
        role: Any = "lezer",
        partner_name: Any = None,
        days: Any = DEFAULT_DAYS,
    ) -> tuple[str, Invitation]:
        """A new invitation of the actor's organisation; (the one-time code, invitation)."""
        kind = str(kind or "")
        if kind not in KINDS:
            raise ApiError(
                400, f"onbekende soort uitnodiging '{kind[:40]}'", "Kies 'gebruiker' of 'partner'."
            )
        email = check_email(str(email or ""))
        days = _days(days)
        if kind == "partner":
            role = "beheerder"  # the first account of a new organisation manages it
            partner_name = check_organisation_name(str(partner_name or ""))
            if self.repo.organisation_id(partner_name) is not None:
                raise ApiError(
                    409,
                    f"de organisatie '{partner_name}' bestaat al",
                    "U kunt er meteen mee delen; nodig alleen nieuwe organisaties uit.",
                )
        else:
            role, partner_name = check_role(str(role or "lezer")), None
            if self.repo.has_user(actor.organisation_id, email):
                raise ApiError(
                    400,
                    "uw organisatie heeft al een account met dit adres",
                    "Kies een ander adres.",
                )
        at = self.clock()
        invitation = Invitation(
            new_id(), kind, actor.organisation_id, partner_name, email, role, actor.user_id,
            at, at + timedelta(days=days), None, None,
        )  # fmt: skip
        code = secrets.token_urlsafe(24)
        self.repo.save_invitation(invitation, token_hash(code))
        detail = {"email": email, "rol": role, "geldig_tot": _iso(invitation.expires_at)}
        if partner_name:
            detail["organisatie"] = partner_name
        self.record(actor.organisation_id, actor.email, f"uitnodiging {kind}", email, **detail)
        return code, invitation

    def open_invitations(self, user: User) -> list[Invitation]:
        return self.repo.open_invitations(user.organisation_id, self.clock())

    def revoke(self, actor: User, invitation_id: str) -> Invitation:
        found = self.repo.invitation(actor.organisation_id, str(invitation_id)[:40])
        if found is None or found.used_at is not None or found.revoked_at is not None:
            raise ApiError(404, "uw organisatie heeft geen open uitnodiging met dit kenmerk")
        self.repo.revoke_invitation(actor.organisation_id, found.invitation_id, self.clock())
        self.record(actor.organisation_id, actor.email, "uitnodiging ingetrokken", found.email)
        return found

    def lookup(self, code: str) -> Invitation:
        """The open invitation with this code: 404 unknown, 410 used, revoked or expired."""
        found = self.repo.invitation_by_code(token_hash(code)) if len(code) <= MAX_CODE else None
        if found is None:
            raise ApiError(
                404, "deze uitnodiging bestaat niet", "Controleer de link of vraag een nieuwe."
            )
        fix = "Vraag de beheerder die u uitnodigde om een nieuwe uitnodiging."
        if found.used_at is not None:
            raise ApiError(
                410,
                "deze uitnodiging is al gebruikt",
                "Log in met het account dat ermee gemaakt is.",
            )
        if found.revoked_at is not None:
            raise ApiError(410, "deze uitnodiging is ingetrokken", fix)
        if found.expires_at <= self.clock():
            raise ApiError(410, f"deze uitnodiging is verlopen op {_iso(found.expires_at)}", fix)
        return found

    def check_new_password(self, invitation: Invitation, password: Any) -> str:
        """The password policy (length, common and guessable passwords)."""
        organisation = invitation.partner_name or self._name(invitation.organisation_id)
        return check_password(str(password or ""), invitation.email, organisation)

    def accept(self, code: str, password_hash: str) -> User:
        """Create the invited account (and partner organisation) and use up the code: all
        in one transaction, so a second use, even at the same moment, creates nothing."""
        invitation = self.lookup(code)
        user_id, at = new_id(), self.clock()
        with self.repo.db.transaction():
            if invitation.kind == "partner":
                name = invitation.partner_name or ""
                if self.repo.organisation_id(name) is not None:  # made since the invitation
                    raise ApiError(
                        409,
                        f"de organisatie '{name}' bestaat al",
                        "Vraag een nieuwe uitnodiging met een andere naam.",
                    )
                org_id = new_id()
                self.repo.insert_organisation(org_id, name, at)
                self.repo.add_partners(invitation.organisation_id, org_id, at)
            else:
                org_id = invitation.organisation_id
                if self.repo.has_user(org_id, invitation.email):
                    raise ApiError(
                        400, "er is al een account met dit adres", "Log in met dat account."
                    )
            if not self.repo.claim_invitation(token_hash(code), user_id, at):
                raise ApiError(410, "deze uitnodiging is al gebruikt")
            self.repo.insert_user(
                user_id, org_id, invitation.email, password_hash, invitation.role, at
            )
            self._log_accepted(invitation, org_id)
        user = self.repo.user(user_id)
        if user is None:  # removed again between commit and read: nothing to log in to
            raise ApiError(410, "het account bestaat niet meer")
        return user

    def _log_accepted(self, invitation: Invitation, org_id: str) -> None:
        detail = {"rol": invitation.role}
        if invitation.partner_name:
            detail["organisatie"] = invitation.partner_name
            self.record(
                org_id, invitation.email, "partner geworden", self._name(invitation.organisation_id)
            )
        self.record(
            invitation.organisation_id,
            invitation.email,
            "uitnodiging geaccepteerd",
            invitation.email,
            **detail,
        )

    def _name(self, organisation_id: str) -> str:
        names = self.repo.organisation_names([organisation_id])
        return names[0] if names else ""

    # ------------------------------------------------------------------ accounts
    def set_role(self, actor: User, email: str, role: Any) -> str:
        """Give an account of the actor's organisation another role; returns the old one."""
        address = str(email).strip().lower()
        role = check_role(str(role or ""))
        if address == actor.email:
            raise ApiError(
                400,
                "u kunt uw eigen rol niet wijzigen",
                "Laat een andere beheerder van uw organisatie dit doen.",
            )
        old = self.repo.set_role(actor.organisation_id, address, role)
        if old is None:  # one answer for 'elsewhere' and 'nowhere': no enumeration
            raise ApiError(404, "uw organisatie heeft geen account met dit adres")
        self.record(
            actor.organisation_id, actor.email, "rol gewijzigd", address, van=old, naar=role
        )
        return old

    def overview(self, user: User) -> dict:
        """The organisation as its beheerder sees it: accounts, open invitations, partners."""
        return {
            "organisatie": user.organisation,
            "ik": user.email,
            "gebruikers": [u.as_json() for u in self.repo.users_of(user.organisation_id)],
            "uitnodigingen": [invitation_json(i) for i in self.open_invitations(user)],
            "partners": self.repo.partner_names(user.organisation_id),
        }

    def audit_json(self, user: User) -> dict:
        return {"organisatie": user.organisation, "logboek": self.log(user)}

    def public_json(self, invitation: Invitation) -> dict:
        """What the invitee sees before accepting (no ids, no code)."""
        return {
            "uitnodiging": {
                "soort": invitation.kind,
                "email": invitation.email,
                "rol": invitation.role,
                "door": self._name(invitation.organisation_id),
                "partner": invitation.partner_name,
                "geldig_tot": _iso(invitation.expires_at),
            }
        }


def _days(value: Any) -> int:
    try:
        days = int(value)
    except (TypeError, ValueError):
        days = -1
    if not 1 <= days <= MAX_DAYS:
        raise ApiError(
            400,
            f"'geldig_dagen' moet een heel getal van 1 tot {MAX_DAYS} zijn, "
            f"niet '{str(value)[:20]}'",
            f"Bijv. {DEFAULT_DAYS}.",
        )
    return days


def _iso(at: datetime) -> str:
    return at.isoformat(timespec="minutes")


def invitation_json(invitation: Invitation) -> dict:
    return {
        "id": invitation.invitation_id,
        "soort": invitation.kind,
        "email": invitation.email,
        "rol": invitation.role,
        "organisatie": invitation.partner_name,
        "gemaakt": _iso(invitation.created_at),
        "geldig_tot": _iso(invitation.expires_at),
    }


__all__ = ["KINDS", "ROLES", "Organisations", "invitation_json"]

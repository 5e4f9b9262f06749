"""The shared state of one server (:class:`WebApp`) and what routes ask of it: who is
logged in, may they do this, the computed view, overlays they may see, shared views.

Access rules (tested route by route in tests/web/test_authorisation.py):

* Open data — gemeenten, signals, map layers, buurt profiles, comparisons, exports
  and the view pages — is public: it is CBS/RIVM/BZK open data.
* Own data (overlays) is never public: an overlay is visible to its organisation and
  to the partner organisations it was shared with. A public endpoint that is asked
  for an overlay (``?overlay=``) answers 401 to anonymous users and 403 to others.
* Shared views (``/gedeeld/{token}``) open for the creating organisation and the
  named partners; anonymous users are sent to the login page (401 on the JSON twin).
* Roles are ranked: beheerder ⊇ analist ⊇ lezer. Uploading and sharing need analist,
  managing the organisation's accounts needs beheerder.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import TYPE_CHECKING, Any

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from veerkracht.store.accounts.database import Database
from veerkracht.store.accounts.repo import Repository, User, hash_password
from veerkracht.web import presenters
from veerkracht.web.cache import Busy, CacheStats, ClientGone, run_cancellable
from veerkracht.web.common import COOKIE, DEVICE_COOKIE, ApiError, busy, client_address
from veerkracht.web.data import DataService
from veerkracht.web.limits import Gate, GateFull, LoginThrottle, RateLimiter
from veerkracht.web.organisation import Organisations
from veerkracht.web.state import FIELD_NAMES, WIRE_NAMES, ViewState, check_id
from veerkracht.web.uploads import own_export

if TYPE_CHECKING:
    from veerkracht.store import Store

ARGON2_SLOTS = 2  # argon2id needs 64 MiB per hash: at most this many at once
ARGON2_WAITING = 32
#: anonymous requests that start a computation or render: per client address
EXPENSIVE_PER_MINUTE, EXPENSIVE_BURST = 6, 4
RENDER_SLOTS, RENDER_WAITING = 1, 4  # PNG/PDF/XLSX/HTML exports rendered at once / queued
MAX_PARTNERS = 50  # organisations named in one share request


def view_key(state: ViewState) -> tuple:
    """The cache key of a computed view: everything that changes the computation."""
    return (
        state.gemeente,
        state.start_year,
        state.end_year,
        state.edition,
        state.scheme,
        state.reference,
    )


_VIEW_QUERY = {
    WIRE_NAMES[field]: text
    for field, text in {
        "layer": "kaartlaag, bijv. typologie",
        "start_year": "beginjaar, bijv. 2017",
        "end_year": "eindjaar, bijv. 2019",
        "edition": "jaar van de buurtindeling (standaard: die van 'tot')",
        "scheme": "klassenschema: kwantielen of fisher_jenks",
        "reference": "gemeente (relatief) of nederland (absoluut)",
    }.items()
}
_VIEW_LISTS = {
    "buurt": "gekozen buurtcode(s), herhaald of met komma's",
    "overlay": "eigen data (upload-id's); alleen na inloggen",
}
#: the view's query parameters in the API schema (read by :func:`view_state`, not FastAPI)
VIEW_PARAMETERS: dict = {
    "parameters": [
        {"name": "gm", "in": "path", "required": True, "description": "gemeentecode, bijv. "
         "GM0363", "schema": {"type": "string"}},
    ] + [
        {"name": name, "in": "query", "required": False, "description": text,
         "schema": {"type": "string"}}
        for name, text in _VIEW_QUERY.items()
    ] + [
        {"name": name, "in": "query", "required": False, "description": text,
         "schema": {"type": "array", "items": {"type": "string"}}}
        for name, text in _VIEW_LISTS.items()
    ]
}  # fmt: skip


async def view_state(request: Request) -> ViewState:  # async: no thread-pool hop
    """The view in the URL (path ``{gm}`` and the Dutch query parameters), checked.

    Read from the request by hand: FastAPI solving eight optional parameters per request
    cost more CPU than serving a cached buurt profile (the hottest route)."""
    query = request.query_params
    return ViewState.parse(
        request.path_params["gm"],
        **{FIELD_NAMES.get(name, name): query.get(name) for name in _VIEW_QUERY},
        buurt=query.getlist("buurt"),
        overlay=query.getlist("overlay"),
    )


def partner_names(value: Any) -> list[str]:
    """The ``organisaties`` of a share request: a list of at most MAX_PARTNERS names."""
    if not isinstance(value, list) or len(value) > MAX_PARTNERS:
        raise ApiError(
            400, f"'organisaties' moet een lijst met namen zijn (hoogstens {MAX_PARTNERS})"
        )
    return [str(n) for n in value]


class WebApp:
    """Shared state of one server: store, services, repository, login throttle."""

    def __init__(
        self,
        store: Store,
        db: Database,
        service: DataService,
        *,
        secure_cookies: bool,
        max_upload: int,
    ) -> None:
        self.store, self.db, self.service = store, db, service
        self.repo = Repository(db)
        self.organisations = Organisations(self.repo)
        self.secure_cookies = secure_cookies
        self.max_upload = max_upload
        self.throttle = LoginThrottle()
        self.argon2 = Gate(ARGON2_SLOTS, ARGON2_WAITING)
        self.renders = Gate(RENDER_SLOTS, RENDER_WAITING)
        self.render_stats = CacheStats()  # renders finished / cancelled / stopped early
        self.expensive = RateLimiter(EXPENSIVE_PER_MINUTE, 60, EXPENSIVE_BURST)
        self._device_key = secrets.token_bytes(32)

    # ------------------------------------------------------------------ auth
    def user(self, request: Request) -> User | None:
        token = request.cookies.get(COOKIE)
        if not token or len(token) > 200:
            return None
        return self.repo.session_user(token)

    def require(self, request: Request, role: str = "lezer") -> User:
        user = self.user(request)
        if user is None:
            raise ApiError(401, "u bent niet ingelogd", "Log in via /inloggen.")
        if not user.may(role):
            raise ApiError(403, f"hiervoor is de rol '{role}' nodig (u bent {user.role})")
        return user

    def device_token(self, email: str) -> str:
        return hmac.new(self._device_key, email.encode(), hashlib.sha256).hexdigest()

    def trusted_device(self, request: Request, email: str) -> bool:
        cookie = request.cookies.get(DEVICE_COOKIE, "")
        return bool(cookie) and hmac.compare_digest(cookie, self.device_token(email))

    async def argon2_work(self, fn: Any, *args: Any) -> Any:
        """Run password hashing/verification with at most ARGON2_SLOTS at once."""
        try:
            async with self.argon2.slot():
                return await run_in_threadpool(fn, *args)
        except GateFull:
            raise busy(2, "de server is druk met inloggen") from None

    async def login(self, request: Request, email: str, password: str) -> tuple[User, str]:
        """Check a password, slowing repeated failures down (never locking anyone out)."""
        key = str(email).strip().lower()[:254]
        if len(password) > 1024:
            raise ApiError(401, "onjuist e-mailadres of wachtwoord")
        address = client_address(request)
        wait = self.throttle.wait_s(address, key, self.trusted_device(request, key))
        if wait > 0:
            raise busy(wait, "te veel mislukte pogingen; wacht even")
        # counted as a failure before verifying, so that concurrent guesses see each
        # other; a success takes it back
        self.throttle.failed(address, key)
        user = await self.argon2_work(self.repo.authenticate, key, password)
        if user is None:
            raise ApiError(401, "onjuist e-mailadres of wachtwoord")
        self.throttle.succeeded(address, key)
        token, _ = await run_in_threadpool(self.repo.create_session, user.user_id)
        return user, token

    async def change_password(self, request: Request, user: User, current: str, new: str) -> str:
        """Set a new password (throttled like a login); returns a new session token, as
        every other session of the user has ended."""
        address = client_address(request)
        wait = self.throttle.wait_s(address, user.email)
        if wait > 0:
            raise busy(wait, "te veel mislukte pogingen; wacht even")
        changed = await self.argon2_work(
            self.repo.change_password, user, current[:1024], new[:1024]
        )
        if not changed:
            self.throttle.failed(address, user.email)
            raise ApiError(403, "het huidige wachtwoord klopt niet")
        token, _ = await run_in_threadpool(self.repo.create_session, user.user_id)
        self.organisations.record(user.organisation_id, user.email, "wachtwoord gewijzigd", "")
        return token

    async def accept_invitation(
        self, request: Request, code: str, password: Any, repeat: Any = None
    ) -> tuple[User, str]:
        """Create the invited account (policy-checked password, argon2 bounded, wrong codes
        throttled per client like failed logins); (user, new session token)."""
        address = client_address(request)
        key = f"uitnodiging:{address}"
        wait = self.throttle.wait_s(address, key)
        if wait > 0:
            raise busy(wait, "te veel onbekende uitnodigingscodes; wacht even")
        try:
            invitation = await run_in_threadpool(self.organisations.lookup, code)
        except ApiError as exc:
            if exc.status == 404:
                self.throttle.failed(address, key)
            raise
        password = str(password or "")
        if repeat is not None and str(repeat) != password:
            raise ApiError(
                400, "de twee wachtwoorden verschillen", "Typ hetzelfde wachtwoord twee keer."
            )
        self.organisations.check_new_password(invitation, password)
        password_hash = await self.argon2_work(hash_password, password)
        user = await run_in_threadpool(self.organisations.accept, code, password_hash)
        token, _ = await run_in_threadpool(self.repo.create_session, user.user_id)
        return user, token

    def anonymous_expensive(self, request: Request) -> None:
        """Rate-limit work an anonymous client starts (computations, renders): 429."""
        if request.cookies.get(COOKIE) and self.user(request) is not None:
            return
        wait = self.expensive.take(client_address(request))
        if wait > 0:
            raise busy(wait, "te veel zware verzoeken zonder inloggen; wacht even")

    def set_cookie(self, response: Response, token: str, email: str | None = None) -> None:
        response.set_cookie(
            COOKIE,
            token,
            max_age=12 * 3600,
            httponly=True,
            samesite="lax",
            secure=self.secure_cookies,
            path="/",
        )
        if email:
            response.set_cookie(
                DEVICE_COOKIE,
                self.device_token(email),
                max_age=30 * 24 * 3600,
                httponly=True,
                samesite="strict",
                secure=self.secure_cookies,
                path="/",
            )

    def logout(self, request: Request, response: Response) -> Response:
        token = request.cookies.get(COOKIE)
        if token:
            self.repo.end_session(token)
        response.delete_cookie(COOKIE, path="/")
        return response

    def remove_user(self, user: User, email: str) -> str:
        """Delete an account of the beheerder's own organisation; returns the address."""
        address = email.strip().lower()
        if address == user.email:
            raise ApiError(
                400,
                "u kunt uw eigen account niet verwijderen",
                "Laat een andere beheerder van uw organisatie dit doen.",
            )
        # one answer for 'not in your organisation' and 'does not exist': no enumeration
        if not self.repo.remove_user(user.organisation_id, address):
            raise ApiError(404, "uw organisatie heeft geen account met dit adres")
        self.organisations.record(user.organisation_id, user.email, "account verwijderd", address)
        return address

    # ------------------------------------------------------------------ computed views
    async def view(self, request: Request, state: ViewState) -> Any:
        """The computed view: from the cache, or computed once (anonymous: rate-limited);
        waiting stops when the client disconnects."""
        key = view_key(state)
        hit = self.service.cached(key)
        if hit is not None:
            return hit
        await run_in_threadpool(self.anonymous_expensive, request)
        if await request.is_disconnected():  # gone while waiting its turn: start nothing
            raise ClientGone()
        try:
            return await self.service.computed_async(key, request.is_disconnected)
        except Busy:
            raise busy(10, "de server is druk met berekenen") from None

    async def export(self, request: Request, state: ViewState, kind: str, layer: str) -> tuple:
        """(bytes, computed view) of a download; rendering is bounded and rate-limited."""
        c = await self.view(request, state)
        own = None
        if state.overlays:  # the user's own data: access checked, rendered for them only
            user = await run_in_threadpool(self.user, request)
            own = await run_in_threadpool(own_export, self, user, state)
        blob = None if own else c.blobs.get((kind, layer))
        if blob is None:  # rendering costs seconds of CPU
            if kind in {"png", "pdf"}:
                c.layer(layer)  # a bad layer name is a 400 before any rendering
            await run_in_threadpool(self.anonymous_expensive, request)
            try:
                async with self.renders.slot():
                    if await request.is_disconnected():  # left while queued: render nothing
                        raise ClientGone()
                    blob = await run_cancellable(
                        self.service.export,
                        c,
                        kind,
                        layer,
                        own,
                        disconnected=request.is_disconnected,
                        stats=self.render_stats,
                    )
            except GateFull:
                raise busy(5, "de server is druk met downloads maken") from None
        return blob, c

    # ------------------------------------------------------------------ overlays
    def overlay(self, user: User | None, upload_id: str, gemeente: str | None = None) -> dict:
        """An overlay the user may see, or 401/403/404."""
        upload_id = check_id(upload_id)
        if user is None:
            raise ApiError(
                401, "eigen data is alleen zichtbaar na inloggen", "Log in via /inloggen."
            )
        upload = self.repo.upload(upload_id)
        if upload is None:
            raise ApiError(404, f"upload {upload_id} bestaat niet")
        if not self.repo.can_see_upload(user.organisation_id, upload):
            raise ApiError(403, f"upload {upload_id} is niet met uw organisatie gedeeld")
        if gemeente and upload["gemeente_code"] != gemeente:
            raise ApiError(
                400, f"upload {upload_id} hoort bij {upload['gemeente_code']}, niet bij {gemeente}"
            )
        return upload

    def owned_overlay(self, request: Request, upload_id: str) -> tuple[User, dict]:
        """An overlay of the user's own organisation (analist or more): to share or delete."""
        user = self.require(request, "analist")
        up = self.overlay(user, upload_id)
        if up["organisation_id"] != user.organisation_id:
            raise ApiError(403, "alleen de eigen organisatie mag deze upload delen of verwijderen")
        return user, up

    def overlay_values(self, upload_id: str) -> dict[str, dict[str, Any]]:
        return presenters.overlay_values(self.repo, upload_id)

    def upload_json(self, upload: dict) -> dict:
        return presenters.upload_json(self.repo, upload)

    def overlays_for(self, user: User | None, ids: tuple[str, ...], gemeente: str) -> dict:
        return {i: self.overlay_values(self.overlay(user, i, gemeente)["upload_id"]) for i in ids}

    def check_overlays(self, request: Request, state: ViewState) -> User | None:
        """The user, after checking they may see every overlay in ``state``."""
        user = self.user(request)
        for overlay in state.overlays:
            self.overlay(user, overlay, state.gemeente)
        return user

    def profile_overlays(
        self, user: User | None, ids: tuple[str, ...], gemeente: str, buurt: str
    ) -> list[dict]:
        """Requested overlays; without ``overlay=`` every overlay the user may see."""
        if ids:
            uploads = [self.overlay(user, i, gemeente) for i in ids]
        elif user is not None:
            uploads = self.repo.visible_uploads(user.organisation_id, gemeente)
        else:
            uploads = []
        return [presenters.profile_overlay(self.repo, up, buurt) for up in uploads]

    def share_upload(self, user: User, upload: dict, names: Any) -> None:
        """Share an own-organisation upload with the named partner organisations."""
        if not isinstance(names, list) or not names or len(names) > MAX_PARTNERS:
            raise ApiError(400, "verwacht JSON {'organisaties': ['naam', …]}")
        ids = self.repo.organisation_ids([str(n) for n in names])
        self.repo.share_upload(upload["upload_id"], list(ids.values()))
        what = f"upload '{upload['title']}' ({upload['upload_id']})"
        self.organisations.shared(user, what, ids)

    # ------------------------------------------------------------------ shared views
    def share_view(self, user: User, state: ViewState, names: list[str]) -> dict:
        """Save a view for the user's organisation and the named partners; every overlay
        in it must already be visible to each partner."""
        ids = self.repo.organisation_ids(names)
        for overlay in state.overlays:
            up = self.overlay(user, overlay, state.gemeente)
            missing = [n for n, i in ids.items() if not self.repo.can_see_upload(i, up)]
            if missing:
                raise ApiError(
                    400,
                    f"upload {overlay} is niet gedeeld met {', '.join(missing)}",
                    f"Deel de upload eerst via /api/uploads/{overlay}/delen.",
                )
        token = self.repo.save_view(
            user.organisation_id, user.user_id, state.as_dict(), list(ids.values())
        )
        names = self.repo.organisation_names([user.organisation_id, *ids.values()])
        what = f"kaart {state.gemeente} (/gedeeld/{token})"
        self.organisations.shared(user, what, ids)
        return presenters.shared_view_json(token, names)

    def open_view(self, user: User | None, token: str) -> ViewState:
        if len(token) > 64 or not token.replace("-", "").replace("_", "").isalnum():
            raise ApiError(404, "deze gedeelde link bestaat niet")
        found = self.repo.view(token)
        if found is None:
            raise ApiError(404, "deze gedeelde link bestaat niet")
        state, _, allowed = found
        if user is None:
            raise ApiError(401, "log in om deze gedeelde kaart te openen", "Log in via /inloggen.")
        if user.organisation_id not in allowed:
            raise ApiError(403, "deze kaart is niet met uw organisatie gedeeld")
        return ViewState.from_dict(state)

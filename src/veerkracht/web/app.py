"""The FastAPI app: pages, JSON API, exports, accounts, uploads and shared views.

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

import gzip
import hashlib
import hmac
import secrets
import threading
from collections import defaultdict
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from veerkracht.errors import InputFileError, NoDataError, ParameterError, VeerkrachtError
from veerkracht.web import frontend, pages
from veerkracht.web.cache import Busy, ClientGone
from veerkracht.web.data import DataService, dumps
from veerkracht.web.db import Database, open_database
from veerkracht.web.limits import (
    BadJson,
    BodyLimit,
    BodyTooLarge,
    Gate,
    GateFull,
    LoginThrottle,
    RateLimiter,
    parse_json,
    size_text,
)
from veerkracht.web.repo import Repository, User
from veerkracht.web.state import ViewState, check_gemeente, check_id, split_list
from veerkracht.web.uploads import (
    MAX_UPLOAD_BYTES,
    UploadTooLarge,
    check_file_name,
    limit_mb,
    prepare_upload,
    read_form,
    upload_meta,
)

if TYPE_CHECKING:
    from veerkracht.store import Store

COOKIE = "veerkracht_sessie"
DEVICE_COOKIE = "veerkracht_apparaat"  # set after a successful login: skips login delays
ARGON2_SLOTS = 2  # argon2id needs 64 MiB per hash: at most this many at once
ARGON2_WAITING = 32
#: anonymous requests that start a computation or render: per client address
EXPENSIVE_PER_MINUTE, EXPENSIVE_BURST = 6, 4
RENDER_SLOTS, RENDER_WAITING = 1, 4  # PNG/PDF/XLSX/HTML exports rendered at once / queued
#: paths whose answers are private (never cached by a browser or proxy)
PRIVATE_PREFIXES = (
    "/api/ik",
    "/api/organisatie",
    "/api/uploads",
    "/api/gedeeld",
    "/gedeeld/",
    "/api/wachtwoord",
    "/inloggen",
    "/api/inloggen",
    "/uitloggen",
    "/api/uitloggen",
)
_EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "png": "image/png",
    "pdf": "application/pdf",
    "html": "text/html; charset=utf-8",
}


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        message: str,
        fix: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.status, self.message, self.fix = status, message, fix
        self.headers = headers or {}
        super().__init__(message)


def _busy(retry_s: float, what: str = "de server is druk") -> ApiError:
    seconds = max(1, int(retry_s + 0.999))
    return ApiError(
        429 if what.startswith("te veel") else 503,
        what,
        f"Probeer het over {seconds} seconde{'n' if seconds != 1 else ''} opnieuw.",
        {"Retry-After": str(seconds)},
    )


def client_address(request: Request) -> str:
    """The peer address (a proxy in front should pass the real one via uvicorn's
    --proxy-headers; X-Forwarded-For is not trusted here)."""
    return request.client.host if request.client else "onbekend"


async def read_json(request: Request) -> Any:
    """The request body as JSON; a Dutch 400 when it is not (body size bounded by BodyLimit)."""
    try:
        return parse_json(await request.body())
    except BadJson as exc:
        raise ApiError(400, str(exc), "Stuur geldige JSON (UTF-8).") from None


def _wants_html(request: Request) -> bool:
    path = request.url.path
    return not (path.startswith(("/api/", "/export/")) or path.endswith((".json", ".geojson")))


def _error_response(
    request: Request, status: int, body: dict, headers: dict[str, str] | None = None
) -> Response:
    if _wants_html(request):
        page = pages.error(status, body["fout"], body.get("oplossing"))
        return HTMLResponse(page, status, headers=headers)
    return JSONResponse(body, status, headers=headers)


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
        self.secure_cookies = secure_cookies
        self.max_upload = max_upload
        self.throttle = LoginThrottle()
        self.argon2 = Gate(ARGON2_SLOTS, ARGON2_WAITING)
        self.renders = Gate(RENDER_SLOTS, RENDER_WAITING)
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
            raise _busy(2, "de server is druk met inloggen") from None

    async def login(self, request: Request, email: str, password: str) -> tuple[User, str]:
        """Check a password, slowing repeated failures down (never locking anyone out)."""
        key = str(email).strip().lower()[:254]
        if len(password) > 1024:
            raise ApiError(401, "onjuist e-mailadres of wachtwoord")
        address = client_address(request)
        wait = self.throttle.wait_s(address, key, self.trusted_device(request, key))
        if wait > 0:
            raise _busy(wait, "te veel mislukte pogingen; wacht even")
        # counted as a failure before verifying, so that concurrent guesses see each
        # other; a success takes it back
        self.throttle.failed(address, key)
        user = await self.argon2_work(self.repo.authenticate, key, password)
        if user is None:
            raise ApiError(401, "onjuist e-mailadres of wachtwoord")
        self.throttle.succeeded(address, key)
        token, _ = await run_in_threadpool(self.repo.create_session, user.user_id)
        return user, token

    def anonymous_expensive(self, request: Request) -> None:
        """Rate-limit work an anonymous client starts (computations, renders): 429."""
        if request.cookies.get(COOKIE) and self.user(request) is not None:
            return
        wait = self.expensive.take(client_address(request))
        if wait > 0:
            raise _busy(wait, "te veel zware verzoeken zonder inloggen; wacht even")

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

    async def view(self, request: Request, state: ViewState) -> Any:
        """The computed view: from the cache, or computed once (anonymous: rate-limited);
        waiting stops when the client disconnects."""
        key = _key(state)
        hit = self.service.cached(key)
        if hit is not None:
            return hit
        await run_in_threadpool(self.anonymous_expensive, request)
        try:
            return await self.service.computed_async(key, request.is_disconnected)
        except Busy:
            raise _busy(10, "de server is druk met berekenen") from None

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

    def overlay_values(self, upload_id: str) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = defaultdict(dict)
        for code, variable, value, label in self.repo.upload_values(upload_id):
            out[str(code)][str(variable)] = label if label is not None else value
        return dict(out)

    def overlays_for(self, user: User | None, ids: tuple[str, ...], gemeente: str) -> dict:
        return {i: self.overlay_values(self.overlay(user, i, gemeente)["upload_id"]) for i in ids}

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
        out = []
        for up in uploads:
            owner = self.repo.organisation_names([up["organisation_id"]])
            out.append(
                {
                    "id": up["upload_id"],
                    "titel": up["title"],
                    "organisatie": owner[0] if owner else None,
                    "indeling": up["edition"],
                    "waarden": self.overlay_values(up["upload_id"]).get(buurt, {}),
                }
            )
        return out

    def upload_json(self, upload: dict) -> dict:
        return {
            "id": upload["upload_id"],
            "titel": upload["title"],
            "gemeente": upload["gemeente_code"],
            "indeling": upload["edition"],
            "bestand": upload["file_name"],
            "sleutel": upload["key_type"],
            "rijen": upload["n_rows"],
            "kolommen": upload["columns"],
            "meldingen": upload["notes"],
            "organisatie": self.repo.organisation_names([upload["organisation_id"]])[0],
            "gedeeld_met": self.repo.organisation_names(
                self.repo.upload_shared_with(upload["upload_id"])
            ),
            "aangemaakt": upload["created_at"],
        }

    # ------------------------------------------------------------------ views
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


def _key(state: ViewState) -> tuple:
    return (
        state.gemeente,
        state.van,
        state.tot,
        state.indeling,
        state.klassen,
        state.referentie,
    )


async def _state(  # async: no thread-pool hop on the hot map path
    gm: str,
    laag: str | None = None,
    van: str | None = None,
    tot: str | None = None,
    indeling: str | None = None,
    klassen: str | None = None,
    buurt: list[str] | None = Query(None),
    overlay: list[str] | None = Query(None),
    referentie: str | None = None,
) -> ViewState:
    return ViewState.parse(
        gm,
        laag=laag,
        van=van,
        tot=tot,
        indeling=indeling,
        klassen=klassen,
        buurt=buurt,
        overlay=overlay,
        referentie=referentie,
    )


def _safe_next(url: str | None) -> str:
    """Only local paths: never redirect a login to another site."""
    if not url or not url.startswith("/") or url.startswith("//") or "\\" in url:
        return "/"
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def create_app(
    store: Store,
    *,
    database_url: str | None = None,
    database: Database | None = None,
    service: DataService | None = None,
    store_lock: threading.RLock | None = None,
    secure_cookies: bool = False,
    max_upload: int = MAX_UPLOAD_BYTES,
) -> FastAPI:
    """The web app on an open store (DuckDB); web tables in the store or PostgreSQL."""
    lock = store_lock or (service.lock if service else threading.RLock())
    service = service or DataService(store, lock)
    if database is None:
        # the web tables get their own cursor and lock: a session lookup never waits
        # for a view computation or an export
        base = getattr(store, "base", store)
        db = open_database(database_url, duck_con=base.con.cursor(), lock=threading.RLock())
    else:
        db = database
    web = WebApp(store, db, service, secure_cookies=secure_cookies, max_upload=max_upload)
    app = FastAPI(
        title="Veerkracht-signaleringskaarten",
        description="Open data en eigen data per buurt. Alle teksten in het Nederlands.",
        version="1",
        docs_url=None,  # the Swagger UI loads scripts from a CDN; the schema is enough
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.web = web
    _install_handlers(app, web)
    _auth_routes(app, web)
    _open_data_routes(app, web)
    _export_routes(app, web)
    _own_data_routes(app, web)
    _view_routes(app, web)
    from veerkracht.web import overview  # /overzicht (+ .json): the national overview

    overview.register(app, service)
    from veerkracht.web.routes import own_data_flow  # upload → preview → import or cancel

    own_data_flow.register(app, web)
    frontend.install_frontend(app)
    return app


# ----------------------------------------------------------------------------- handlers
def _install_handlers(app: FastAPI, web: WebApp) -> None:
    @app.exception_handler(ApiError)
    async def _api(request: Request, exc: ApiError) -> Response:
        if exc.status == 401 and _wants_html(request) and request.method == "GET":
            target = quote(
                request.url.path + (f"?{request.url.query}" if request.url.query else "")
            )
            return RedirectResponse(f"/inloggen?volgende={target}", 303)
        body = {"fout": exc.message}
        if exc.fix:
            body["oplossing"] = exc.fix
        return _error_response(request, exc.status, body, exc.headers)

    @app.exception_handler(VeerkrachtError)
    async def _domain(request: Request, exc: VeerkrachtError) -> Response:
        status = 404 if isinstance(exc, NoDataError) else 400
        if not isinstance(exc, (NoDataError, ParameterError, InputFileError)):
            status = 503
        body: dict[str, Any] = {"fout": exc.message}
        if exc.fix:
            body["oplossing"] = exc.fix
        if isinstance(exc, InputFileError):
            body["bestand"] = exc.path.name
            body["kolom"] = exc.column
            body["rijen"] = exc.rows
        return _error_response(request, status, body)

    @app.exception_handler(UploadTooLarge)
    async def _large(request: Request, exc: UploadTooLarge) -> Response:
        body = {
            "fout": f"het bestand is groter dan {limit_mb(exc.limit)}",
            "oplossing": "Lever alleen de nodige kolommen aan of splits het bestand.",
        }
        return _error_response(request, 413, body)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        problems = [
            f"{'.'.join(str(p) for p in e.get('loc', [])[1:]) or 'verzoek'}: {e.get('msg')}"
            for e in exc.errors()
        ]
        return _error_response(
            request, 400, {"fout": "ongeldig verzoek: " + "; ".join(problems)[:500]}
        )

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> Response:
        messages = {404: "pagina niet gevonden", 405: "methode niet toegestaan"}
        text = messages.get(exc.status_code, str(exc.detail))
        return _error_response(request, exc.status_code, {"fout": text})

    @app.exception_handler(BodyTooLarge)
    async def _body(request: Request, exc: BodyTooLarge) -> Response:
        body = {
            "fout": f"het verzoek is groter dan {size_text(exc.limit)}",
            "oplossing": "Stuur minder gegevens mee (een bestand: splits het).",
        }
        return _error_response(request, 413, body, {"Connection": "close"})

    @app.exception_handler(ClientGone)
    async def _gone(request: Request, exc: ClientGone) -> Response:
        return Response(status_code=499)  # nobody reads it: the client went away

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        import logging

        logging.getLogger("veerkracht.web").exception("onverwachte fout bij %s", request.url.path)
        body = {"fout": "er ging iets mis op de server", "oplossing": "Probeer het later opnieuw."}
        return _error_response(request, 500, body)

    app.add_middleware(_SecurityHeaders, hsts=web.secure_cookies)
    # signalen.json is ~3 MB of JSON; compressed once per request at a moderate level.
    # Responses that are already gzipped (the cached GeoJSON layers) pass through untouched.
    from starlette.middleware.gzip import GZipMiddleware

    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=5)
    # outermost: a too-large body is refused before anything reads it
    app.add_middleware(BodyLimit, limits={("POST", "/api/uploads"): web.max_upload + 64 * 1024})


_BASE_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), interest-cohort=()"),
]
#: the exported interactive map: inline script and style only, in an opaque origin
EXPORT_HTML_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
    "img-src data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'; "
    "sandbox allow-scripts"
)
API_CSP = "default-src 'none'; frame-ancestors 'none'"
HSTS = b"max-age=31536000; includeSubDomains"


def same_origin(headers: dict[str, str]) -> bool:
    """A state-changing request must come from this site: its Origin (or, when a client
    sends none, its Referer) must name this host. Neither header: refused as well."""
    host = headers.get("host", "")
    if headers.get("sec-fetch-site", "") in {"cross-site", "same-site"}:
        return False
    origin = headers.get("origin")
    if origin is not None:
        return origin != "null" and urlsplit(origin).netloc == host
    referer = headers.get("referer")
    if referer:
        return urlsplit(referer).netloc == host
    return False


class _SecurityHeaders:
    """Pure ASGI middleware (cheaper per request than ``@app.middleware``).

    Refuses state-changing requests that do not come from this site (strict Origin /
    Referer check: one of them must be present and name this host), and adds security
    headers to every response: CSP (the app's own for pages, a sandbox for exported
    HTML, ``default-src 'none'`` for data), HSTS behind HTTPS (``--veilige-cookies``),
    and ``Cache-Control: no-store`` on everything private (logged-in requests, account
    and own-data routes, anything that sets a cookie).
    """

    def __init__(self, app: Any, hsts: bool = False) -> None:
        self.app = app
        self.hsts = hsts

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        path = scope["path"]
        if scope["method"] not in {"GET", "HEAD", "OPTIONS"} and not same_origin(headers):
            response = JSONResponse(
                {
                    "fout": "verzoek geweigerd: het komt niet van deze website "
                    "(Origin- of Referer-kop ontbreekt of hoort bij een andere site)",
                    "oplossing": "Stuur de kop 'Origin' mee met het adres van deze server.",
                },
                403,
            )
            await self._with_headers(response, scope, receive, send, path, True)
            return
        private = COOKIE in headers.get("cookie", "") or path.startswith(PRIVATE_PREFIXES)
        await self._with_headers(self.app, scope, receive, send, path, private)

    async def _with_headers(
        self, app: Any, scope: Any, receive: Any, send: Any, path: str, private: bool
    ) -> None:
        is_export = path.startswith("/export/")

        async def send_with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                raw = list(message.get("headers", []))
                present = {k.lower() for k, _ in raw}
                extra = list(_BASE_HEADERS)
                content_type = next((v for k, v in raw if k.lower() == b"content-type"), b"")
                if content_type.startswith(b"text/html"):
                    csp = EXPORT_HTML_CSP if is_export else pages.CSP
                    extra.append((b"content-security-policy", csp.encode("latin-1")))
                elif content_type.startswith((b"application/json", b"application/geo+json")):
                    # data only; never on scripts (a worker's own CSP would bind the worker)
                    extra.append((b"content-security-policy", API_CSP.encode("latin-1")))
                if self.hsts:
                    extra.append((b"strict-transport-security", HSTS))
                if private or b"set-cookie" in present:
                    raw = [(k, v) for k, v in raw if k.lower() != b"cache-control"]
                    present.discard(b"cache-control")
                    extra.append((b"cache-control", b"no-store"))
                    extra.append((b"vary", b"Cookie"))
                raw += [(k, v) for k, v in extra if k not in present]
                message = {**message, "headers": raw}
            await send(message)

        await app(scope, receive, send_with_headers)


def _json(data: Any, status: int = 200) -> Response:
    return Response(dumps(data), status, media_type="application/json")


# ----------------------------------------------------------------------------- auth
def _auth_routes(app: FastAPI, web: WebApp) -> None:
    @app.get("/inloggen", response_class=HTMLResponse)
    def login_page(volgende: str = "/") -> HTMLResponse:
        return HTMLResponse(pages.login(_safe_next(volgende)))

    @app.post("/inloggen")
    async def login_form(request: Request) -> Response:
        try:
            form = await request.form(max_files=0, max_fields=5, max_part_size=4096)
        except BodyTooLarge:
            raise
        except Exception:  # a malformed form body (multipart or urlencoded)
            raise ApiError(
                400, "ongeldig formulier", "Vul het inlogformulier opnieuw in."
            ) from None
        target = _safe_next(str(form.get("volgende") or "/"))
        email = str(form.get("email") or "")
        try:
            _, token = await web.login(request, email, str(form.get("wachtwoord") or ""))
        except ApiError as exc:
            text = exc.message[:1].upper() + exc.message[1:] + "."
            if exc.fix:
                text += " " + exc.fix
            return HTMLResponse(pages.login(target, text), exc.status, headers=exc.headers)
        response = RedirectResponse(target, 303)
        web.set_cookie(response, token, email.strip().lower())
        return response

    @app.post("/api/inloggen")
    async def login_api(request: Request) -> Response:
        body = await read_json(request)
        if not isinstance(body, dict):
            raise ApiError(400, "verwacht JSON met 'email' en 'wachtwoord'")
        email = str(body.get("email") or "")
        user, token = await web.login(request, email, str(body.get("wachtwoord") or ""))
        response = _json({"gebruiker": user.as_json()})
        web.set_cookie(response, token, user.email)
        return response

    @app.post("/api/wachtwoord")
    async def change_password(request: Request) -> Response:
        user = await run_in_threadpool(web.require, request)
        body = await read_json(request)
        if not isinstance(body, dict) or not all(
            isinstance(body.get(k), str) for k in ("huidig", "nieuw")
        ):
            raise ApiError(400, "verwacht JSON met 'huidig' en 'nieuw' (het nieuwe wachtwoord)")
        address = client_address(request)
        wait = web.throttle.wait_s(address, user.email)
        if wait > 0:
            raise _busy(wait, "te veel mislukte pogingen; wacht even")
        changed = await web.argon2_work(
            web.repo.change_password, user, body["huidig"][:1024], body["nieuw"][:1024]
        )
        if not changed:
            web.throttle.failed(address, user.email)
            raise ApiError(403, "het huidige wachtwoord klopt niet")
        token, _ = await run_in_threadpool(web.repo.create_session, user.user_id)
        response = _json({"gewijzigd": True, "gebruiker": user.as_json()})
        web.set_cookie(response, token, user.email)  # other sessions have ended
        return response

    def _logout(request: Request, response: Response) -> Response:
        token = request.cookies.get(COOKIE)
        if token:
            web.repo.end_session(token)
        response.delete_cookie(COOKIE, path="/")
        return response

    @app.post("/uitloggen")
    def logout_form(request: Request) -> Response:
        return _logout(request, RedirectResponse("/", 303))

    @app.post("/api/uitloggen")
    def logout_api(request: Request) -> Response:
        return _logout(request, _json({"uitgelogd": True}))

    @app.get("/api/ik")
    def me(request: Request) -> Response:
        user = web.require(request)
        return _json({"gebruiker": user.as_json()})

    @app.get("/api/organisatie/gebruikers")
    def users(request: Request) -> Response:
        user = web.require(request, "beheerder")
        return _json(
            {
                "organisatie": user.organisation,
                "gebruikers": [u.as_json() for u in web.repo.users_of(user.organisation_id)],
            }
        )

    @app.post("/api/organisatie/gebruikers")
    async def add_user(request: Request) -> Response:
        user = await run_in_threadpool(web.require, request, "beheerder")
        body = await read_json(request)
        if not isinstance(body, dict):
            raise ApiError(400, "verwacht JSON met 'email', 'wachtwoord' en 'rol'")
        new = await web.argon2_work(
            web.repo.add_user,
            user.organisation,  # a beheerder manages only the own organisation
            str(body.get("email") or ""),
            str(body.get("wachtwoord") or ""),
            str(body.get("rol") or "lezer"),
        )
        return _json({"gebruiker": new.as_json()}, 201)

    @app.delete("/api/organisatie/gebruikers/{email}")
    def remove_user(request: Request, email: str) -> Response:
        user = web.require(request, "beheerder")
        address = email.strip().lower()
        if address == user.email:
            raise ApiError(
                400,
                "u kunt uw eigen account niet verwijderen",
                "Laat een andere beheerder van uw organisatie dit doen.",
            )
        # one answer for 'not in your organisation' and 'does not exist': no enumeration
        if not web.repo.remove_user(user.organisation_id, address):
            raise ApiError(404, "uw organisatie heeft geen account met dit adres")
        return _json({"verwijderd": address})


# ----------------------------------------------------------------------------- open data
def _open_data_routes(app: FastAPI, web: WebApp) -> None:
    service = web.service

    @app.get("/", response_class=HTMLResponse)
    def home(request: Request) -> HTMLResponse:
        return HTMLResponse(pages.home(service.gemeenten(), web.user(request)))

    @app.get("/api/gemeenten")
    def gemeenten(q: str = "") -> Response:
        found = service.gemeenten(q[:100])
        return _json({"zoekterm": q, "aantal": len(found), "gemeenten": found})

    @app.get("/api/gemeenten/{gm}/signalen.json")
    async def signalen(request: Request, state: ViewState = Depends(_state)) -> Response:
        c = await web.view(request, state)
        blob = c.blobs.get(("signalen", ""))
        if blob is None:
            blob = dumps(await run_in_threadpool(service.signals_json, c))
            c.blobs[("signalen", "")] = blob
        return Response(blob, media_type="application/json")

    @app.get("/api/gemeenten/{gm}/kaart.geojson")
    async def kaart(request: Request, state: ViewState = Depends(_state)) -> Response:
        c = await web.view(request, state)
        c.layer(state.laag)
        if state.overlays:
            user = await run_in_threadpool(web.user, request)
            values = await run_in_threadpool(web.overlays_for, user, state.overlays, state.gemeente)
            body = await run_in_threadpool(service.geojson, c, state.laag, values)
        else:
            if "gzip" in request.headers.get("accept-encoding", ""):
                packed = c.blobs.get(("geojson.gz", state.laag)) or await run_in_threadpool(
                    service.geojson_gzip, c, state.laag
                )
                return Response(
                    packed,
                    media_type="application/geo+json",
                    headers={"Content-Encoding": "gzip", "Vary": "Accept-Encoding"},
                )
            body = c.blobs.get(("geojson", state.laag)) or await run_in_threadpool(
                service.geojson, c, state.laag
            )
        return Response(
            body, media_type="application/geo+json", headers={"Vary": "Accept-Encoding"}
        )

    @app.get("/api/gemeenten/{gm}/buurten/{bu}.json")
    async def buurt(request: Request, bu: str, state: ViewState = Depends(_state)) -> Response:
        from veerkracht.web.state import check_buurt

        code = check_buurt(bu)
        c = await web.view(request, state)
        if not state.overlays and not request.cookies.get(COOKIE):
            # anonymous: the precomputed profile, usually without leaving the event loop
            blob = c.blobs.get(("profiel", code))
            if blob is None:
                blob = await run_in_threadpool(service.profile_blob, c, code)
            if "gzip" in request.headers.get("accept-encoding", ""):
                packed = c.blobs.get(("profiel.gz", code))
                if packed is None:  # compressed once per buurt, not once per request
                    packed = gzip.compress(blob, compresslevel=6, mtime=0)
                    c.blobs[("profiel.gz", code)] = packed
                return Response(
                    packed,
                    media_type="application/json",
                    headers={"Content-Encoding": "gzip", "Vary": "Accept-Encoding"},
                )
            return Response(
                blob, media_type="application/json", headers={"Vary": "Accept-Encoding"}
            )
        user = await run_in_threadpool(web.user, request)
        overlays = await run_in_threadpool(
            web.profile_overlays, user, state.overlays, state.gemeente, code
        )
        if not overlays:
            return Response(
                await run_in_threadpool(service.profile_blob, c, code),
                media_type="application/json",
            )
        return _json(await run_in_threadpool(service.profile, c, code, overlays))

    @app.get("/api/gemeenten/{gm}/vergelijk.json")
    async def vergelijk_buurten(
        request: Request, buurten: str = "", state: ViewState = Depends(_state)
    ) -> Response:
        from veerkracht.web.state import check_buurt

        codes = [check_buurt(b) for b in split_list([buurten])]
        if len(codes) != 2:
            raise ParameterError(
                "buurten", buurten, "geef precies twee buurtcodes", fix="Bijv. buurten=BU1,BU2."
            )
        c = await web.view(request, state)
        overlays = {}
        if state.overlays:
            user = await run_in_threadpool(web.user, request)
            values = await run_in_threadpool(web.overlays_for, user, state.overlays, state.gemeente)
            overlays = {i: {b: v.get(b, {}) for b in codes} for i, v in values.items()}
        return _json(await run_in_threadpool(service.compare_buurten, c, codes, overlays))

    @app.get("/api/vergelijk.json")
    async def vergelijk_gemeenten(
        request: Request, gemeenten: str = "", van: str | None = None, tot: str | None = None
    ) -> Response:
        codes = [check_gemeente(g) for g in split_list([gemeenten])]
        if not 2 <= len(codes) <= 4:
            raise ParameterError(
                "gemeenten", gemeenten, "geef twee tot vier GM-codes", fix="Bijv. GM0363,GM0599."
            )
        out = []
        for code in codes:
            state = ViewState.parse(code, van=van, tot=tot)
            try:
                c = await web.view(request, state)
                out.append(await run_in_threadpool(service.gemeente_summary, c))
            except VeerkrachtError as exc:  # show what exists; say what does not
                out.append({"code": code, "fout": exc.message, "oplossing": exc.fix})
        return _json({"gemeenten": out})


# ----------------------------------------------------------------------------- exports
def _export_routes(app: FastAPI, web: WebApp) -> None:
    service = web.service

    async def send(request: Request, state: ViewState, kind: str, layer: str = "") -> Response:
        c = await web.view(request, state)
        own = None
        if state.overlays:  # the user's own data: access checked, rendered for them only
            from veerkracht.web.uploads import own_export

            user = await run_in_threadpool(web.user, request)
            own = await run_in_threadpool(own_export, web, user, state)
        blob = None if own else c.blobs.get((kind, layer))
        if blob is None:  # rendering costs seconds of CPU: bounded and rate-limited
            if kind in {"png", "pdf"}:
                c.layer(layer)  # a bad layer name is a 400 before any rendering
            await run_in_threadpool(web.anonymous_expensive, request)
            try:
                async with web.renders.slot():
                    blob = await run_in_threadpool(service.export, c, kind, layer, own)
            except GateFull:
                raise _busy(5, "de server is druk met downloads maken") from None
        name = f"veerkracht_{state.gemeente}_{c.view.start}_{c.view.end}"
        name += f"_{layer}" if layer else ""
        disposition = "inline" if kind in {"html", "png", "pdf"} else "attachment"
        return Response(
            blob,
            media_type=_EXPORT_TYPES[kind],
            headers={"Content-Disposition": f'{disposition}; filename="{name}.{kind}"'},
        )

    @app.get("/export/{gm}.csv")
    async def export_csv(request: Request, state: ViewState = Depends(_state)) -> Response:
        return await send(request, state, "csv")

    @app.get("/export/{gm}.xlsx")
    async def export_xlsx(request: Request, state: ViewState = Depends(_state)) -> Response:
        return await send(request, state, "xlsx")

    @app.get("/export/{gm}/kaart.png")
    async def export_png(request: Request, state: ViewState = Depends(_state)) -> Response:
        return await send(request, state, "png", state.laag)

    @app.get("/export/{gm}/kaart.pdf")
    async def export_pdf(request: Request, state: ViewState = Depends(_state)) -> Response:
        return await send(request, state, "pdf", state.laag)

    @app.get("/export/{gm}/kaart.html")
    async def export_html(request: Request, state: ViewState = Depends(_state)) -> Response:
        return await send(request, state, "html")


# ----------------------------------------------------------------------------- own data
def _own_data_routes(app: FastAPI, web: WebApp) -> None:
    @app.get("/api/uploads")
    def uploads(request: Request, gemeente: str | None = None) -> Response:
        user = web.require(request)
        gm = check_gemeente(gemeente) if gemeente else None
        found = web.repo.visible_uploads(user.organisation_id, gm)
        return _json({"uploads": [web.upload_json(u) for u in found]})

    @app.post("/api/uploads")
    async def upload(request: Request) -> Response:
        user = await run_in_threadpool(web.require, request, "analist")
        form = await read_form(request, web.max_upload)
        file = form.get("bestand")
        if file is None or isinstance(file, str):
            raise ParameterError(
                "bestand", None, "geen bestand meegestuurd", fix="Stuur het veld 'bestand' mee."
            )
        name = check_file_name(file.filename)
        gm = check_gemeente(str(form.get("gemeente") or ""))
        state = ViewState.parse(gm, indeling=form.get("indeling") or None)
        title = str(form.get("titel") or name).strip()[:120]
        c = await web.view(request, state)

        def work() -> str:
            import tempfile
            from pathlib import Path

            with tempfile.TemporaryDirectory(prefix="veerkracht-web-") as tmp:
                raw = Path(tmp) / "inhoud"
                file.file.seek(0)
                raw.write_bytes(file.file.read())
                placement = prepare_upload(
                    raw,
                    name,
                    store=web.service.store,
                    organisation=user.organisation,
                    gemeente=gm,
                    edition=c.result.edition,
                )
            if placement.unplaced:  # this route stores at once: only a file that fits whole
                shown = "; ".join(f"rij {u.row}: {u.reason}" for u in placement.unplaced[:5])
                raise InputFileError(
                    Path(name),
                    f"{len(placement.unplaced)} rij(en) niet te plaatsen: {shown}",
                    rows=[u.row for u in placement.unplaced],
                    fix="Verbeter die rijen, of kies bij 'Eigen data toevoegen' "
                    "(/eigen-data/nieuw) of u de rest wilt importeren.",
                )
            meta = upload_meta(placement, name)
            meta.update(
                organisation_id=user.organisation_id,
                title=title,
                created_by=user.user_id,
            )
            return web.repo.save_upload(meta, placement.value_rows())

        try:
            async with web.renders.slot():  # reading a file is heavy work too: bounded
                upload_id = await run_in_threadpool(work)
        except GateFull:
            raise _busy(5, "de server is druk; probeer het uploaden zo opnieuw") from None
        saved = web.repo.upload(upload_id)
        assert saved is not None
        return _json({"upload": web.upload_json(saved)}, 201)

    @app.get("/api/uploads/{upload_id}.json")
    def upload_detail(request: Request, upload_id: str) -> Response:
        user = web.require(request)
        up = web.overlay(user, upload_id)
        return _json({"upload": web.upload_json(up), "waarden": web.overlay_values(upload_id)})

    def owned(request: Request, upload_id: str) -> tuple[User, dict]:
        user = web.require(request, "analist")
        up = web.overlay(user, upload_id)
        if up["organisation_id"] != user.organisation_id:
            raise ApiError(403, "alleen de eigen organisatie mag deze upload delen of verwijderen")
        return user, up

    @app.post("/api/uploads/{upload_id}/delen")
    async def share(request: Request, upload_id: str) -> Response:
        _, up = await run_in_threadpool(owned, request, upload_id)
        body = await read_json(request)
        names = body.get("organisaties") if isinstance(body, dict) else None
        if not isinstance(names, list) or not names or len(names) > 50:
            raise ApiError(400, "verwacht JSON {'organisaties': ['naam', …]}")
        ids = web.repo.organisation_ids([str(n) for n in names])
        web.repo.share_upload(up["upload_id"], list(ids.values()))
        return _json({"upload": web.upload_json(up)})

    @app.delete("/api/uploads/{upload_id}")
    def delete(request: Request, upload_id: str) -> Response:
        _, up = owned(request, upload_id)
        web.repo.delete_upload(up["upload_id"])
        return _json({"verwijderd": up["upload_id"]})


# ----------------------------------------------------------------------------- views
def _view_routes(app: FastAPI, web: WebApp) -> None:
    def view_json(state: ViewState, shared: str | None = None) -> dict:
        data = {"staat": state.as_dict(), "url": state.url(), "links": state.links()}
        if shared:
            data["gedeeld"] = shared
        return data

    def check_overlays(request: Request, state: ViewState) -> User | None:
        user = web.user(request)
        for overlay in state.overlays:
            web.overlay(user, overlay, state.gemeente)
        return user

    @app.get("/kaart/{gm}.json")
    def view_twin(request: Request, state: ViewState = Depends(_state)) -> Response:
        check_overlays(request, state)
        return _json(view_json(state))

    @app.get("/kaart/{gm}", response_class=HTMLResponse)
    def view_page(request: Request, state: ViewState = Depends(_state)) -> HTMLResponse:
        user = check_overlays(request, state)
        return HTMLResponse(frontend.app_page(state, f"Kaart {state.gemeente}", user))

    @app.post("/api/gedeeld")
    async def share_view(request: Request) -> Response:
        user = await run_in_threadpool(web.require, request, "analist")
        body = await read_json(request)
        if not isinstance(body, dict) or not isinstance(body.get("staat"), dict):
            raise ApiError(400, "verwacht JSON {'staat': {...}, 'organisaties': [...]}")
        state = ViewState.from_dict(body["staat"])
        names = body.get("organisaties") or []
        if not isinstance(names, list) or len(names) > 50:
            raise ApiError(400, "'organisaties' moet een lijst met namen zijn (hoogstens 50)")
        names = [str(n) for n in names]
        ids = web.repo.organisation_ids(names)
        for overlay in state.overlays:  # partners must be able to see every overlay in it
            up = web.overlay(user, overlay, state.gemeente)
            missing = [n for n, i in ids.items() if not web.repo.can_see_upload(i, up)]
            if missing:
                raise ApiError(
                    400,
                    f"upload {overlay} is niet gedeeld met {', '.join(missing)}",
                    f"Deel de upload eerst via /api/uploads/{overlay}/delen.",
                )
        token = web.repo.save_view(
            user.organisation_id, user.user_id, state.as_dict(), list(ids.values())
        )
        return _json(
            {
                "token": token,
                "url": f"/gedeeld/{token}",
                "json": f"/api/gedeeld/{token}.json",
                "organisaties": web.repo.organisation_names([user.organisation_id, *ids.values()]),
            },
            201,
        )

    @app.get("/api/gedeeld/{token}.json")
    def shared_twin(request: Request, token: str) -> Response:
        state = web.open_view(web.user(request), token)
        return _json(view_json(state, token))

    @app.get("/gedeeld/{token}", response_class=HTMLResponse)
    def shared_page(request: Request, token: str) -> HTMLResponse:
        user = web.user(request)
        state = web.open_view(user, token)
        return HTMLResponse(
            frontend.app_page(state, f"Gedeelde kaart {state.gemeente}", user, shared=token)
        )

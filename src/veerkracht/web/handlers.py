"""Exception handlers (every failure a Dutch 4xx/5xx, never a stack trace) and the
middleware stack: body limits, gzip and security headers."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from starlette.middleware.gzip import GZipMiddleware

from veerkracht.errors import InputFileError, NoDataError, ParameterError, VeerkrachtError
from veerkracht.web.cache import ClientGone
from veerkracht.web.common import ApiError, error_response, wants_html
from veerkracht.web.limits import BodyLimit, BodyTooLarge, size_text
from veerkracht.web.security import SecurityHeaders
from veerkracht.web.uploads import UploadTooLarge, limit_mb

if TYPE_CHECKING:
    from veerkracht.web.context import WebApp

log = logging.getLogger("veerkracht.web")


def install(app: FastAPI, web: WebApp) -> None:
    """Exception handlers, then the middleware (the last added is the outermost)."""
    _api_handlers(app)
    _framework_handlers(app)
    app.add_middleware(SecurityHeaders, hsts=web.secure_cookies)
    # signalen.json is ~3 MB of JSON; compressed once per request at a moderate level.
    # Responses that are already gzipped (the cached GeoJSON layers) pass through untouched.
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=5)
    # outermost: a too-large body is refused before anything reads it
    app.add_middleware(BodyLimit, limits={("POST", "/api/uploads"): web.max_upload + 64 * 1024})


def _api_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api(request: Request, exc: ApiError) -> Response:
        if exc.status == 401 and wants_html(request) and request.method == "GET":
            target = quote(
                request.url.path + (f"?{request.url.query}" if request.url.query else "")
            )
            return RedirectResponse(f"/inloggen?volgende={target}", 303)
        body = {"fout": exc.message}
        if exc.fix:
            body["oplossing"] = exc.fix
        return error_response(request, exc.status, body, exc.headers)

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
        return error_response(request, status, body)

    @app.exception_handler(UploadTooLarge)
    async def _large(request: Request, exc: UploadTooLarge) -> Response:
        body = {
            "fout": f"het bestand is groter dan {limit_mb(exc.limit)}",
            "oplossing": "Lever alleen de nodige kolommen aan of splits het bestand.",
        }
        return error_response(request, 413, body)


def _framework_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        problems = [
            f"{'.'.join(str(p) for p in e.get('loc', [])[1:]) or 'verzoek'}: {e.get('msg')}"
            for e in exc.errors()
        ]
        return error_response(
            request, 400, {"fout": "ongeldig verzoek: " + "; ".join(problems)[:500]}
        )

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> Response:
        messages = {404: "pagina niet gevonden", 405: "methode niet toegestaan"}
        text = messages.get(exc.status_code, str(exc.detail))
        return error_response(request, exc.status_code, {"fout": text})

    @app.exception_handler(BodyTooLarge)
    async def _body(request: Request, exc: BodyTooLarge) -> Response:
        body = {
            "fout": f"het verzoek is groter dan {size_text(exc.limit)}",
            "oplossing": "Stuur minder gegevens mee (een bestand: splits het).",
        }
        return error_response(request, 413, body, {"Connection": "close"})

    @app.exception_handler(ClientGone)
    async def _gone(request: Request, exc: ClientGone) -> Response:
        return Response(status_code=499)  # nobody reads it: the client went away

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.exception("onverwachte fout bij %s", request.url.path)
        body = {"fout": "er ging iets mis op de server", "oplossing": "Probeer het later opnieuw."}
        return error_response(request, 500, body)

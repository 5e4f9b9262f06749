"""What every route module shares: the Dutch API error, JSON in and out, cookies, the
client address and safe redirects."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from veerkracht.web import pages
from veerkracht.web.data import dumps
from veerkracht.web.limits import BadJson, BodyTooLarge, parse_json

COOKIE = "veerkracht_sessie"
DEVICE_COOKIE = "veerkracht_apparaat"  # set after a successful login: skips login delays


class ApiError(Exception):
    """A refusal with a Dutch message (and fix) that the handlers turn into a 4xx/5xx."""

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


def busy(retry_s: float, what: str = "de server is druk") -> ApiError:
    """429 ('te veel …': this client asks too much) or 503 (the server is full), with
    Retry-After in whole seconds."""
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
    """The request body as JSON; a Dutch 400 when it is not (body size bounded by BodyLimit,
    nesting depth by :func:`~veerkracht.web.limits.parse_json`)."""
    try:
        return parse_json(await request.body())
    except BadJson as exc:
        raise ApiError(400, str(exc), "Stuur geldige JSON (UTF-8).") from None


async def read_json_object(request: Request, expected: str) -> dict[str, Any]:
    """The request body as a JSON object; a Dutch 400 naming ``expected`` otherwise."""
    body = await read_json(request)
    if not isinstance(body, dict):
        raise ApiError(400, f"verwacht JSON met {expected}")
    return body


async def read_small_form(
    request: Request, max_fields: int = 8, fix: str = "Vul het formulier opnieuw in."
) -> dict[str, str]:
    """A short HTML form (no files, small fields) as text; a Dutch 400 when malformed."""
    try:
        form = await request.form(max_files=0, max_fields=max_fields, max_part_size=4096)
    except BodyTooLarge:
        raise
    except Exception:  # a malformed form body (multipart or urlencoded)
        raise ApiError(400, "ongeldig formulier", fix) from None
    return {k: v for k, v in form.items() if isinstance(v, str)}


def json_response(data: Any, status: int = 200) -> Response:
    return Response(dumps(data), status, media_type="application/json")


def wants_html(request: Request) -> bool:
    path = request.url.path
    return not (path.startswith(("/api/", "/export/")) or path.endswith((".json", ".geojson")))


def error_response(
    request: Request, status: int, body: dict, headers: dict[str, str] | None = None
) -> Response:
    """An error page for browsers, the JSON ``{"fout": …}`` for the API."""
    if wants_html(request):
        page = pages.error(status, body["fout"], body.get("oplossing"))
        return HTMLResponse(page, status, headers=headers)
    return JSONResponse(body, status, headers=headers)


def safe_next(url: str | None) -> str:
    """Only local paths: never redirect a login to another site."""
    if not url or not url.startswith("/") or url.startswith("//") or "\\" in url:
        return "/"
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def accepts_gzip(request: Request) -> bool:
    return "gzip" in request.headers.get("accept-encoding", "")


def cacheable_response(body: bytes, media_type: str, *, gzipped: bool = False) -> Response:
    """A public answer that differs by Accept-Encoding (``gzipped``: already compressed)."""
    headers = {"Vary": "Accept-Encoding"}
    if gzipped:
        headers["Content-Encoding"] = "gzip"
    return Response(body, media_type=media_type, headers=headers)

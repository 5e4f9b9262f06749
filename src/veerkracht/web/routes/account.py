"""The own account (details, changing the password) and accepting an invitation."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import FastAPI, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from veerkracht.errors import ParameterError
from veerkracht.web import admin_pages
from veerkracht.web.common import ApiError, json_response, read_json_object, read_small_form

if TYPE_CHECKING:
    from veerkracht.web.context import WebApp


def register(app: FastAPI, web: WebApp) -> None:
    _account(app, web)
    _invitation(app, web)


def _refusal(exc: ApiError | ParameterError) -> tuple[str, int]:
    """A refusal as a sentence for a form, and its status."""
    message = exc.message[:1].upper() + exc.message[1:] + "."
    if exc.fix:
        message += " " + exc.fix
    return message, exc.status if isinstance(exc, ApiError) else 400


def _account(app: FastAPI, web: WebApp) -> None:
    @app.get("/account.json")
    def account_twin(request: Request) -> Response:
        return json_response({"gebruiker": web.require(request).as_json()})

    @app.get("/account", response_class=HTMLResponse)
    def account_page(
        request: Request, done: str | None = Query(None, alias="gedaan")
    ) -> HTMLResponse:
        user = web.require(request)
        return HTMLResponse(admin_pages.account({"gebruiker": user.as_json()}, user, done))

    @app.post("/account/wachtwoord")
    async def password_form(request: Request) -> Response:
        user = await run_in_threadpool(web.require, request)
        fields = await read_small_form(request)
        try:
            if fields.get("nieuw", "") != fields.get("herhaling", ""):
                raise ApiError(400, "de twee nieuwe wachtwoorden verschillen")
            token = await web.change_password(
                request, user, fields.get("huidig", ""), fields.get("nieuw", "")
            )
        except (ApiError, ParameterError) as exc:
            if isinstance(exc, ApiError) and exc.status in {429, 503}:
                raise
            text, status = _refusal(exc)
            page = admin_pages.account({"gebruiker": user.as_json()}, user, error=text)
            return HTMLResponse(page, status)
        response = RedirectResponse("/account?gedaan=wachtwoord", 303)
        web.set_cookie(response, token, user.email)  # other sessions have ended
        return response


def _invitation(app: FastAPI, web: WebApp) -> None:
    orgs = web.organisations

    @app.get("/uitnodiging/{code}.json")
    def invitation_twin(code: str) -> Response:
        return json_response(orgs.public_json(orgs.lookup(code)))

    @app.get("/uitnodiging/{code}", response_class=HTMLResponse)
    def invitation_page(code: str) -> HTMLResponse:
        return HTMLResponse(admin_pages.invitation(orgs.public_json(orgs.lookup(code)), code))

    @app.post("/uitnodiging/{code}")
    async def accept_form(request: Request, code: str) -> Response:
        fields = await read_small_form(request)
        try:
            user, token = await web.accept_invitation(
                request, code, fields.get("nieuw"), fields.get("herhaling", "")
            )
        except (ApiError, ParameterError) as exc:
            if isinstance(exc, ParameterError) or exc.status == 400:  # try again on the form
                text, status = _refusal(exc)
                data = orgs.public_json(orgs.lookup(code))
                return HTMLResponse(admin_pages.invitation(data, code, text), status)
            raise
        response = RedirectResponse("/", 303)
        web.set_cookie(response, token, user.email)
        return response

    @app.post("/api/uitnodiging/{code}")
    async def accept_api(request: Request, code: str) -> Response:
        body = await read_json_object(request, "'wachtwoord'")
        user, token = await web.accept_invitation(request, code, body.get("wachtwoord"))
        response = json_response({"gebruiker": user.as_json()}, 201)
        web.set_cookie(response, token, user.email)
        return response

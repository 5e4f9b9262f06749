"""Logging in and out, the own account and the organisation's accounts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import FastAPI, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from veerkracht.web import pages
from veerkracht.web.common import (
    ApiError,
    json_response,
    read_json_object,
    read_small_form,
    safe_next,
)
from veerkracht.web.urls import ROUTES

if TYPE_CHECKING:
    from veerkracht.web.context import WebApp


def register(app: FastAPI, web: WebApp) -> None:
    _login_routes(app, web)
    _account_routes(app, web)


def _login_routes(app: FastAPI, web: WebApp) -> None:
    @app.get(ROUTES["login_page"], response_class=HTMLResponse)
    def login_page(next_url: str = Query("/", alias="volgende")) -> HTMLResponse:
        return HTMLResponse(pages.login(safe_next(next_url)))

    @app.post(ROUTES["login_page"])
    async def login_form(request: Request) -> Response:
        form = await read_small_form(request, 5, "Vul het inlogformulier opnieuw in.")
        target = safe_next(str(form.get("volgende") or "/"))
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
        body = await read_json_object(request, "'email' en 'wachtwoord'")
        email = str(body.get("email") or "")
        user, token = await web.login(request, email, str(body.get("wachtwoord") or ""))
        response = json_response({"gebruiker": user.as_json()})
        web.set_cookie(response, token, user.email)
        return response

    @app.post("/uitloggen")
    def logout_form(request: Request) -> Response:
        return web.logout(request, RedirectResponse("/", 303))

    @app.post("/api/uitloggen")
    def logout_api(request: Request) -> Response:
        return web.logout(request, json_response({"uitgelogd": True}))


def _account_routes(app: FastAPI, web: WebApp) -> None:
    @app.post("/api/wachtwoord")
    async def change_password(request: Request) -> Response:
        user = await run_in_threadpool(web.require, request)
        body = await read_json_object(request, "'huidig' en 'nieuw' (het nieuwe wachtwoord)")
        if not all(isinstance(body.get(k), str) for k in ("huidig", "nieuw")):
            raise ApiError(400, "verwacht JSON met 'huidig' en 'nieuw' (het nieuwe wachtwoord)")
        token = await web.change_password(request, user, body["huidig"], body["nieuw"])
        response = json_response({"gewijzigd": True, "gebruiker": user.as_json()})
        web.set_cookie(response, token, user.email)  # other sessions have ended
        return response

    @app.get("/api/ik")
    def me(request: Request) -> Response:
        user = web.require(request)
        # partner organisations (invited through the app): names to share with
        partners = web.repo.partner_names(user.organisation_id)
        return json_response({"gebruiker": user.as_json(), "partners": partners})

    @app.get("/api/organisatie/gebruikers")
    def users(request: Request) -> Response:
        user = web.require(request, "beheerder")
        return json_response(
            {
                "organisatie": user.organisation,
                "gebruikers": [u.as_json() for u in web.repo.users_of(user.organisation_id)],
            }
        )

    @app.post("/api/organisatie/gebruikers")
    async def add_user(request: Request) -> Response:
        user = await run_in_threadpool(web.require, request, "beheerder")
        body = await read_json_object(request, "'email', 'wachtwoord' en 'rol'")
        new = await web.argon2_work(
            web.repo.add_user,
            user.organisation,  # a beheerder manages only the own organisation
            str(body.get("email") or ""),
            str(body.get("wachtwoord") or ""),
            str(body.get("rol") or "lezer"),
        )
        web.organisations.record(
            user.organisation_id, user.email, "account aangemaakt", new.email, rol=new.role
        )
        return json_response({"gebruiker": new.as_json()}, 201)

    @app.delete("/api/organisatie/gebruikers/{email}")
    def remove_user(request: Request, email: str) -> Response:
        user = web.require(request, "beheerder")
        return json_response({"verwijderd": web.remove_user(user, email)})

"""The organisation's beheerder: accounts and roles, invitations of colleagues and partner
organisations, and the audit log. Pages (plain forms) with ``.json`` twins, plus a JSON API.

Everything is scoped to the beheerder's own organisation: another organisation's account
or invitation answers 404, the same as one that does not exist.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import FastAPI, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from veerkracht.web import admin_pages
from veerkracht.web.common import json_response, read_json_object, read_small_form
from veerkracht.web.organisation import DEFAULT_DAYS, invitation_json

if TYPE_CHECKING:
    from veerkracht.store.accounts.repo import User
    from veerkracht.web.context import WebApp


def register(app: FastAPI, web: WebApp) -> None:
    _pages(app, web)
    _forms(app, web)
    _api(app, web)


def _invite(request: Request, web: WebApp, user: User, fields: dict) -> dict:
    code, invitation = web.organisations.invite(
        user,
        fields.get("soort"),
        fields.get("email"),
        fields.get("rol") or "lezer",
        fields.get("organisatie"),
        fields.get("geldig_dagen", DEFAULT_DAYS),
    )
    link = str(request.base_url).rstrip("/") + f"/uitnodiging/{code}"
    return {"uitnodiging": invitation_json(invitation), "code": code, "link": link}


def _pages(app: FastAPI, web: WebApp) -> None:
    orgs = web.organisations

    @app.get("/organisatie.json")
    def organisation_twin(request: Request) -> Response:
        user = web.require(request, "beheerder")
        return json_response(orgs.overview(user))

    @app.get("/organisatie", response_class=HTMLResponse)
    def organisation_page(
        request: Request, done: str | None = Query(None, alias="gedaan")
    ) -> HTMLResponse:
        user = web.require(request, "beheerder")
        return HTMLResponse(admin_pages.organisation(orgs.overview(user), user, done))

    @app.get("/organisatie/logboek.json")
    def audit_twin(request: Request) -> Response:
        user = web.require(request, "beheerder")
        return json_response(orgs.audit_json(user))

    @app.get("/organisatie/logboek", response_class=HTMLResponse)
    def audit_page(request: Request) -> HTMLResponse:
        user = web.require(request, "beheerder")
        return HTMLResponse(admin_pages.audit_log(orgs.audit_json(user), user))


def _forms(app: FastAPI, web: WebApp) -> None:
    orgs = web.organisations

    @app.post("/organisatie/uitnodigingen", response_class=HTMLResponse)
    async def invite_form(request: Request) -> HTMLResponse:
        user = await run_in_threadpool(web.require, request, "beheerder")
        fields = await read_small_form(request)
        made = await run_in_threadpool(_invite, request, web, user, fields)
        return HTMLResponse(admin_pages.invitation_made(made, made["link"], user), 201)

    @app.post("/organisatie/uitnodigingen/{invitation_id}/intrekken")
    def revoke_form(request: Request, invitation_id: str) -> Response:
        orgs.revoke(web.require(request, "beheerder"), invitation_id)
        return RedirectResponse("/organisatie?gedaan=ingetrokken", 303)

    @app.post("/organisatie/gebruikers/{email}/rol")
    async def role_form(request: Request, email: str) -> Response:
        user = await run_in_threadpool(web.require, request, "beheerder")
        fields = await read_small_form(request)
        await run_in_threadpool(orgs.set_role, user, email, fields.get("rol"))
        return RedirectResponse("/organisatie?gedaan=rol", 303)

    @app.post("/organisatie/gebruikers/{email}/verwijderen")
    def remove_form(request: Request, email: str) -> Response:
        web.remove_user(web.require(request, "beheerder"), email)
        return RedirectResponse("/organisatie?gedaan=verwijderd", 303)


def _api(app: FastAPI, web: WebApp) -> None:
    orgs = web.organisations

    @app.post("/api/organisatie/uitnodigingen")
    async def invite_api(request: Request) -> Response:
        user = await run_in_threadpool(web.require, request, "beheerder")
        body = await read_json_object(request, "'soort', 'email' en 'rol' of 'organisatie'")
        made = await run_in_threadpool(_invite, request, web, user, body)
        return json_response(made, 201)

    @app.delete("/api/organisatie/uitnodigingen/{invitation_id}")
    def revoke_api(request: Request, invitation_id: str) -> Response:
        revoked = orgs.revoke(web.require(request, "beheerder"), invitation_id)
        return json_response({"ingetrokken": invitation_json(revoked)})

    @app.put("/api/organisatie/gebruikers/{email}/rol")
    async def role_api(request: Request, email: str) -> Response:
        user = await run_in_threadpool(web.require, request, "beheerder")
        body = await read_json_object(request, "'rol'")
        old = await run_in_threadpool(orgs.set_role, user, email, body.get("rol"))
        return json_response({"email": email.strip().lower(), "rol": body["rol"], "was": old})

"""Map pages (``/kaart/{gm}``), shared views (``/gedeeld/{token}``) and their JSON twins."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import Depends, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response

from veerkracht.web import frontend
from veerkracht.web.common import ApiError, json_response, read_json
from veerkracht.web.context import VIEW_PARAMETERS, partner_names, view_state
from veerkracht.web.presenters import view_json
from veerkracht.web.state import ViewState
from veerkracht.web.urls import ROUTES

if TYPE_CHECKING:
    from veerkracht.web.context import WebApp


def register(app: FastAPI, web: WebApp) -> None:
    _map_routes(app, web)
    _shared_routes(app, web)


def _map_routes(app: FastAPI, web: WebApp) -> None:
    @app.get("/kaart/{gm}.json", openapi_extra=VIEW_PARAMETERS)
    def view_twin(request: Request, state: ViewState = Depends(view_state)) -> Response:
        web.check_overlays(request, state)
        return json_response(view_json(state))

    @app.get(ROUTES["view_page"], response_class=HTMLResponse, openapi_extra=VIEW_PARAMETERS)
    def view_page(request: Request, state: ViewState = Depends(view_state)) -> HTMLResponse:
        user = web.check_overlays(request, state)
        return HTMLResponse(frontend.app_page(state, f"Kaart {state.gemeente}", user))


def _shared_routes(app: FastAPI, web: WebApp) -> None:
    @app.post(ROUTES["shares"])
    async def share_view(request: Request) -> Response:
        user = await run_in_threadpool(web.require, request, "analist")
        body = await read_json(request)
        if not isinstance(body, dict) or not isinstance(body.get("staat"), dict):
            raise ApiError(400, "verwacht JSON {'staat': {...}, 'organisaties': [...]}")
        state = ViewState.from_dict(body["staat"])
        names = partner_names(body.get("organisaties") or [])
        return json_response(await run_in_threadpool(web.share_view, user, state, names), 201)

    @app.get("/api/gedeeld/{token}.json")
    def shared_twin(request: Request, token: str) -> Response:
        state = web.open_view(web.user(request), token)
        return json_response(view_json(state, token))

    @app.get("/gedeeld/{token}", response_class=HTMLResponse)
    def shared_page(request: Request, token: str) -> HTMLResponse:
        user = web.user(request)
        state = web.open_view(user, token)
        return HTMLResponse(
            frontend.app_page(state, f"Gedeelde kaart {state.gemeente}", user, shared=token)
        )

"""Open data: the home page, gemeenten, signals, map layers, buurt profiles, comparisons.

Public (CBS/RIVM/BZK open data); asking for an overlay (``?overlay=``) needs a login.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import Depends, FastAPI, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response

from veerkracht.errors import ParameterError, VeerkrachtError
from veerkracht.web import frontend
from veerkracht.web.common import COOKIE, accepts_gzip, cacheable_response, json_response
from veerkracht.web.context import VIEW_PARAMETERS, view_state
from veerkracht.web.data import dumps
from veerkracht.web.state import ViewState, check_buurt, check_gemeente, split_list
from veerkracht.web.urls import ROUTES

if TYPE_CHECKING:
    from veerkracht.web.context import WebApp


def register(app: FastAPI, web: WebApp) -> None:
    _gemeente_routes(app, web)
    _buurt_routes(app, web)


def _gemeente_routes(app: FastAPI, web: WebApp) -> None:
    service = web.service

    @app.get("/", response_class=HTMLResponse)
    def home(request: Request) -> HTMLResponse:
        return HTMLResponse(frontend.home(service.gemeenten(), web.user(request)))

    @app.get(ROUTES["gemeenten"])
    def gemeenten(q: str = "") -> Response:
        found = service.gemeenten(q[:100])
        return json_response({"zoekterm": q, "aantal": len(found), "gemeenten": found})

    @app.get(ROUTES["signals"], openapi_extra=VIEW_PARAMETERS)
    async def signals(request: Request, state: ViewState = Depends(view_state)) -> Response:
        c = await web.view(request, state)
        blob = c.blobs.get(("signalen", ""))
        if blob is None:
            blob = dumps(await run_in_threadpool(service.signals_json, c))
            c.blobs[("signalen", "")] = blob
        return Response(blob, media_type="application/json")

    @app.get(ROUTES["map"], openapi_extra=VIEW_PARAMETERS)
    async def map_layer(request: Request, state: ViewState = Depends(view_state)) -> Response:
        c = await web.view(request, state)
        c.layer(state.layer)
        if state.overlays:
            user = await run_in_threadpool(web.user, request)
            values = await run_in_threadpool(web.overlays_for, user, state.overlays, state.gemeente)
            body = await run_in_threadpool(service.geojson, c, state.layer, values)
        elif accepts_gzip(request):
            packed = c.blobs.get(("geojson.gz", state.layer)) or await run_in_threadpool(
                service.geojson_gzip, c, state.layer
            )
            return cacheable_response(packed, "application/geo+json", gzipped=True)
        else:
            body = c.blobs.get(("geojson", state.layer)) or await run_in_threadpool(
                service.geojson, c, state.layer
            )
        return cacheable_response(body, "application/geo+json")

    @app.get(ROUTES["compare_gemeenten"])
    async def compare_gemeenten(
        request: Request,
        gemeenten: str = "",
        start_year: str | None = Query(None, alias="van"),
        end_year: str | None = Query(None, alias="tot"),
    ) -> Response:
        codes = [check_gemeente(g) for g in split_list([gemeenten])]
        if not 2 <= len(codes) <= 4:
            raise ParameterError(
                "gemeenten", gemeenten, "geef twee tot vier GM-codes", fix="Bijv. GM0363,GM0599."
            )
        out = []
        for code in codes:
            state = ViewState.parse(code, start_year=start_year, end_year=end_year)
            try:
                c = await web.view(request, state)
                out.append(await run_in_threadpool(service.gemeente_summary, c))
            except VeerkrachtError as exc:  # show what exists; say what does not
                out.append({"code": code, "fout": exc.message, "oplossing": exc.fix})
        return json_response({"gemeenten": out})


def _buurt_routes(app: FastAPI, web: WebApp) -> None:
    service = web.service

    @app.get(ROUTES["profile"], openapi_extra=VIEW_PARAMETERS)
    async def buurt(request: Request, bu: str, state: ViewState = Depends(view_state)) -> Response:
        code = check_buurt(bu)
        c = await web.view(request, state)
        if not state.overlays and not request.cookies.get(COOKIE):
            # anonymous: the precomputed profile, usually without leaving the event loop
            if accepts_gzip(request):
                packed = c.blobs.get(("profiel.gz", code)) or await run_in_threadpool(
                    service.profile_gzip, c, code
                )
                return cacheable_response(packed, "application/json", gzipped=True)
            blob = c.blobs.get(("profiel", code)) or await run_in_threadpool(
                service.profile_blob, c, code
            )
            return cacheable_response(blob, "application/json")
        user = await run_in_threadpool(web.user, request)
        overlays = await run_in_threadpool(
            web.profile_overlays, user, state.overlays, state.gemeente, code
        )
        if not overlays:
            return Response(
                await run_in_threadpool(service.profile_blob, c, code),
                media_type="application/json",
            )
        return json_response(await run_in_threadpool(service.profile, c, code, overlays))

    @app.get(ROUTES["compare_buurten"], openapi_extra=VIEW_PARAMETERS)
    async def compare_buurten(
        request: Request, buurten: str = "", state: ViewState = Depends(view_state)
    ) -> Response:
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
        return json_response(await run_in_threadpool(service.compare_buurten, c, codes, overlays))

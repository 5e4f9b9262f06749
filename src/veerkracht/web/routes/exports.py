"""Downloads of a view: CSV, XLSX, PNG, PDF, interactive HTML and the one-page board map
(public open data; the user's own data drawn in when the view carries it)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import Depends, FastAPI, Request
from fastapi.responses import Response

from veerkracht.maps.board import PAPER
from veerkracht.web.common import ApiError
from veerkracht.web.context import VIEW_PARAMETERS, view_state
from veerkracht.web.presenters import EXPORT_TYPES, export_disposition
from veerkracht.web.state import ViewState
from veerkracht.web.urls import ROUTES

if TYPE_CHECKING:
    from veerkracht.web.context import WebApp


def register(app: FastAPI, web: WebApp) -> None:
    async def send(request: Request, state: ViewState, kind: str, layer: str = "") -> Response:
        blob, c = await web.export(request, state, kind, layer)
        disposition = export_disposition(state.gemeente, c.view.start, c.view.end, kind, layer)
        return Response(
            blob, media_type=EXPORT_TYPES[kind], headers={"Content-Disposition": disposition}
        )

    @app.get(ROUTES["export_csv"], openapi_extra=VIEW_PARAMETERS)
    async def export_csv(request: Request, state: ViewState = Depends(view_state)) -> Response:
        return await send(request, state, "csv")

    @app.get(ROUTES["export_xlsx"], openapi_extra=VIEW_PARAMETERS)
    async def export_xlsx(request: Request, state: ViewState = Depends(view_state)) -> Response:
        return await send(request, state, "xlsx")

    @app.get(ROUTES["export_png"], openapi_extra=VIEW_PARAMETERS)
    async def export_png(request: Request, state: ViewState = Depends(view_state)) -> Response:
        return await send(request, state, "png", state.layer)

    @app.get(ROUTES["export_pdf"], openapi_extra=VIEW_PARAMETERS)
    async def export_pdf(request: Request, state: ViewState = Depends(view_state)) -> Response:
        return await send(request, state, "pdf", state.layer)

    @app.get(ROUTES["export_html"], openapi_extra=VIEW_PARAMETERS)
    async def export_html(request: Request, state: ViewState = Depends(view_state)) -> Response:
        return await send(request, state, "html")

    @app.get(ROUTES["export_board"], openapi_extra=VIEW_PARAMETERS)
    async def export_board(request: Request, state: ViewState = Depends(view_state)) -> Response:
        return await send(request, state, "bestuurskaart", board_paper(request))


def board_paper(request: Request) -> str:
    """The ``formaat`` of a board map (A4, A3; default A4), or a 400 naming the fix."""
    value = request.query_params.get("formaat", "A4")
    if value.upper() not in PAPER:
        raise ApiError(
            400,
            f"formaat={value[:20]!r}: dit papierformaat kent de bestuurskaart niet",
            "Kies formaat=A4 of formaat=A3.",
        )
    return value.upper()

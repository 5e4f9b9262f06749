"""Place context and layer explanations: search, wijk outlines, layer metadata.

* ``/zoeken`` (page) and ``/api/zoeken.json`` — gemeenten, wijken and buurten by (part
  of a) name, buurten by PC4; PC6 and addresses via the PDOK Locatieserver when online.
* ``/api/gemeenten/{gm}/wijken.geojson`` — wijk outlines and names for the map's view.
* ``/api/overzicht/kaart.geojson`` — the start page's map: gemeenten coloured by their
  number of buurten 'Probleem' or 'Kwetsbaar' (from the national overview, once computed).
* ``/api/lagen.json`` — every map layer's group, explanation, source, unit and
  direction, from the indicator catalogue (the one place they are defined).

All open data: public, like the other map data.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from fastapi import Depends, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response

from veerkracht.web import pages
from veerkracht.web.context import view_state
from veerkracht.web.data import dumps
from veerkracht.web.places import (
    PlaceIndex,
    gemeente_outlines,
    overview_map,
    search,
    wijk_outlines,
)
from veerkracht.web.presenters import layer_metadata
from veerkracht.web.state import ViewState  # FastAPI reads the annotation at runtime
from veerkracht.web.urls import ROUTES

if TYPE_CHECKING:
    from veerkracht.web.context import WebApp


def register(app: FastAPI, web: WebApp) -> None:
    index = PlaceIndex(web.service)
    app.state.places = index

    @app.get(ROUTES["search"])
    async def search_json(q: str = "") -> Response:
        answer = await run_in_threadpool(search, index, q)
        return Response(dumps(answer), media_type="application/json")

    @app.get("/zoeken", response_class=HTMLResponse)
    async def search_page(request: Request, q: str = "") -> HTMLResponse:
        answer = await run_in_threadpool(search, index, q)
        return HTMLResponse(pages.search_results(answer))

    @app.get(ROUTES["layers"])
    def layers_json() -> Response:
        return Response(dumps(layer_metadata()), media_type="application/json")

    outlines: dict[str, list] = {}
    outline_lock = threading.Lock()

    def start_map() -> bytes:
        with outline_lock:  # computed once per server (the store does not change)
            if "gemeenten" not in outlines:
                outlines["gemeenten"] = gemeente_outlines(web.service)
        app.state.overview.get()  # starts the national overview if it is not running
        data = overview_map(web.service, outlines["gemeenten"], app.state.overview)
        features = []
        for row in data["gemeenten"]:
            geometry = row.pop("geometry")
            if geometry is not None:
                props = dumps(row).decode()
                features.append(
                    f'{{"type":"Feature","geometry":{geometry},"properties":{props}}}'
                )
        head = dumps(data).decode()
        return (
            f'{{"type":"FeatureCollection","metadata":{head},"features":[{",".join(features)}]}}'
        ).encode()

    @app.get(ROUTES["overview_map"])
    async def start_map_json() -> Response:
        return Response(await run_in_threadpool(start_map), media_type="application/geo+json")

    @app.get(ROUTES["wijken"])
    async def wijken(request: Request, state: ViewState = Depends(view_state)) -> Response:
        c = await web.view(request, state)
        blob = c.blobs.get(("wijken", ""))
        if blob is None:

            def build() -> bytes:
                names = {p.code: p.name for p in index.places() if p.level == "wijk"}
                return dumps(wijk_outlines(c.mapset, names))

            blob = await run_in_threadpool(build)
            c.blobs[("wijken", "")] = blob
        return Response(blob, media_type="application/geo+json")

"""Routes of the national buurt view (the work is in :mod:`veerkracht.web.national`).

Routes (all public: open data only):

* ``/tiles/buurten-{indeling}.pmtiles`` — the archive (Range requests, long caching);
* ``/api/nederland/waarden.json?indicator=…&jaar=…`` — values, classes and sources;
* ``/nederland`` (and ``/nederland.json``) — the page that draws them.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Query
from fastapi import Path as PathParam
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, HTMLResponse, Response

from veerkracht.errors import NoDataError
from veerkracht.web.data import dumps
from veerkracht.web.national import TileCache, national_page, national_values

if TYPE_CHECKING:
    from veerkracht.web.context import WebApp


def register(app: FastAPI, web: WebApp) -> None:
    """Add the tile archive, the national values and the ``/nederland`` page."""
    store = web.service.store
    cache = TileCache()
    app.state.tiles = cache
    editions: set[int] = set()
    editions_lock = threading.Lock()

    def polygon_editions() -> set[int]:
        # once per server, under a lock: MapLibre sends several Range requests at once and
        # the store's connection serves one query at a time
        with editions_lock:
            if not editions:
                editions.update(int(e) for e in store.geometry_codes(level="buurt").edition)
            return editions

    @app.get("/tiles/buurten-{indeling}.pmtiles")
    async def tiles(edition: int = PathParam(alias="indeling")) -> Response:
        if edition not in await run_in_threadpool(polygon_editions):
            raise NoDataError(
                f"geen buurtgrenzen van indeling {edition} in de store",
                fix="Gebruik de indeling die /api/nederland/waarden.json noemt.",
            )
        archive = await run_in_threadpool(cache.archive, store, edition)
        # FileResponse answers Range requests (206) itself; MapLibre asks only for ranges
        return FileResponse(
            archive.path,
            media_type="application/vnd.pmtiles",
            headers={"Cache-Control": "public, max-age=86400"},
        )

    memo: dict[tuple, dict[str, Any]] = {}  # (indicator, year) -> payload; the store is fixed

    def values(indicator: str | None, year: int | None) -> dict[str, Any]:
        if (indicator, year) not in memo:
            memo[(indicator, year)] = national_values(store, indicator, year)
        return memo[(indicator, year)]

    @app.get("/api/nederland/waarden.json")
    async def national_json(
        indicator: str | None = Query(None, max_length=60),
        year: int | None = Query(None, ge=1990, le=2100, alias="jaar"),
    ) -> Response:
        data = await run_in_threadpool(values, indicator, year)
        return Response(
            dumps(data),
            media_type="application/json",
            headers={"Cache-Control": "public, max-age=300"},
        )

    @app.get("/nederland.json")
    async def page_json(
        indicator: str | None = Query(None, max_length=60),
        year: int | None = Query(None, ge=1990, le=2100, alias="jaar"),
    ) -> Response:
        data = await run_in_threadpool(values, indicator, year)
        cache.prepare(store, data["indeling"])
        summary = {k: v for k, v in data.items() if k != "waarden"}
        summary["waarden_url"] = (
            f"/api/nederland/waarden.json?indicator={data['indicator']}&jaar={data['jaar']}"
        )
        return Response(dumps(summary), media_type="application/json")

    @app.get("/nederland", response_class=HTMLResponse)
    async def page(
        indicator: str | None = Query(None, max_length=60),
        year: int | None = Query(None, ge=1990, le=2100, alias="jaar"),
    ) -> HTMLResponse:
        try:
            data = await run_in_threadpool(values, indicator, year)
        except NoDataError as exc:
            return HTMLResponse(national_page(None, exc.message), 404)
        cache.prepare(store, data["indeling"])  # the tiles are asked for right after
        return HTMLResponse(national_page(data))

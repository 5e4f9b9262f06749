"""The FastAPI app: one :class:`~veerkracht.web.context.WebApp` and the routers.

Each area has its own module under :mod:`veerkracht.web.routes` with
``register(app, web)``; a new area adds its module and one ``register`` line below.
Access rules: see :mod:`veerkracht.web.context`; handlers and middleware:
:mod:`veerkracht.web.handlers`.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from fastapi import FastAPI

from veerkracht.store.accounts.database import Database, open_database
from veerkracht.web import frontend, handlers, overview

# kept importable from here for modules written before the split into routers
from veerkracht.web.common import (
    COOKIE,
    ApiError,
    busy,
    client_address,
    json_response,
    read_json,
    safe_next,
)
from veerkracht.web.context import WebApp, view_key, view_state
from veerkracht.web.data import DataService
from veerkracht.web.routes import (
    account,
    admin,
    auth,
    exports,
    open_data,
    own_data,
    own_data_flow,
    search,
    tiles,
    views,
)
from veerkracht.web.uploads import MAX_UPLOAD_BYTES

if TYPE_CHECKING:
    from veerkracht.store import Store

__all__ = ["COOKIE", "ApiError", "WebApp", "client_address", "create_app", "read_json"]
_json, _state, _key, _busy, _safe_next = json_response, view_state, view_key, busy, safe_next


def create_app(
    store: Store,
    *,
    database_url: str | None = None,
    database: Database | None = None,
    service: DataService | None = None,
    store_lock: threading.RLock | None = None,
    secure_cookies: bool = False,
    max_upload: int = MAX_UPLOAD_BYTES,
) -> FastAPI:
    """The web app on an open store (DuckDB); web tables in the store or PostgreSQL."""
    # imported here, not at the top: route modules may import helpers from this module

    web = _web_app(store, database_url, database, service, store_lock, secure_cookies, max_upload)
    app = FastAPI(
        title="Veerkracht-signaleringskaarten",
        description="Open data en eigen data per buurt. Alle teksten in het Nederlands.",
        version="1",
        docs_url=None,  # the Swagger UI loads scripts from a CDN; the schema is enough
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.web = web
    handlers.install(app, web)
    auth.register(app, web)
    open_data.register(app, web)
    exports.register(app, web)
    own_data.register(app, web)
    views.register(app, web)
    account.register(app, web)
    admin.register(app, web)
    overview.register(app, web.service)  # /overzicht (+ .json): the national overview
    tiles.register(app, web)  # /nederland: the national map from PMTiles
    own_data_flow.register(app, web)  # upload → preview → import the rest or cancel
    search.register(app, web)  # /zoeken, the start map, layer catalogue, wijk outlines
    frontend.install_frontend(app)
    return app


def _web_app(
    store: Store,
    database_url: str | None,
    database: Database | None,
    service: DataService | None,
    store_lock: threading.RLock | None,
    secure_cookies: bool,
    max_upload: int,
) -> WebApp:
    lock = store_lock or (service.lock if service else threading.RLock())
    service = service or DataService(store, lock)
    if database is None:
        # the web tables get their own cursor and lock: a session lookup never waits
        # for a view computation or an export
        base = getattr(store, "base", store)
        database = open_database(database_url, duck_con=base.con.cursor(), lock=threading.RLock())
    return WebApp(store, database, service, secure_cookies=secure_cookies, max_upload=max_upload)

"""Own data (overlays): upload, list, show, share with partners, delete.

Never public: an overlay is visible to its organisation and the partners it was shared
with (see :meth:`~veerkracht.web.context.WebApp.overlay`).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from veerkracht.errors import InputFileError, ParameterError
from veerkracht.web.common import ApiError, busy, json_response, read_json
from veerkracht.web.limits import GateFull
from veerkracht.web.state import ViewState, check_gemeente
from veerkracht.web.uploads import check_file_name, prepare_upload, read_form, upload_meta
from veerkracht.web.urls import ROUTES

if TYPE_CHECKING:
    from veerkracht.web.context import WebApp


def register(app: FastAPI, web: WebApp) -> None:
    _upload_route(app, web)
    _overlay_routes(app, web)


def _upload_route(app: FastAPI, web: WebApp) -> None:
    @app.post(ROUTES["uploads"])
    async def upload(request: Request) -> Response:
        user = await run_in_threadpool(web.require, request, "analist")
        form = await read_form(request, web.max_upload)
        file = form.get("bestand")
        if file is None or isinstance(file, str):
            raise ParameterError(
                "bestand", None, "geen bestand meegestuurd", fix="Stuur het veld 'bestand' mee."
            )
        name = check_file_name(file.filename)
        gm = check_gemeente(str(form.get("gemeente") or ""))
        state = ViewState.parse(gm, edition=form.get("indeling") or None)
        title = str(form.get("titel") or name).strip()[:120]
        c = await web.view(request, state)

        def work() -> str:
            with tempfile.TemporaryDirectory(prefix="veerkracht-web-") as tmp:
                raw = Path(tmp) / "inhoud"
                file.file.seek(0)
                raw.write_bytes(file.file.read())
                placement = prepare_upload(
                    raw,
                    name,
                    store=web.service.store,
                    organisation=user.organisation,
                    gemeente=gm,
                    edition=c.result.edition,
                )
            if placement.unplaced:  # this route stores at once: only a file that fits whole
                shown = "; ".join(f"rij {u.row}: {u.reason}" for u in placement.unplaced[:5])
                raise InputFileError(
                    Path(name),
                    f"{len(placement.unplaced)} rij(en) niet te plaatsen: {shown}",
                    rows=[u.row for u in placement.unplaced],
                    fix="Verbeter die rijen, of kies bij 'Eigen data toevoegen' "
                    "(/eigen-data/nieuw) of u de rest wilt importeren.",
                )
            meta = upload_meta(placement, name)
            meta.update(
                organisation_id=user.organisation_id,
                title=title,
                created_by=user.user_id,
            )
            return web.repo.save_upload(meta, placement.value_rows())

        try:
            async with web.renders.slot():  # reading a file is heavy work too: bounded
                upload_id = await run_in_threadpool(work)
        except GateFull:
            raise busy(5, "de server is druk; probeer het uploaden zo opnieuw") from None
        saved = web.repo.upload(upload_id)
        if saved is None:  # deleted between saving and reading it back
            raise ApiError(404, f"upload {upload_id} bestaat niet meer")
        return json_response({"upload": web.upload_json(saved)}, 201)


def _overlay_routes(app: FastAPI, web: WebApp) -> None:
    @app.get(ROUTES["uploads"])
    def uploads(request: Request, gemeente: str | None = None) -> Response:
        user = web.require(request)
        gm = check_gemeente(gemeente) if gemeente else None
        found = web.repo.visible_uploads(user.organisation_id, gm)
        return json_response({"uploads": [web.upload_json(u) for u in found]})

    @app.get("/api/uploads/{upload_id}.json")
    def upload_detail(request: Request, upload_id: str) -> Response:
        user = web.require(request)
        up = web.overlay(user, upload_id)
        return json_response(
            {"upload": web.upload_json(up), "waarden": web.overlay_values(upload_id)}
        )

    @app.post(ROUTES["upload_share"])
    async def share(request: Request, upload_id: str) -> Response:
        user, up = await run_in_threadpool(web.owned_overlay, request, upload_id)
        body = await read_json(request)
        names = body.get("organisaties") if isinstance(body, dict) else None
        await run_in_threadpool(web.share_upload, user, up, names)
        return json_response({"upload": web.upload_json(up)})

    @app.delete("/api/uploads/{upload_id}")
    def delete(request: Request, upload_id: str) -> Response:
        _, up = web.owned_overlay(request, upload_id)
        web.repo.delete_upload(up["upload_id"])
        return json_response({"verwijderd": up["upload_id"]})

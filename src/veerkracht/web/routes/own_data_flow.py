"""Own data for a non-programmer: choose gemeente and buurtindeling, upload, see which rows
cannot be placed (row number and reason), then import the rest or cancel.

Pages (server-rendered, work without JavaScript) and their JSON twins:

* ``GET /eigen-data/nieuw[.json]?gemeente=GM0363`` — the form with the valid indelingen;
* ``POST /api/uploads/voorbeeld`` — place the file, store nothing; answers the preview
  (JSON, or the preview page when the form sends ``pagina=1``);
* ``GET /eigen-data/voorbeeld/{token}[.json]`` — the preview again;
* ``POST /api/uploads/voorbeeld/{token}/importeren`` | ``…/annuleren`` — the user's choice;
* ``GET /api/eigen-data/lagen.json?gemeente=`` — the visible overlays for a layer menu.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from veerkracht.errors import ParameterError, VeerkrachtError
from veerkracht.own_data import EditionChoice, edition_choices
from veerkracht.web.common import ApiError, busy, json_response
from veerkracht.web.limits import GateFull
from veerkracht.web.pages import esc, page
from veerkracht.web.state import check_gemeente
from veerkracht.web.uploads import (
    PendingUploads,
    check_file_name,
    overlays_json,
    prepare_upload,
    read_form,
    upload_meta,
)

if TYPE_CHECKING:
    from veerkracht.store.accounts.repo import User
    from veerkracht.web.context import WebApp
    from veerkracht.web.uploads import Pending

_STYLE = (
    "<style>form.vk p{margin:.6rem 0}label{display:block;font-weight:600}"
    "select,input{font-size:1rem;padding:.3rem}button{font-size:1rem;padding:.4rem .9rem;"
    "margin-right:.6rem}.primair{background:#1a1a1a;color:#fff;border:0}"
    ".sub{color:#555}</style>"
)


def register(app: FastAPI, web: WebApp) -> None:
    """Add the upload → preview → import/cancel flow to ``app``."""

    pending = PendingUploads()
    app.state.pending_uploads = pending
    choices_cache: dict[str, list[EditionChoice]] = {}

    def choices(gm: str) -> list[EditionChoice]:
        if gm not in choices_cache:
            choices_cache[gm] = edition_choices(web.service.store, gm)
        return choices_cache[gm]

    def form_data(user: User, gemeente: str | None) -> dict[str, Any]:
        gms = [g for g in web.service.gemeenten() if g["kaart"]]
        gm = check_gemeente(gemeente) if gemeente else None
        return {
            "gemeente": gm,
            "gemeenten": [{"code": g["code"], "naam": g["naam"]} for g in gms],
            "indelingen": [_choice_json(c) for c in choices(gm)] if gm else [],
            "organisatie": user.organisation,
        }

    @app.get("/api/eigen-data/lagen.json")
    def overlay_layers(request: Request, gemeente: str | None = None) -> Response:
        """The overlays the user may see, described for a layer menu's 'eigen data' group."""
        user = web.require(request)
        gm = check_gemeente(gemeente) if gemeente else None
        return json_response(
            {
                "groep": "eigen data",
                "lagen": overlays_json(web.repo.visible_uploads(user.organisation_id, gm)),
            }
        )

    @app.get("/eigen-data/nieuw.json")
    def new_twin(request: Request, gemeente: str | None = None) -> Response:
        user = web.require(request, "analist")
        return json_response(form_data(user, gemeente))

    @app.get("/eigen-data/nieuw", response_class=HTMLResponse)
    def new_page(request: Request, gemeente: str | None = None) -> HTMLResponse:
        user = web.require(request, "analist")
        return HTMLResponse(_form_page(user, form_data(user, gemeente)))

    @app.post("/api/uploads/voorbeeld")
    async def preview(request: Request) -> Response:
        user = await run_in_threadpool(web.require, request, "analist")
        form = await read_form(request, web.max_upload)
        as_page = str(form.get("pagina") or "") == "1"
        try:
            item = await _place(web, pending, user, form)
        except VeerkrachtError as exc:
            if not as_page:
                raise
            data = form_data(user, str(form.get("gemeente") or "") or None)
            return HTMLResponse(_form_page(user, data, exc), 400)
        if as_page:
            return RedirectResponse(f"/eigen-data/voorbeeld/{item.token}", 303)
        return json_response(_preview_json(item), 201)

    def mine(request: Request, token: str) -> tuple[User, Pending]:
        user = web.require(request, "analist")
        item = pending.get(token, user.user_id)
        if item is None:
            raise ApiError(
                404,
                "dit voorbeeld bestaat niet (meer): het is al gebruikt, geannuleerd of verlopen",
                "Upload het bestand opnieuw via /eigen-data/nieuw.",
            )
        return user, item

    @app.get("/eigen-data/voorbeeld/{token}.json")
    def preview_twin(request: Request, token: str) -> Response:
        _, item = mine(request, token)
        return json_response(_preview_json(item))

    @app.get("/eigen-data/voorbeeld/{token}", response_class=HTMLResponse)
    def preview_page(request: Request, token: str) -> HTMLResponse:
        user, item = mine(request, token)
        return HTMLResponse(_preview_page(user, item))

    def is_form(request: Request) -> bool:
        kind = request.headers.get("content-type", "")
        return kind.startswith(("application/x-www-form-urlencoded", "multipart/form-data"))

    @app.post("/api/uploads/voorbeeld/{token}/importeren")
    async def do_import(request: Request, token: str) -> Response:
        user, item = await run_in_threadpool(mine, request, token)
        if pending.take(token, user.user_id) is None:  # two clicks: only one imports
            raise ApiError(404, "dit voorbeeld is al gebruikt")
        if item.placement.n_placed == 0:
            raise ApiError(
                400,
                "geen enkele rij is geplaatst: er valt niets te importeren",
                "Verbeter het bestand of kies een andere buurtindeling.",
            )
        meta = dict(
            item.meta,
            organisation_id=user.organisation_id,
            title=item.title,
            created_by=user.user_id,
        )
        upload_id = await run_in_threadpool(web.repo.save_upload, meta, item.placement.value_rows())
        target = (
            f"/kaart/{item.placement.gemeente}?indeling={item.placement.edition}"
            f"&overlay={quote(upload_id)}"
        )
        if is_form(request):
            return RedirectResponse(target, 303)
        saved = web.repo.upload(upload_id)
        return json_response({"upload": web.upload_json(saved), "kaart": target}, 201)

    @app.post("/api/uploads/voorbeeld/{token}/annuleren")
    async def do_cancel(request: Request, token: str) -> Response:
        user, item = await run_in_threadpool(mine, request, token)
        pending.take(token, user.user_id)
        if is_form(request):
            return RedirectResponse(
                f"/eigen-data/nieuw?gemeente={item.placement.gemeente}&geannuleerd=1", 303
            )
        return json_response({"geannuleerd": token, "opgeslagen": False})


async def _place(web: WebApp, pending: PendingUploads, user: User, form: Any) -> Pending:
    file = form.get("bestand")
    if file is None or isinstance(file, str) or not file.filename:
        raise ParameterError(
            "bestand", None, "geen bestand gekozen", fix="Kies een CSV- of XLSX-bestand."
        )
    name = check_file_name(file.filename)
    gm = check_gemeente(str(form.get("gemeente") or ""))
    text = str(form.get("indeling") or "").strip()
    if not text.isdigit():
        raise ParameterError(
            "buurtindeling",
            text or None,
            "geen buurtindeling gekozen",
            fix="Kies de buurtindeling waarin de buurtcodes of punten staan.",
        )
    title = str(form.get("titel") or Path(name).stem).strip()[:120] or Path(name).stem

    def work() -> Pending:
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
                edition=int(text),
            )
        meta = upload_meta(placement, name)
        return pending.add(user.organisation_id, user.user_id, title, placement, meta)

    try:
        async with web.renders.slot():  # reading a file is heavy work too: bounded
            return await run_in_threadpool(work)
    except GateFull:
        raise busy(5, "de server is druk; probeer het uploaden zo opnieuw") from None


def _choice_json(choice: EditionChoice) -> dict[str, int]:
    return {"jaar": choice.edition, "buurten": choice.buurten, "met_grens": choice.with_boundary}


def _choice_label(choice: dict[str, Any]) -> str:
    """'Buurtindeling 2022 (439 buurten, 439 met kaartgrens)' for the form's option."""
    return (
        f"Buurtindeling {choice['jaar']} ({choice['buurten']} buurten, "
        f"{choice['met_grens']} met kaartgrens)"
    )


def _preview_json(item: Pending) -> dict[str, Any]:
    summary = item.placement.summary()
    return {
        "voorbeeld": item.token,
        "titel": item.title,
        "bestand": item.meta["file_name"],
        **summary,
        "importeren": f"/api/uploads/voorbeeld/{item.token}/importeren",
        "annuleren": f"/api/uploads/voorbeeld/{item.token}/annuleren",
    }


# ------------------------------------------------------------------ pages
def _form_page(user: User, data: dict[str, Any], error: VeerkrachtError | None = None) -> str:
    gm = data["gemeente"]
    options = "".join(
        f'<option value="{esc(g["code"])}"{" selected" if g["code"] == gm else ""}>'
        f"{esc(g['naam'] or g['code'])} ({esc(g['code'])})</option>"
        for g in data["gemeenten"]
    )
    body = _STYLE
    if error is not None:
        rows = ""
        if getattr(error, "rows", None):
            rows = f" (rij {', '.join(map(str, error.rows[:20]))})"
        fix = f" {esc(error.fix)}" if error.fix else ""
        body += f'<p class="fout" role="alert" id="vk-fout">{esc(error.message)}{rows}.{fix}</p>'
    body += (
        "<p>Zet gegevens van uw organisatie op de kaart, bijvoorbeeld uw complexen. Het "
        "bestand (CSV of XLSX, max. 10 MB) heeft één kopregel en per rij een "
        "<b>buurtcode</b>, een <b>postcode</b> (1012 of 1012AB), een <b>adres</b> "
        "(bijv. Damrak 1, met een kolom plaats of postcode erbij) of "
        "<b>coördinaten</b> (x en y in RD, of lat en lon), plus getallen of labels. "
        "Postcodes met letters en adressen worden opgezocht bij PDOK en kunnen alleen "
        "als de server online is.</p>"
        '<form class="vk" method="get" action="/eigen-data/nieuw">'
        '<p><label for="vk-gemeente-keuze">1. Gemeente</label>'
        f'<select id="vk-gemeente-keuze" name="gemeente">{options}</select> '
        '<button type="submit">Kies</button></p></form>'
    )
    if gm:
        options = "".join(
            f'<option value="{c["jaar"]}">{esc(_choice_label(c))}</option>'
            for c in data["indelingen"]
        )
        body += (
            '<form class="vk" id="vk-eigen-formulier" method="post" '
            'action="/api/uploads/voorbeeld" enctype="multipart/form-data">'
            '<input type="hidden" name="pagina" value="1">'
            f'<input type="hidden" name="gemeente" value="{esc(gm)}">'
            '<p><label for="vk-indeling-keuze">2. Buurtindeling van uw bestand</label>'
            f'<select id="vk-indeling-keuze" name="indeling" required>{options}</select><br>'
            '<span class="sub">De indeling (het jaar) waarin uw buurtcodes gelden; bij '
            "coördinaten en adressen: de buurtgrenzen waarin de punten vallen.</span></p>"
            '<p><label for="vk-titel">3. Naam op de kaart</label>'
            '<input id="vk-titel" type="text" name="titel" maxlength="120" '
            'placeholder="Bijv. Complexen 2024"></p>'
            '<p><label for="vk-bestand">4. Bestand</label>'
            '<input id="vk-bestand" type="file" name="bestand" accept=".csv,.xlsx,.txt" '
            "required></p>"
            '<p><button type="submit" class="primair">Controleren</button>'
            '<span class="sub">Er wordt nog niets opgeslagen: u ziet eerst welke rijen '
            "geplaatst kunnen worden.</span></p></form>"
        )
    return page("Eigen data toevoegen", body, user=user, json_url=_twin(gm))


def _twin(gm: str | None) -> str:
    return "/eigen-data/nieuw.json" + (f"?gemeente={gm}" if gm else "")


def _preview_page(user: User, item: Pending) -> str:
    s = item.placement.summary()
    unplaced = s["niet_geplaatst"]
    body = _STYLE + (
        f"<p><b>{esc(item.title)}</b> ({esc(item.meta['file_name'])}) voor "
        f"{esc(s['gemeente']['naam'])}, buurtindeling {s['indeling']}, gekoppeld op "
        f"{esc(s['sleutel'])}.</p>"
        f'<p id="vk-samenvatting">{s["geplaatst"]} van de {s["rijen"]} rijen kunnen in '
        f"{s['buurten']} buurten geplaatst worden; {len(unplaced)} "
        f"{'rij kan' if len(unplaced) == 1 else 'rijen kunnen'} niet geplaatst worden.</p>"
    )
    if unplaced:
        rows = "".join(
            f"<tr><td>{u['rij']}</td><td>{esc(u['sleutel'])}</td><td>{esc(u['reden'])}</td></tr>"
            for u in unplaced
        )
        body += (
            '<h2>Niet te plaatsen</h2><table id="vk-niet-geplaatst"><thead><tr><th>Rij</th>'
            f"<th>Waarde</th><th>Reden</th></tr></thead><tbody>{rows}</tbody></table>"
        )
    if s["meldingen"]:
        body += (
            "<h2>Meldingen</h2><ul>"
            + "".join(f"<li>{esc(n)}</li>" for n in s["meldingen"])
            + "</ul>"
        )
    label = "Importeer de rest" if unplaced else "Importeer"
    disabled = " disabled" if s["geplaatst"] == 0 else ""
    body += (
        '<div class="vk-keuze" style="margin-top:1rem">'
        f'<form method="post" action="/api/uploads/voorbeeld/{esc(item.token)}/importeren" '
        f'style="display:inline"><button type="submit" class="primair" id="vk-importeer"'
        f"{disabled}>{label}</button></form>"
        f'<form method="post" action="/api/uploads/voorbeeld/{esc(item.token)}/annuleren" '
        'style="display:inline"><button type="submit" id="vk-annuleer">Annuleren</button>'
        "</form></div>"
        '<p class="sub">Annuleren bewaart niets. Importeren zet alleen de geplaatste rijen '
        "op de kaart; alleen uw organisatie ziet ze, tot u ze deelt.</p>"
    )
    return page(
        "Controleer uw bestand",
        body,
        user=user,
        json_url=f"/eigen-data/voorbeeld/{item.token}.json",
    )

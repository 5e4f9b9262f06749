"""The interactive map app: the static bundle (``/static``) and the page that loads it.

The bundle (MapLibre GL JS + ``web/frontend/src``) is built by ``scripts/setup.sh``
(``npm ci && npm run build`` in ``web/frontend``) into ``static/`` next to this
module; it is never committed. Without it the page says so in Dutch instead of
showing a broken map. The page needs no network beyond this server: no CDN, no
tiles (the style is a blank background with the buurten GeoJSON as the only source).
"""

from __future__ import annotations

import gzip
import json
import mimetypes
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from starlette.middleware.gzip import GZipMiddleware

from veerkracht.web import pages
from veerkracht.web.pages import esc

if TYPE_CHECKING:
    from fastapi import FastAPI

    from veerkracht.web.state import ViewState

STATIC_DIR = Path(__file__).parent / "static"
BUNDLE = ("app.js", "app.css", "maplibre-worker.js", "start.js")
NOT_BUILT = "De kaart-app is niet gebouwd: voer scripts/setup.sh uit"


def bundle_ready(static_dir: Path = STATIC_DIR) -> bool:
    return all((static_dir / name).is_file() for name in BUNDLE)


def _version(static_dir: Path) -> str:
    """Cache-buster: changes whenever the bundle is rebuilt."""
    return str(int(max((static_dir / n).stat().st_mtime for n in BUNDLE)))


#: Bundle files sent gzipped from memory: compressed once per build instead of on every
#: request (GZipMiddleware compresses the 1 MB of MapLibre again for each visitor).
PACKED_SUFFIXES = (".js", ".css")


class PackedStatic:
    """``/static``: scripts and styles gzipped once per build, the rest as files."""

    def __init__(self, static_dir: Path) -> None:
        self.static_dir = static_dir
        files = StaticFiles(directory=static_dir, check_dir=False)
        self.files = GZipMiddleware(files, minimum_size=1024)
        self._packed: dict[str, tuple[float, bytes]] = {}
        self._lock = threading.Lock()

    def packed(self, name: str) -> bytes | None:
        """The file gzipped (kept until the file changes), or None: not one of ours."""
        if not name.endswith(PACKED_SUFFIXES) or "/" in name or name.startswith("."):
            return None
        path = self.static_dir / name
        try:
            mtime = path.stat().st_mtime
        except OSError:
            return None
        with self._lock:  # one compression per build, also when visitors arrive at once
            hit = self._packed.get(name)
            if hit is None or hit[0] != mtime:
                hit = (mtime, gzip.compress(path.read_bytes(), compresslevel=9, mtime=0))
                self._packed[name] = hit
        return hit[1]

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD") and _gzip_ok(scope):
            body = await run_in_threadpool(self.packed, _file_name(scope))
            if body is not None:
                kind = mimetypes.guess_type(_file_name(scope))[0] or "application/octet-stream"
                headers = {"Content-Encoding": "gzip", "Vary": "Accept-Encoding"}
                await Response(body, media_type=kind, headers=headers)(scope, receive, send)
                return
        await self.files(scope, receive, send)


def _gzip_ok(scope: Any) -> bool:
    accept = dict(scope["headers"]).get(b"accept-encoding", b"")
    return b"gzip" in accept


def _file_name(scope: Any) -> str:
    """The path below the mount (``/static/app.js`` -> ``app.js``)."""
    path, root = scope["path"], scope.get("root_path", "")
    if root and path.startswith(root):
        path = path[len(root) :]
    return path.lstrip("/")


def install_frontend(app: FastAPI, static_dir: Path = STATIC_DIR) -> None:
    """Serve ``static/`` at ``/static`` (a mount: works even before the first build).

    Gzipped: the bundle (MapLibre included) shrinks from about 1 MB to about 270 kB.
    """
    app.mount("/static", PackedStatic(static_dir), name="static")


def _start_json(data: dict) -> str:
    # Inside <script type="application/json">: '<' escaped so no '</script>' can end it
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _user_box(user: Any) -> str:
    if user is None:
        return '<a id="vk-inloggen" href="/inloggen">Inloggen</a>'
    return f"<span>{pages.user_links(user)}</span>"


def search_box() -> str:
    """The place search of every page's header (gemeente, wijk, buurt, postcode, adres)."""
    return (
        '<div class="vk-zoek" role="search">'
        '<label for="vk-zoek" class="vk-verborgen">Zoek een buurt, wijk, gemeente of postcode'
        "</label>"
        '<input id="vk-zoek" type="search" placeholder="Zoek een buurt, wijk, gemeente of '
        'postcode…" autocomplete="off">'
        '<ul id="vk-suggesties" class="vk-lijst" role="listbox" aria-label="Zoekresultaten" '
        "hidden></ul>"
        '<p id="vk-zoek-melding" class="vk-zoek-melding" role="status" hidden></p></div>'
    )


def _own_data(user: Any, gemeente: str | None = None) -> str:
    if user is None:
        return (
            '<section aria-labelledby="vk-eigen-kop"><h2 id="vk-eigen-kop">Eigen data</h2>'
            '<p class="vk-sub"><a href="/inloggen" id="vk-eigen-inloggen">Log in</a> om eigen '
            "data (bijv. corporatiebezit per complex) op de kaart te zetten.</p></section>"
        )
    add = ""
    if user.may("analist"):
        target = "/eigen-data/nieuw" + (f"?gemeente={esc(gemeente)}" if gemeente else "")
        add = (
            f'<p><a class="vk-knop primair" id="vk-eigen-toevoegen" href="{target}">'
            "Eigen data toevoegen</a></p>"
            '<p class="vk-sub">Een CSV of XLSX met per rij een buurtcode, postcode, adres of '
            "coördinaten. U ziet eerst welke rijen geplaatst kunnen worden.</p>"
        )
    return (
        '<section aria-labelledby="vk-eigen-kop"><h2 id="vk-eigen-kop">Eigen data</h2>'
        '<ul id="vk-eigen-lijst" class="vk-eigen"></ul>'
        f'<p id="vk-eigen-aantal" class="vk-sub" aria-live="polite"></p>{add}</section>'
    )


def _share(user: Any) -> str:
    if user is None or not user.may("analist"):
        return ""
    return (
        '<section aria-labelledby="vk-deel-kop"><h2 id="vk-deel-kop">Deel deze kaart</h2>'
        '<form id="vk-deel" class="vk-formulier">'
        '<label class="vk-veld"><span>Partnerorganisaties (één per regel)</span>'
        '<textarea name="organisaties" rows="2" required></textarea></label>'
        '<label class="vk-vink"><input type="checkbox" name="ookdata" checked> '
        "Deel ook de eigen data in deze kaart</label>"
        '<button type="submit" class="vk-knop primair">Deel</button></form>'
        '<div id="vk-deel-uitkomst" aria-live="polite"></div></section>'
    )


_EXPORTS = (
    ("png", "PNG"),
    ("pdf", "PDF"),
    ("csv", "CSV"),
    ("xlsx", "Excel"),
    ("html", "HTML"),
    ("bestuurskaart", "Bestuurskaart A4"),
    ("bestuurskaart_a3", "Bestuurskaart A3"),
)


def app_page(
    state: ViewState | None, title: str, user: Any = None, shared: str | None = None
) -> str:
    """The map app's HTML; the view state travels in a JSON data block (no inline script)."""
    if not bundle_ready():  # the server-rendered table of the view, with the reason

        if state is None:
            return pages.error(503, NOT_BUILT)
        return pages.view(state, title, user, NOT_BUILT + ".")
    version = _version(STATIC_DIR)
    start = {
        "staat": state.as_dict() if state is not None else None,
        "gedeeld": shared,
        "gebruiker": user.as_json() if user is not None else None,
    }
    exports = "".join(
        f'<a class="vk-knop" id="vk-export-{k}" aria-disabled="true" target="_blank" '
        f'rel="noopener" href="#">{label}</a>'
        for k, label in _EXPORTS
    )
    json_link = ""
    if state is not None:
        json_link = (
            f'<link rel="alternate" type="application/json" '
            f'href="/kaart/{esc(state.gemeente)}.json?{esc(state.query())}">'
        )
    return f"""<!doctype html>
<html lang="nl"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>{esc(title)} – Veerkracht</title>{json_link}
<link rel="stylesheet" href="/static/app.css?v={version}">
<script defer src="/static/app.js?v={version}"></script>
</head><body class="vk">
<script type="application/json" id="vk-start">{_start_json(start)}</script>
<header class="vk-top">
<a class="vk-merk" href="/">Veerkracht<small>signaleringskaarten</small></a>
<h1 id="vk-gemeentenaam">{esc(title)}</h1>
{search_box()}
<div class="vk-gebruiker">{_user_box(user)}</div>
</header>
<div class="vk-main">
<aside class="vk-zijbalk" aria-label="Kaartinstellingen">
<section aria-labelledby="vk-kaart-kop"><h2 id="vk-kaart-kop">Kaart</h2>
<fieldset id="vk-instellingen" disabled>
<legend class="vk-verborgen">Kaartinstellingen</legend>
<label class="vk-veld"><span>Thema</span><select id="vk-groep"></select></label>
<label class="vk-veld"><span>Kaartlaag</span><select id="vk-laag"></select></label>
<div id="vk-uitleg" class="vk-uitleg" aria-live="polite"></div>
<label class="vk-veld"><span>Periode (van–tot, alleen jaren met gegevens)</span>
<select id="vk-periode"></select></label>
<label class="vk-veld"><span>Buurtindeling</span><select id="vk-indeling"></select></label>
<label class="vk-veld"><span>Klassenschema</span><select id="vk-klassen"></select></label>
<label class="vk-veld"><span>Vergelijken met</span><select id="vk-referentie"></select></label>
<label class="vk-veld"><span>Zoek een buurt</span>
<input id="vk-buurtzoek" type="search" list="vk-buurtlijst" placeholder="Naam of buurtcode…"
autocomplete="off"></label>
<datalist id="vk-buurtlijst"></datalist>
</fieldset>
</section>
<section id="vk-legenda" aria-live="polite" aria-label="Legenda"></section>
<details id="vk-dekking" class="vk-dekking" hidden>
<summary>Waar de signalen op rusten</summary><div id="vk-dekking-inhoud"></div></details>
{_own_data(user, state.gemeente if state is not None else None)}
<section aria-labelledby="vk-export-kop"><h2 id="vk-export-kop">Downloaden</h2>
<div class="vk-knoppen">{exports}</div></section>
{_share(user)}
<section aria-labelledby="vk-gm-kop"><h2 id="vk-gm-kop">Vergelijk met gemeente</h2>
<div class="vk-zoek vk-zoek-licht">
<label for="vk-andere-gemeente" class="vk-verborgen">Andere gemeente</label>
<input id="vk-andere-gemeente" type="search" placeholder="Andere gemeente…" autocomplete="off">
<ul id="vk-andere-suggesties" class="vk-lijst" role="listbox" aria-label="Gemeenten" hidden></ul>
</div></section>
</aside>
<main class="vk-kaartvak" id="vk-kaartvak" aria-busy="true">
<div id="vk-kaart" role="region" aria-label="Kaart van de buurten; klik een buurt voor het profiel,
shift-klik om te vergelijken"></div>
<div id="vk-tip" class="vk-tip" role="tooltip" hidden></div>
<div class="vk-kaartknoppen"><label class="vk-vink"><input type="checkbox" id="vk-achtergrond">
Achtergrondkaart</label><span id="vk-achtergrond-melding" class="vk-sub" aria-live="polite">
</span></div>
<div id="vk-melding" class="vk-melding" role="alert" hidden></div>
<div id="vk-laden" class="vk-laden" role="status" hidden>Kaart laden…</div>
<noscript><p class="vk-melding">De kaart-app heeft JavaScript nodig.</p></noscript>
</main>
<aside id="vk-paneel" class="vk-paneel" aria-label="Buurtprofiel" hidden>
<div class="vk-paneel-kop">
<button type="button" class="vk-knop" id="vk-vergelijk-knop">Vergelijk met andere buurt</button>
<button type="button" class="vk-knop" id="vk-paneel-sluit"
aria-label="Profiel sluiten">Sluiten</button>
</div>
<div id="vk-paneel-inhoud" aria-live="polite"></div>
</aside>
</div>
</body></html>
"""


def start_page(user: Any = None) -> str:
    """``/``: search, the national overview as a map and a list, recent views."""
    version = _version(STATIC_DIR)
    return f"""<!doctype html>
<html lang="nl"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>Veerkracht-signaleringskaarten</title>
<link rel="alternate" type="application/json" href="/overzicht.json">
<link rel="stylesheet" href="/static/app.css?v={version}">
<script defer src="/static/start.js?v={version}"></script>
</head><body class="vk vk-startpagina">
<header class="vk-top">
<a class="vk-merk" href="/">Veerkracht<small>signaleringskaarten</small></a>
<h1 id="vk-gemeentenaam">Waar wonen kwetsbare bewoners, en waar schuurt het?</h1>
{search_box()}
<div class="vk-gebruiker">{_user_box(user)}</div>
</header>
<div class="vk-start">
<section class="vk-start-lijst" aria-labelledby="vk-start-kop">
<p class="vk-start-intro">Zoek hierboven uw gemeente, wijk, buurt of postcode, of kies een
gemeente op de kaart of in de lijst. Per buurt ziet u waar kwetsbare groepen zich
concentreren en of dat samengaat met meer overlast of onveiligheid.</p>
<section id="vk-recent" aria-labelledby="vk-recent-kop" hidden>
<h2 id="vk-recent-kop">Recent bekeken</h2><ul id="vk-recent-lijst" class="vk-recent"></ul>
</section>
<h2 id="vk-start-kop">Gemeenten</h2>
<p id="vk-start-status" class="vk-sub" role="status">Landelijk overzicht laden…</p>
<table class="vk-tabel vk-gemeentelijst" id="vk-gemeentelijst">
<caption class="vk-verborgen">Gemeenten met het aantal buurten met een signaal</caption>
<thead><tr><th scope="col">Gemeente</th><th scope="col" class="vk-getal">Probleem</th>
<th scope="col" class="vk-getal">Kwetsbaar</th><th scope="col" class="vk-getal">Buurten
beoordeeld</th></tr></thead><tbody></tbody></table>
<p class="vk-sub" id="vk-start-bron"></p>
<noscript><p><a href="/overzicht">Het landelijk overzicht als tabel</a></p></noscript>
</section>
<main class="vk-kaartvak vk-start-kaart" id="vk-kaartvak" aria-busy="true">
<div id="vk-kaart" role="region" aria-label="Kaart van de gemeenten; klik een gemeente om haar
kaart te openen"></div>
<div id="vk-tip" class="vk-tip" role="tooltip" hidden></div>
<section id="vk-legenda" class="vk-start-legenda" aria-live="polite" aria-label="Legenda">
</section>
<div id="vk-melding" class="vk-melding" role="alert" hidden></div>
</main>
</div>
<footer class="vk-voet"><details><summary>Voor ontwikkelaars</summary>
<a href="/overzicht">Landelijk overzicht (tabel)</a> · <a href="/overzicht.json">/overzicht.json</a>
· <a href="/api/gemeenten">/api/gemeenten</a> · <a href="/api/zoeken.json?q=sloter">
/api/zoeken.json</a> · <a href="/api/lagen.json">/api/lagen.json</a> ·
<a href="/api/openapi.json">OpenAPI-schema</a></details></footer>
</body></html>
"""


def home(gemeenten: list[dict], user: Any) -> str:
    """``/``: the start page of the map app; without a built bundle a plain list."""
    if bundle_ready():
        return start_page(user)
    items = [
        (f"{g['naam']} ({g['code']})", f"/kaart/{g['code']}") for g in gemeenten if g["signalen"]
    ]
    body = (
        "<p>Kies een gemeente met signalen. Zoeken kan via "
        '<a href="/api/gemeenten?q=amster">/api/gemeenten?q=…</a>.</p>' + pages.links(items)
    )
    return pages.page("Gemeenten", body, user=user, json_url="/api/gemeenten")

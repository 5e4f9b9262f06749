"""``/overzicht`` and its JSON twin ``/overzicht.json``: the national overview in the web app.

The overview runs every gemeente through the pipeline, which takes minutes; it is
computed once, in a background thread on the app's one store connection (holding the
store lock per gemeente, so other requests go on in between), and kept in memory. Until
it is ready both routes answer 202 with the progress, and the page refreshes itself.
Sorting is done by the server (``?sorteer=kolom&volgorde=af``): no script is needed.
"""

from __future__ import annotations

import logging
import math
import threading
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from fastapi import FastAPI, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response

from veerkracht.numbers import count, number
from veerkracht.overview import overview_in_process
from veerkracht.web import pages
from veerkracht.web.data import dumps

if TYPE_CHECKING:
    from veerkracht.overview import Overview
    from veerkracht.web.data import DataService

log = logging.getLogger(__name__)

REFRESH_S = 10


class OverviewCache:
    """Computes the overview once (in a thread) and keeps it."""

    def __init__(self, service: DataService, gemeenten: list[str] | None = None) -> None:
        self.service = service
        self.gemeenten = gemeenten  # None: every gemeente in the store (tests: a subset)
        self.result: Overview | None = None
        self.error: str = ""
        self.progress = (0, 0)
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    def get(self) -> Overview | None:
        """The overview, or None while it is being computed (starts the computation)."""
        if self.result is None and not self.error:
            with self._start_lock:
                if self._thread is None:
                    self._thread = threading.Thread(
                        target=self._compute, name="veerkracht-overzicht", daemon=True
                    )
                    self._thread.start()
        return self.result

    def wait(self, timeout: float | None = None) -> Overview | None:
        self.get()
        if self._thread is not None:
            self._thread.join(timeout)
        return self.result

    def _compute(self) -> None:
        def step(i: int, n: int) -> None:
            self.progress = (i, n)

        try:
            self.result = overview_in_process(
                self.service.store,
                lock=self.service.lock,
                gemeenten=self.gemeenten,
                on_done=step,
            )
        except Exception as exc:  # shown on the page instead of a hanging 202
            log.exception("overview failed")
            self.error = f"{type(exc).__name__}: {exc}"


def _cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "onbekend"
    if isinstance(value, float):
        # decimal comma like every other number on the site (was 12.5, now 12,5)
        return count(value) if value == int(value) else number(value, 1)
    return str(value)


def _sorted(records: list[dict], column: str, descending: bool) -> list[dict]:
    known = [r for r in records if r.get(column) is not None]
    unknown = [r for r in records if r.get(column) is None]  # unknown always last
    known.sort(key=lambda r: r[column], reverse=descending)
    return known + unknown


def _busy_page(cache: OverviewCache) -> str:
    done, total = cache.progress
    body = (
        f'<meta http-equiv="refresh" content="{REFRESH_S}">'
        "<p>Het landelijke overzicht wordt berekend: de signalen van elke gemeente, "
        f"vergeleken met Nederland. Klaar: {done} van {total or '…'} gemeenten. Deze pagina "
        f"ververst zichzelf elke {REFRESH_S} seconden.</p>"
    )
    return pages.page("Landelijk overzicht", body, json_url="/overzicht.json")


def overview_page(data: dict, sort: str, order: str) -> str:
    """The HTML of the finished overview (from its JSON, so both show the same rows)."""
    esc = pages.esc
    figures = "".join(
        f"<li><strong>{esc(f['tekst'])}</strong>.<br><small>Definitie: {esc(f['definitie'])}"
        "</small></li>"
        for f in data["landelijk"]
    )
    records = data["gemeenten"]
    columns = list(records[0]) if records else []
    columns = [c for c in columns if c != "dekking"]
    if sort not in columns:
        sort = "rang"
    rows = _sorted(records, sort, order == "af")
    head = []
    for col in columns:
        flip = "op" if (col == sort and order == "af") or col != sort else "af"
        arrow = (" ▼" if order == "af" else " ▲") if col == sort else ""
        query = urlencode({"sorteer": col, "volgorde": flip})
        head.append(f'<th><a href="/overzicht?{esc(query)}">{esc(col)}</a>{arrow}</th>')
    body_rows = []
    for r in rows:
        cells = []
        for col in columns:
            if col == "gemeente":
                cells.append(
                    f'<td><a href="/kaart/{esc(r["gemeentecode"])}">{esc(r[col])}</a></td>'
                )
            else:
                cells.append(f"<td>{esc(_cell(r[col]))}</td>")
        body_rows.append(f'<tr data-gemeente="{esc(r["gemeentecode"])}">{"".join(cells)}</tr>')
    skipped = "".join(
        f"<li>{esc(s['gemeente'])} ({esc(s['gemeentecode'])}): {esc(s['reden'])}</li>"
        for s in data["overgeslagen"]
    )
    sources = "".join(f"<li>{esc(s)}</li>" for s in data["bronnen"])
    body = (
        f"<p>Referentie: Nederland (absoluut); {esc(data['periode'])}.</p>"
        f"<ul>{figures}</ul>"
        f"<p>{esc(data['overgeslagen_tekst'])} 'onbekend' bij inwoners: geen inwonertal per "
        "buurt in de store (alleen de gezondheidsmonitor, geen KWB).</p>"
        f"<h2>Gemeenten ({len(rows)})</h2>"
        '<p>Klik op een kolomkop om te sorteren. Rang: meeste buurten "Probleem", dan '
        '"Kwetsbaar".</p>'
        f'<table id="gemeenten"><thead><tr>{"".join(head)}</tr></thead>'
        f"<tbody>{''.join(body_rows)}</tbody></table>"
        + (
            f"<h2>Overgeslagen ({len(data['overgeslagen'])})</h2><ul>{skipped}</ul>"
            if skipped
            else ""
        )
        + f"<h2>Bronnen</h2><ul>{sources}</ul>"
    )
    return pages.page("Landelijk overzicht", body, json_url="/overzicht.json")


def register(app: FastAPI, service: DataService) -> OverviewCache:
    """Add ``/overzicht`` and ``/overzicht.json``; the cache is ``app.state.overview``."""
    cache = OverviewCache(service)
    app.state.overview = cache

    @app.get("/overzicht.json")
    async def overview_json() -> Response:
        result = await run_in_threadpool(cache.get)
        if result is None:
            done, total = cache.progress
            status = 500 if cache.error else 202
            body = {"status": "fout" if cache.error else "bezig", "klaar": done, "totaal": total}
            if cache.error:
                body["fout"] = cache.error
            return Response(dumps(body), status, media_type="application/json")
        return Response(dumps(result.as_json()), 200, media_type="application/json")

    @app.get("/overzicht", response_class=HTMLResponse)
    async def overview_html(
        sort: str = Query("rang", alias="sorteer", max_length=60),
        order: str = Query("op", alias="volgorde", pattern="^(op|af)$"),
    ) -> HTMLResponse:
        result = await run_in_threadpool(cache.get)
        if cache.error:
            return HTMLResponse(
                pages.error(500, f"het landelijke overzicht is mislukt: {cache.error}"), 500
            )
        if result is None:
            return HTMLResponse(_busy_page(cache), 202)
        return HTMLResponse(overview_page(result.as_json(), sort, order))

    return cache

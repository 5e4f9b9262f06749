"""Minimal Dutch HTML pages: the server-rendered shell of each view.

The MapLibre front end replaces the body later; the URL and JSON contract stays.
Every dynamic text goes through :func:`html.escape`.
"""

from __future__ import annotations

import html
from typing import Any

#: PDOK: the optional background map (switched on by the user; off without internet)
PDOK_TILES = "https://service.pdok.nl"
CSP = (
    f"default-src 'self'; img-src 'self' data: blob: {PDOK_TILES}; "
    f"connect-src 'self' {PDOK_TILES}; style-src 'self' 'unsafe-inline'; "
    "frame-ancestors 'none'"
)
_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;"
    "color:#1a1a1a}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3rem .6rem;"
    "text-align:left}.fout{color:#a50026}"
)


def esc(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def user_links(user: Any) -> str:
    """Who is logged in, with the account (and for a beheerder the organisation) links."""
    return (
        f"Ingelogd als {esc(user.email)} ({esc(user.organisation)}, {esc(user.role)}) · "
        '<a href="/account">Mijn account</a> · '
        + ('<a href="/organisatie">Organisatie</a> · ' if user.role == "beheerder" else "")
        + '<form method="post" action="/uitloggen" style="display:inline">'
        '<button type="submit">Uitloggen</button></form>'
    )


def page(title: str, body: str, *, user: Any = None, json_url: str | None = None) -> str:
    who = user_links(user) if user else '<a href="/inloggen">Inloggen</a>'
    alt = (
        f'<link rel="alternate" type="application/json" href="{esc(json_url)}">' if json_url else ""
    )
    twin = f'<p><a href="{esc(json_url)}">Deze weergave als JSON</a></p>' if json_url else ""
    return (
        '<!doctype html><html lang="nl"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)} – Veerkracht</title>{alt}<style>{_STYLE}</style></head><body>"
        f'<header><a href="/">Veerkracht-signaleringskaarten</a> · {who}</header>'
        f"<main><h1>{esc(title)}</h1>{body}{twin}</main></body></html>"
    )


def table(rows: list[tuple[str, Any]]) -> str:
    cells = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in rows)
    return f"<table>{cells}</table>"


def links(items: list[tuple[str, str]]) -> str:
    return "<ul>" + "".join(f'<li><a href="{esc(u)}">{esc(t)}</a></li>' for t, u in items) + "</ul>"


def login(next_url: str = "/", error: str = "") -> str:
    message = f'<p class="fout" role="alert">{esc(error)}</p>' if error else ""
    body = (
        f'{message}<form method="post" action="/inloggen">'
        f'<input type="hidden" name="volgende" value="{esc(next_url)}">'
        '<p><label>E-mailadres<br><input type="email" name="email" required '
        'autocomplete="username"></label></p>'
        '<p><label>Wachtwoord<br><input type="password" name="wachtwoord" required '
        'autocomplete="current-password"></label></p>'
        '<p><button type="submit">Inloggen</button></p></form>'
    )
    return page("Inloggen", body)


def view(state: Any, title: str, user: Any, heading: str = "") -> str:
    d = state.as_dict()
    rows = [
        ("Gemeente", d["gemeente"]),
        ("Kaartlaag", d["laag"]),
        ("Van", d["van"]),
        ("Tot", d["tot"]),
        ("Buurtindeling", d["indeling"] if d["indeling"] is not None else "standaard (van 'tot')"),
        ("Klassenschema", d["klassen"]),
        ("Gekozen buurten", ", ".join(d["buurten"]) or "geen"),
        ("Eigen data (overlays)", ", ".join(d["overlays"]) or "geen"),
    ]
    data = state.links()
    items = [
        ("Signalen (JSON)", data["signalen"]),
        ("Kaartlaag (GeoJSON)", data["kaart"]),
        *[(f"Buurtprofiel {b}", u) for b, u in zip(state.buurten, data["profielen"], strict=True)],
        *([("Vergelijking", data["vergelijking"])] if "vergelijking" in data else []),
        *[(f"Download {k.upper()}", u) for k, u in data["export"].items()],
    ]
    body = (
        (f"<p>{esc(heading)}</p>" if heading else "")
        + table(rows)
        + f'<p>Vaste link naar deze weergave: <a href="{esc(data["pagina"])}">'
        f"{esc(data['pagina'])}</a></p>" + links(items)
    )
    return page(title, body, user=user, json_url=data["json"])


def error(status: int, message: str, fix: str | None = None) -> str:
    extra = f"<p>Oplossing: {esc(fix)}</p>" if fix else ""
    return page(f"Fout {status}", f'<p class="fout">{esc(message)}</p>{extra}')


def search_results(answer: dict) -> str:
    """The /zoeken page: the search form, a status line and the results as links."""
    items = "".join(
        f'<li><a href="{esc(r["url"])}">{esc(r["naam"])}</a> '
        f"<small>{esc(r['toelichting'])}</small></li>"
        for r in answer["resultaten"]
    )
    note = f'<p role="status">{esc(answer["melding"])}</p>' if answer["melding"] else ""
    form = (
        '<form method="get" action="/zoeken" role="search"><label>Buurt, wijk, gemeente of '
        f'postcode <input type="search" name="q" value="{esc(answer["zoekterm"])}"></label> '
        '<button type="submit">Zoeken</button></form>'
    )
    return page(
        "Zoeken",
        f"{form}{note}<ul id=\"zoekresultaten\">{items}</ul>",
        json_url=f"/api/zoeken.json?q={esc(answer['zoekterm'])}",
    )

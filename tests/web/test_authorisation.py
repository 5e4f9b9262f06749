"""Every route of the web app × owner, partner, other organisation and anonymous.

The matrix below must name every route (method + path) of the app; a new route
without a row here fails ``test_matrix_covers_every_route``. Actors:

* eigenaar — beheerder of the organisation that owns the overlay and the shared view
* partner  — analist of the organisation the overlay and the view were shared with
* ander    — analist of an unrelated organisation
* anoniem  — no session

Open data (signals, map layers, profiles, exports) is public; anything touching an
overlay or a shared view is not.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from tests.web.conftest import BU_A, BU_B, OWNER, PARTNER, PASSWORD

ACTORS = ("eigenaar", "partner", "ander", "anoniem")
Q = "van=2017&tot=2019"
CSV = f"buurtcode;woningen\n{BU_A};12\n".encode()


@dataclass
class Case:
    url: Callable  # world -> url
    expect: tuple[int, int, int, int]  # eigenaar, partner, ander, anoniem
    kwargs: Callable = lambda w: {}


def _ov(path: str) -> Callable:
    return lambda w: path.replace("{ov}", w.upload_id)


def _overview(path: str) -> Callable:
    """The national overview on one gemeente, computed before the request (else 202)."""

    def url(w) -> str:
        overview = w.app.state.overview
        if overview.gemeenten != ["GM0014"]:
            overview.gemeenten = ["GM0014"]
        overview.get()
        overview.wait(300)
        return path

    return url


def _preview(path: str) -> Callable:
    """A preview waiting for the eigenaar's choice (own_data_flow), made per request."""

    def url(w) -> str:
        import tempfile
        from pathlib import Path

        from veerkracht.own_data import place_own_data

        with tempfile.TemporaryDirectory() as tmp:
            (Path(tmp) / "eigen.csv").write_bytes(CSV)
            placement = place_own_data(
                w.app.state.web.service.store,
                Path(tmp) / "eigen.csv",
                gemeente="GM0363",
                edition=2019,
            )
        owner = w.users["eigenaar"]
        meta = {
            "edition": 2019,
            "gemeente_code": "GM0363",
            "file_name": "eigen.csv",
            "key_type": "buurt",
            "n_rows": 1,
            "columns": {},
            "notes": [],
        }
        item = w.app.state.pending_uploads.add(
            owner.organisation_id, owner.user_id, "Test", placement, meta
        )
        return path.replace("{token}", item.token)

    return url


PUBLIC = (200, 200, 200, 200)
OVERLAY = (200, 200, 403, 401)
MATRIX: dict[tuple[str, str], Case] = {
    # pages and accounts
    ("GET", "/"): Case(lambda w: "/", PUBLIC),
    ("GET", "/inloggen"): Case(lambda w: "/inloggen", PUBLIC),
    ("POST", "/inloggen"): Case(
        lambda w: "/inloggen",
        (401, 401, 401, 401),
        lambda w: {"data": {"email": "niemand@x.nl", "wachtwoord": "fout-wachtwoord"}},
    ),
    ("POST", "/api/inloggen"): Case(
        lambda w: "/api/inloggen",
        (401, 401, 401, 401),
        lambda w: {"json": {"email": "niemand@x.nl", "wachtwoord": "fout-wachtwoord"}},
    ),
    ("POST", "/uitloggen"): Case(lambda w: "/uitloggen", (303, 303, 303, 303)),
    ("POST", "/api/uitloggen"): Case(lambda w: "/api/uitloggen", PUBLIC),
    ("GET", "/api/ik"): Case(lambda w: "/api/ik", (200, 200, 200, 401)),
    ("GET", "/api/organisatie/gebruikers"): Case(
        lambda w: "/api/organisatie/gebruikers", (200, 403, 403, 401)
    ),
    ("POST", "/api/organisatie/gebruikers"): Case(
        lambda w: "/api/organisatie/gebruikers",
        (201, 403, 403, 401),
        lambda w: {
            "json": {
                "email": f"nieuw{secrets.token_hex(3)}@noord.nl",
                "wachtwoord": "een-lang-wachtwoord",
                "rol": "lezer",
            }
        },
    ),
    ("DELETE", "/api/organisatie/gebruikers/{email}"): Case(
        lambda w: (
            "/api/organisatie/gebruikers/"
            + w.repo.add_user(OWNER, f"weg{secrets.token_hex(3)}@noord.nl", PASSWORD, "lezer").email
        ),
        (200, 403, 403, 401),
    ),
    ("POST", "/api/wachtwoord"): Case(
        lambda w: "/api/wachtwoord",
        (403, 403, 403, 401),  # a wrong current password changes nothing
        lambda w: {"json": {"huidig": "fout-wachtwoord", "nieuw": "nieuwe-zin-voor-de-test"}},
    ),
    ("GET", "/api/openapi.json"): Case(lambda w: "/api/openapi.json", PUBLIC),
    ("GET", "/overzicht"): Case(_overview("/overzicht"), PUBLIC),
    ("GET", "/overzicht.json"): Case(_overview("/overzicht.json"), PUBLIC),
    # open data
    ("GET", "/api/gemeenten"): Case(lambda w: "/api/gemeenten?q=amst", PUBLIC),
    ("GET", "/api/gemeenten/{gm}/signalen.json"): Case(
        lambda w: f"/api/gemeenten/GM0363/signalen.json?{Q}", PUBLIC
    ),
    ("GET", "/api/gemeenten/{gm}/kaart.geojson"): Case(
        _ov("/api/gemeenten/GM0363/kaart.geojson?laag=typologie&overlay={ov}"), OVERLAY
    ),
    ("GET", "/api/gemeenten/{gm}/buurten/{bu}.json"): Case(
        _ov(f"/api/gemeenten/GM0363/buurten/{BU_A}.json?overlay={{ov}}"), OVERLAY
    ),
    ("GET", "/api/gemeenten/{gm}/vergelijk.json"): Case(
        _ov(f"/api/gemeenten/GM0363/vergelijk.json?buurten={BU_A},{BU_B}&overlay={{ov}}"),
        OVERLAY,
    ),
    ("GET", "/api/vergelijk.json"): Case(
        lambda w: "/api/vergelijk.json?gemeenten=GM0363,GM0599", PUBLIC
    ),
    ("GET", "/export/{gm}.csv"): Case(lambda w: f"/export/GM0363.csv?{Q}", PUBLIC),
    ("GET", "/export/{gm}.xlsx"): Case(lambda w: f"/export/GM0363.xlsx?{Q}", PUBLIC),
    ("GET", "/export/{gm}/kaart.png"): Case(
        lambda w: f"/export/GM0363/kaart.png?laag=typologie&{Q}", PUBLIC
    ),
    ("GET", "/export/{gm}/kaart.pdf"): Case(
        lambda w: f"/export/GM0363/kaart.pdf?laag=typologie&{Q}", PUBLIC
    ),
    ("GET", "/export/{gm}/kaart.html"): Case(lambda w: f"/export/GM0363/kaart.html?{Q}", PUBLIC),
    # own data
    ("GET", "/api/uploads"): Case(lambda w: "/api/uploads", (200, 200, 200, 401)),
    ("POST", "/api/uploads"): Case(
        lambda w: "/api/uploads",
        (201, 201, 201, 401),
        lambda w: {
            "files": {"bestand": ("eigen.csv", CSV, "text/csv")},
            "data": {"gemeente": "GM0363"},
        },
    ),
    ("GET", "/api/uploads/{upload_id}.json"): Case(_ov("/api/uploads/{ov}.json"), OVERLAY),
    ("POST", "/api/uploads/{upload_id}/delen"): Case(
        _ov("/api/uploads/{ov}/delen"),
        (200, 403, 403, 401),
        lambda w: {"json": {"organisaties": [PARTNER]}},
    ),
    ("DELETE", "/api/uploads/{upload_id}"): Case(
        lambda w: f"/api/uploads/{w.new_upload()}", (200, 403, 403, 401)
    ),
    # own data: upload -> preview -> import or cancel (only the uploading user's preview)
    ("GET", "/api/eigen-data/lagen.json"): Case(
        lambda w: "/api/eigen-data/lagen.json?gemeente=GM0363", (200, 200, 200, 401)
    ),
    ("GET", "/eigen-data/nieuw"): Case(
        lambda w: "/eigen-data/nieuw?gemeente=GM0363", (200, 200, 200, 303)
    ),
    ("GET", "/eigen-data/nieuw.json"): Case(
        lambda w: "/eigen-data/nieuw.json?gemeente=GM0363", (200, 200, 200, 401)
    ),
    ("POST", "/api/uploads/voorbeeld"): Case(
        lambda w: "/api/uploads/voorbeeld",
        (201, 201, 201, 401),
        lambda w: {
            "files": {"bestand": ("eigen.csv", CSV, "text/csv")},
            "data": {"gemeente": "GM0363", "indeling": "2019"},
        },
    ),
    ("GET", "/eigen-data/voorbeeld/{token}.json"): Case(
        _preview("/eigen-data/voorbeeld/{token}.json"), (200, 404, 404, 401)
    ),
    ("GET", "/eigen-data/voorbeeld/{token}"): Case(
        _preview("/eigen-data/voorbeeld/{token}"), (200, 404, 404, 303)
    ),
    ("POST", "/api/uploads/voorbeeld/{token}/importeren"): Case(
        _preview("/api/uploads/voorbeeld/{token}/importeren"),
        (201, 404, 404, 401),
        lambda w: {"json": {}},
    ),
    ("POST", "/api/uploads/voorbeeld/{token}/annuleren"): Case(
        _preview("/api/uploads/voorbeeld/{token}/annuleren"),
        (200, 404, 404, 401),
        lambda w: {"json": {}},
    ),
    # views and shared views
    ("GET", "/kaart/{gm}.json"): Case(
        _ov("/kaart/GM0363.json?laag=typologie&overlay={ov}"), OVERLAY
    ),
    ("GET", "/kaart/{gm}"): Case(
        _ov("/kaart/GM0363?laag=typologie&overlay={ov}"), (200, 200, 403, 303)
    ),
    ("POST", "/api/gedeeld"): Case(
        lambda w: "/api/gedeeld",
        (201, 201, 403, 401),
        lambda w: {
            "json": {
                "staat": {"gemeente": "GM0363", "laag": "typologie", "overlays": [w.upload_id]},
                "organisaties": [PARTNER],
            }
        },
    ),
    ("GET", "/api/gedeeld/{token}.json"): Case(
        lambda w: f"/api/gedeeld/{w.view_token}.json", OVERLAY
    ),
    ("GET", "/gedeeld/{token}"): Case(lambda w: f"/gedeeld/{w.view_token}", (200, 200, 403, 303)),
}


def test_matrix_covers_every_route(world) -> None:
    routes = {
        (method, route.path)
        for route in world.app.routes
        for method in getattr(route, "methods", None) or ()
        if method != "HEAD"
    }
    assert routes - set(MATRIX) == set(), "routes missing from the authorisation matrix"
    assert set(MATRIX) - routes == set(), "matrix names routes the app does not have"


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("route", list(MATRIX), ids=lambda r: f"{r[0]} {r[1]}")
def test_access(world, route: tuple[str, str], actor: str) -> None:
    case = MATRIX[route]
    world.client.cookies.clear()
    for name, value in world.session(actor).items():
        world.client.cookies.set(name, value)
    response = world.client.request(
        route[0],
        case.url(world),
        follow_redirects=False,
        **case.kwargs(world),
    )
    expected = case.expect[ACTORS.index(actor)]
    assert response.status_code == expected, response.text[:300]
    if expected in {401, 403} and not route[1].startswith(("/kaart", "/gedeeld", "/inloggen")):
        assert response.json()["fout"]  # a Dutch message, never a bare status
    if expected == 303 and route[0] == "GET":
        assert response.headers["location"].startswith("/inloggen?volgende=")

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
NONE = (404, 404, 404, 404)  # public, but nothing to show in this store
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
    # the national buurt view: open data. The Amsterdam store has no KWB values on an
    # edition with polygons, so the values answer 404 to everyone (never 401/403);
    # tests/web/test_tiles.py checks the 200s on a synthetic national store
    ("GET", "/tiles/buurten-{indeling}.pmtiles"): Case(
        lambda w: "/tiles/buurten-2022.pmtiles", PUBLIC
    ),
    ("GET", "/api/nederland/waarden.json"): Case(lambda w: "/api/nederland/waarden.json", NONE),
    ("GET", "/nederland"): Case(lambda w: "/nederland", NONE),
    ("GET", "/nederland.json"): Case(lambda w: "/nederland.json", NONE),
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
    # place context and layer explanations (routes/search.py): open data
    ("GET", "/api/zoeken.json"): Case(lambda w: "/api/zoeken.json?q=kop", PUBLIC),
    ("GET", "/zoeken"): Case(lambda w: "/zoeken?q=kop", PUBLIC),
    ("GET", "/api/lagen.json"): Case(lambda w: "/api/lagen.json", PUBLIC),
    ("GET", "/api/gemeenten/{gm}/wijken.geojson"): Case(
        lambda w: f"/api/gemeenten/GM0363/wijken.geojson?{Q}", PUBLIC
    ),
    ("GET", "/api/overzicht/kaart.geojson"): Case(
        _overview("/api/overzicht/kaart.geojson"), PUBLIC
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
    ("GET", "/export/{gm}/bestuurskaart.pdf"): Case(
        lambda w: f"/export/GM0363/bestuurskaart.pdf?formaat=A3&{Q}", PUBLIC
    ),
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


# ----------------------------------------------------------------------------- organisation
#: the organisation's accounts, invitations and audit log: lezer, analist and beheerder of
#: the owner organisation, the beheerder of another organisation, and anonymous
ADMIN_ACTORS = ("anoniem", "eigenaar_lezer", "eigenaar_analist", "eigenaar", "ander_beheerder")
ADMIN_ONLY = (401, 403, 403, 200, 200)  # the own organisation's: another beheerder sees theirs
ADMIN_PAGE = (303, 403, 403, 200, 200)
OWN_ORG_TARGET = (401, 403, 403, 200, 404)  # another organisation's target: same as unknown
OWN_ORG_FORM = (401, 403, 403, 303, 404)
ANY_ACCOUNT = (401, 200, 200, 200, 200)
WITH_CODE = (200, 200, 200, 200, 200)  # the one-time code is the key


def _fresh_user(w) -> str:
    return w.repo.add_user(OWNER, f"doel{secrets.token_hex(3)}@noord.nl", PASSWORD, "lezer").email


def _fresh_invitation(w) -> tuple[str, str]:
    """(code, id) of a new invitation of the owner organisation."""
    code, invitation = w.app.state.web.organisations.invite(
        w.users["eigenaar"], "gebruiker", f"uitgenodigd{secrets.token_hex(3)}@noord.nl", "lezer"
    )
    return code, invitation.invitation_id


def _invite_body(w) -> dict:
    return {"soort": "gebruiker", "email": f"nieuw{secrets.token_hex(3)}@x.nl", "rol": "lezer"}


_NEW_PASSWORD = {"nieuw": "zomer-fiets-lantaarn-oever", "herhaling": "zomer-fiets-lantaarn-oever"}
ADMIN_MATRIX: dict[tuple[str, str], Case] = {
    ("GET", "/organisatie.json"): Case(lambda w: "/organisatie.json", ADMIN_ONLY),
    ("GET", "/organisatie"): Case(lambda w: "/organisatie", ADMIN_PAGE),
    ("GET", "/organisatie/logboek.json"): Case(lambda w: "/organisatie/logboek.json", ADMIN_ONLY),
    ("GET", "/organisatie/logboek"): Case(lambda w: "/organisatie/logboek", ADMIN_PAGE),
    ("POST", "/organisatie/uitnodigingen"): Case(
        lambda w: "/organisatie/uitnodigingen",
        (401, 403, 403, 201, 201),
        lambda w: {"data": {**_invite_body(w), "geldig_dagen": "7"}},
    ),
    ("POST", "/organisatie/uitnodigingen/{invitation_id}/intrekken"): Case(
        lambda w: f"/organisatie/uitnodigingen/{_fresh_invitation(w)[1]}/intrekken", OWN_ORG_FORM
    ),
    ("POST", "/organisatie/gebruikers/{email}/rol"): Case(
        lambda w: f"/organisatie/gebruikers/{_fresh_user(w)}/rol",
        OWN_ORG_FORM,
        lambda w: {"data": {"rol": "analist"}},
    ),
    ("POST", "/organisatie/gebruikers/{email}/verwijderen"): Case(
        lambda w: f"/organisatie/gebruikers/{_fresh_user(w)}/verwijderen", OWN_ORG_FORM
    ),
    ("POST", "/api/organisatie/uitnodigingen"): Case(
        lambda w: "/api/organisatie/uitnodigingen",
        (401, 403, 403, 201, 201),
        lambda w: {"json": _invite_body(w)},
    ),
    ("DELETE", "/api/organisatie/uitnodigingen/{invitation_id}"): Case(
        lambda w: f"/api/organisatie/uitnodigingen/{_fresh_invitation(w)[1]}", OWN_ORG_TARGET
    ),
    ("PUT", "/api/organisatie/gebruikers/{email}/rol"): Case(
        lambda w: f"/api/organisatie/gebruikers/{_fresh_user(w)}/rol",
        OWN_ORG_TARGET,
        lambda w: {"json": {"rol": "analist"}},
    ),
    ("GET", "/api/organisatie/gebruikers"): Case(
        lambda w: "/api/organisatie/gebruikers", ADMIN_ONLY
    ),
    ("DELETE", "/api/organisatie/gebruikers/{email}"): Case(
        lambda w: f"/api/organisatie/gebruikers/{_fresh_user(w)}", OWN_ORG_TARGET
    ),
    ("GET", "/account.json"): Case(lambda w: "/account.json", ANY_ACCOUNT),
    ("GET", "/account"): Case(lambda w: "/account", (303, 200, 200, 200, 200)),
    ("POST", "/account/wachtwoord"): Case(
        lambda w: "/account/wachtwoord",
        (401, 403, 403, 403, 403),  # a wrong current password changes nothing
        lambda w: {"data": {"huidig": "fout-wachtwoord", **_NEW_PASSWORD}},
    ),
    ("POST", "/api/wachtwoord"): Case(
        lambda w: "/api/wachtwoord",
        (401, 403, 403, 403, 403),
        lambda w: {"json": {"huidig": "fout-wachtwoord", "nieuw": _NEW_PASSWORD["nieuw"]}},
    ),
    ("GET", "/uitnodiging/{code}.json"): Case(
        lambda w: f"/uitnodiging/{_fresh_invitation(w)[0]}.json", WITH_CODE
    ),
    ("GET", "/uitnodiging/{code}"): Case(
        lambda w: f"/uitnodiging/{_fresh_invitation(w)[0]}", WITH_CODE
    ),
    ("POST", "/uitnodiging/{code}"): Case(
        lambda w: f"/uitnodiging/{_fresh_invitation(w)[0]}",
        (303, 303, 303, 303, 303),
        lambda w: {"data": _NEW_PASSWORD},
    ),
    ("POST", "/api/uitnodiging/{code}"): Case(
        lambda w: f"/api/uitnodiging/{_fresh_invitation(w)[0]}",
        (201, 201, 201, 201, 201),
        lambda w: {"json": {"wachtwoord": _NEW_PASSWORD["nieuw"]}},
    ),
}


def _call(world, method: str, case: Case, actor: str):
    """The request of ``case`` in a fresh session of ``actor``."""
    world.client.cookies.clear()
    for name, value in world.session(actor).items():
        world.client.cookies.set(name, value)
    return world.client.request(
        method, case.url(world), follow_redirects=False, **case.kwargs(world)
    )


@pytest.mark.parametrize("actor", ADMIN_ACTORS)
@pytest.mark.parametrize("route", list(ADMIN_MATRIX), ids=lambda r: f"{r[0]} {r[1]}")
def test_organisation_access(world, route: tuple[str, str], actor: str) -> None:
    case = ADMIN_MATRIX[route]
    response = _call(world, route[0], case, actor)
    expected = case.expect[ADMIN_ACTORS.index(actor)]
    assert response.status_code == expected, response.text[:300]
    if expected >= 400:  # a Dutch message, never a bare status
        if response.headers["content-type"].startswith("application/json"):
            assert response.json()["fout"]
        else:
            assert 'class="fout"' in response.text
    if expected == 303 and route[0] == "GET":
        assert response.headers["location"].startswith("/inloggen?volgende=")
    assert "no-store" in response.headers.get("cache-control", "")  # private, always


def test_matrix_covers_every_route(world) -> None:
    routes = {
        (method, route.path)
        for route in world.app.routes
        for method in getattr(route, "methods", None) or ()
        if method != "HEAD"
    }
    named = set(MATRIX) | set(ADMIN_MATRIX)
    assert routes - named == set(), "routes missing from the authorisation matrix"
    assert named - routes == set(), "matrix names routes the app does not have"


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("route", list(MATRIX), ids=lambda r: f"{r[0]} {r[1]}")
def test_access(world, route: tuple[str, str], actor: str) -> None:
    case = MATRIX[route]
    response = _call(world, route[0], case, actor)
    expected = case.expect[ACTORS.index(actor)]
    assert response.status_code == expected, response.text[:300]
    if expected in {401, 403} and not route[1].startswith(("/kaart", "/gedeeld", "/inloggen")):
        assert response.json()["fout"]  # a Dutch message, never a bare status
    if expected == 303 and route[0] == "GET":
        assert response.headers["location"].startswith("/inloggen?volgende=")

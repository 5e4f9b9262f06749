"""Open-data JSON API, view URLs, exports and login on the real Amsterdam store."""

from __future__ import annotations

import io

import pytest

from tests.web.conftest import BU_A, BU_B, PASSWORD

Q = "van=2017&tot=2019"


@pytest.fixture(autouse=True)
def _anonymous(world) -> None:
    world.client.cookies.clear()


def test_gemeenten_search(world) -> None:
    found = world.client.get("/api/gemeenten?q=amster").json()
    assert found["gemeenten"] == [
        {
            "code": "GM0363",
            "naam": "Amsterdam",
            "indelingen": [2016, 2017, 2019, 2020, 2023, 2024],
            "signalen": True,
            "kaart": True,
        }
    ]


def test_signals_json(world) -> None:
    from veerkracht.pipeline import signal_view

    data = world.client.get(f"/api/gemeenten/GM0363/signalen.json?{Q}").json()
    assert (data["indeling"], data["grensindeling"], len(data["rijen"])) == (2019, 2019, 479)
    view = signal_view(world.app.state.web.service.store, "GM0363", 2017, 2019)
    # the web shows exactly the pipeline's class per buurt, joined by code
    by_code = {row["region_code"]: row["typologie"] for row in data["rijen"]}
    assert by_code == dict(
        zip(view.result.table.region_code, view.result.table.typology, strict=True)
    )
    assert data["aantallen"] == view.result.class_counts()
    # the rows are a public API: the table's English keys leave under their Dutch names
    row = data["rijen"][0]
    dutch = {"naam", "typologie", "typologie_label", "typologie_kaart", "redenen", "stap"}
    assert dutch <= set(row)
    # (the measure written apart: the vocabulary codemod leaves the Dutch suffix alone here)
    assert {f"laag_inkomen__{m}" for m in ("van", "relatief", "klasse")} <= set(row)
    english = {"name", "typology", "typology_label", "typology_map", "reasons", "rules", "step"}
    assert not english & set(row) and not any(k.endswith(("__relative", "__class")) for k in row)
    layers = {layer["laag"]: layer for layer in data["lagen"]}
    # every layer has its explanation and group for the web app ([[kaartlaag]] or indicator)
    explained = world.client.get("/api/lagen.json").json()["lagen"]
    assert set(layers) <= set(explained)
    assert {"concentratie", "ontwikkeling", "typologie", "bivariaat", "laag_inkomen"} <= set(layers)
    typ = layers["typologie"]
    assert [k["label"] for k in typ["klassen"]][:3] == [
        "Te weinig inwoners",
        "Onvoldoende gegevens",
        "Probleem",
    ]
    # legend counts come from every buurt, also the 40 without a polygon, which are named
    problem = sum(n for label, n in typ["aantallen"].items() if label.startswith("Probleem"))
    assert problem == view.result.class_counts()["PRO"]
    assert sum(typ["aantallen"].values()) == 479
    assert len(typ["zonder_kaartvlak"]) == 40
    assert data["referentie"]["soort"] == "gemeente" and len(data["dekking"]) == 2
    assert (2017, 2019) in {(p["van"], p["tot"]) for p in data["perioden_met_gegevens"]}
    assert any("CBS" in s for s in data["bronnen"])


def test_default_period_comes_from_the_data(world) -> None:
    data = world.client.get("/api/gemeenten/GM0363/signalen.json").json()
    assert (data["van"], data["tot"], data["standaardperiode"]) == (2017, 2020, True)
    years = {p["tot"] for p in data["perioden_met_gegevens"]}
    assert 2023 not in years and 2024 not in years  # no core data then: not offered


def test_geojson_layer(world) -> None:
    response = world.client.get(f"/api/gemeenten/GM0363/kaart.geojson?laag=concentratie&{Q}")
    assert response.headers["content-type"] == "application/geo+json"
    data = response.json()
    assert len(data["features"]) == 439
    first = data["features"][0]
    assert first["properties"]["code"] == BU_A and first["properties"]["naam"] == "Kop Zeedijk"
    from veerkracht.pipeline import signal_view

    view = signal_view(world.app.state.web.service.store, "GM0363", 2017, 2019)
    kop = view.result.table.set_index("region_code").loc[BU_A]
    assert first["properties"]["waarde"] == pytest.approx(kop.concentration_index, abs=1e-3)
    colours = {k["kleur"] for k in data["metadata"]["legenda"]["klassen"]}
    assert first["properties"]["kleur"] in colours
    lon, lat = first["geometry"]["coordinates"][0][0]
    assert 4.89 < lon < 4.91 and 52.37 < lat < 52.38  # WGS84, Kop Zeedijk near Centraal


def test_bad_parameters_are_dutch_400s(world) -> None:
    bad = world.client.get("/api/gemeenten/GM0363/kaart.geojson?laag=bestaatniet")
    assert bad.status_code == 400 and "onbekende kaartlaag" in bad.json()["fout"]
    assert "typologie" in bad.json()["oplossing"]
    years = world.client.get("/api/gemeenten/GM0363/signalen.json?van=2019&tot=2017")
    assert years.status_code == 400 and "moet later zijn dan van" in years.json()["fout"]
    gm = world.client.get("/api/gemeenten/Amsterdam/signalen.json")
    assert gm.status_code == 400 and "geen GM-code" in gm.json()["fout"]
    unknown = world.client.get(f"/api/gemeenten/GM0363/buurten/BU03639999.json?{Q}")
    assert unknown.status_code == 404 and "hoort niet bij Amsterdam" in unknown.json()["fout"]


def test_buurt_profile(world) -> None:
    data = world.client.get(f"/api/gemeenten/GM0363/buurten/{BU_A}.json?{Q}").json()
    signals = world.client.get(f"/api/gemeenten/GM0363/signalen.json?{Q}").json()
    row = next(r for r in signals["rijen"] if r["region_code"] == BU_A)
    assert (data["naam"], data["typologie"]) == ("Kop Zeedijk", row["typologie"])
    ind = next(i for i in data["indicatoren"] if i["key"] == "laag_inkomen")
    assert (ind["waarde"], ind["waarde_van"], ind["nl"], ind["gemeente"]) == (15.3, 12.3, 7.5, 12.8)
    assert [t["jaar"] for t in ind["trend"]] == [2017, 2019, 2023]
    assert ind["trend"][0] == {"jaar": 2017, "waarde": 12.3, "nl": 7.9, "gemeente": 13.7}
    assert data["eigen_data"] == []  # anonymous: no overlays


def test_compare(world) -> None:
    pair = world.client.get(f"/api/gemeenten/GM0363/vergelijk.json?buurten={BU_A},{BU_B}&{Q}")
    data = pair.json()
    assert [b["code"] for b in data["buurten"]] == [BU_A, BU_B]
    low = next(i for i in data["indicatoren"] if i["key"] == "laag_inkomen")
    assert low["verschil"] == pytest.approx(low["waarden"][0] - low["waarden"][1])
    # each value is the buurt's own, looked up by indicator key in its profile
    for code, value in zip((BU_A, BU_B), low["waarden"], strict=True):
        prof = world.client.get(f"/api/gemeenten/GM0363/buurten/{code}.json?{Q}").json()
        own = next(i for i in prof["indicatoren"] if i["key"] == "laag_inkomen")
        assert own["waarde"] == value
    gms = world.client.get("/api/vergelijk.json?gemeenten=GM0363,GM0599").json()["gemeenten"]
    ams = world.client.get("/api/gemeenten/GM0363/signalen.json").json()
    assert gms[0]["buurten"] == 479
    assert gms[0]["typologie"] == ams["aantallen"]
    # Rotterdam has no KWB here: signals from the health monitor, its own indicator set
    assert gms[1]["code"] == "GM0599" and "fout" not in gms[1]
    keys = {i["key"] for i in gms[1]["indicatoren"]}
    assert "angst_depressie" in keys and "laag_inkomen" not in keys


def test_view_url_reproduces_state(world) -> None:
    messy = f"/kaart/gm0363.json?buurt={BU_B},{BU_A}&klassen=quantiles&tot=2019&laag=concentratie"
    data = world.client.get(messy).json()
    canonical = (
        f"/kaart/GM0363?laag=concentratie&tot=2019&klassen=kwantielen&buurt={BU_B}&buurt={BU_A}"
    )
    assert data["url"] == canonical
    again = world.client.get(canonical.replace("/kaart/GM0363?", "/kaart/GM0363.json?")).json()
    assert again["staat"] == data["staat"]
    assert data["links"]["vergelijking"].startswith(
        f"/api/gemeenten/GM0363/vergelijk.json?buurten={BU_B},{BU_A}&"
    )
    page = world.client.get(canonical)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert 'type="application/json"' in page.text and "Content-Security-Policy" in page.headers
    for url in (data["links"]["signalen"], data["links"]["kaart"], *data["links"]["profielen"]):
        assert world.client.get(url).status_code == 200


def test_exports(world) -> None:
    csv = world.client.get(f"/export/GM0363.csv?{Q}")
    assert csv.content.startswith("\ufeffBuurtcode;Buurt;Indeling".encode())
    assert csv.content.count(b"\n") == 480
    assert not any(
        cell.startswith(("=", "+", "@"))
        for line in csv.text.splitlines()
        for cell in line.split(";")
    )
    assert (
        world.client.get(f"/export/GM0363/kaart.png?laag=typologie&{Q}").content[:4] == b"\x89PNG"
    )
    assert world.client.get(f"/export/GM0363/kaart.pdf?laag=typologie&{Q}").content[:5] == b"%PDF-"
    board = world.client.get(f"/export/GM0363/bestuurskaart.pdf?{Q}")
    assert board.content[:5] == b"%PDF-" and "bestuurskaart_A4.pdf" in board.headers[
        "content-disposition"
    ]
    bad = world.client.get(f"/export/GM0363/bestuurskaart.pdf?formaat=A5&{Q}")
    assert bad.status_code == 400 and "formaat=A4" in bad.text
    html = world.client.get(f"/export/GM0363/kaart.html?{Q}")
    assert "Kop Zeedijk" in html.text
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(world.client.get(f"/export/GM0363.xlsx?{Q}").content))
    assert book.sheetnames[0] == "Signalen" and "Verantwoording" in book.sheetnames
    assert book["Signalen"].max_row == 480


def test_login_logout_and_cookie(world) -> None:
    wrong = world.client.post("/api/inloggen", json={"email": "beheer@noord.nl", "wachtwoord": "x"})
    assert wrong.status_code == 401 and wrong.json()["fout"] == "onjuist e-mailadres of wachtwoord"
    ok = world.client.post(
        "/api/inloggen", json={"email": "Beheer@Noord.nl", "wachtwoord": PASSWORD}
    )
    cookie = ok.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "max-age=43200" in cookie
    assert world.client.get("/api/ik").json()["gebruiker"]["rol"] == "beheerder"
    world.client.post("/api/uitloggen")
    world.client.cookies.set("veerkracht_sessie", ok.cookies["veerkracht_sessie"])
    assert world.client.get("/api/ik").status_code == 401  # the token is dead server-side


def test_login_form_redirects_only_locally(world) -> None:
    form = {"email": "lezer@noord.nl", "wachtwoord": PASSWORD, "volgende": "//evil.example/x"}
    response = world.client.post("/inloggen", data=form, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/"


def test_cross_site_post_refused(world) -> None:
    login = {"email": "lezer@noord.nl", "wachtwoord": PASSWORD}
    cross = world.client.post(
        "/api/inloggen", json=login, headers={"Origin": "https://evil.example"}
    )
    assert cross.status_code == 403 and "andere site" in cross.json()["fout"]
    from starlette.testclient import TestClient

    bare = TestClient(world.app)  # no Origin header at all (e.g. curl, old clients)
    assert bare.post("/api/inloggen", json=login).status_code == 403
    referer = bare.post(
        "/api/inloggen", json=login, headers={"Referer": "http://testserver/inloggen"}
    )
    assert referer.status_code == 200  # a same-site Referer is enough without Origin
    foreign = bare.post("/api/inloggen", json=login, headers={"Referer": "https://evil.example/"})
    assert foreign.status_code == 403


def test_large_json_is_sent_gzipped(world) -> None:
    response = world.client.get(
        f"/api/gemeenten/GM0363/signalen.json?{Q}", headers={"Accept-Encoding": "gzip"}
    )
    assert response.status_code == 200
    assert response.headers["content-encoding"] == "gzip"
    assert int(response.headers["content-length"]) < len(response.content) / 4
    # the cached, pre-gzipped GeoJSON is not compressed a second time
    layer = world.client.get(
        "/api/gemeenten/GM0363/kaart.geojson?laag=typologie", headers={"Accept-Encoding": "gzip"}
    )
    assert layer.headers["content-encoding"] == "gzip"
    assert layer.json()["type"] == "FeatureCollection"


def test_view_routes_document_their_parameters(world) -> None:
    """The view is read from the URL by hand (cheaper than FastAPI's solving): the API
    schema still names every parameter, and repeated or comma-separated lists both work."""
    spec = world.client.get("/api/openapi.json").json()["paths"]
    expected = {"gm", "laag", "van", "tot", "indeling", "klassen", "referentie", "buurt"}
    for path in ("/api/gemeenten/{gm}/signalen.json", "/export/{gm}/kaart.png", "/kaart/{gm}"):
        names = {p["name"] for p in spec[path]["get"]["parameters"]}
        assert expected | {"overlay"} <= names, path
    twin = world.client.get(
        f"/kaart/GM0363.json?buurt={BU_A}&buurt={BU_B},{BU_A}&van=2017&tot=2019&laag=concentratie"
    ).json()["staat"]
    assert (twin["buurten"], twin["van"], twin["laag"]) == ([BU_A, BU_B], 2017, "concentratie")

"""Own data for a non-programmer: upload → preview with unplaceable rows → import or cancel."""

from __future__ import annotations

from tests.web.conftest import BU_A, BU_B

FILE = (
    f"complex;buurtcode;woningen\nC1;{BU_A};120\nC2;BU05990101;30\nC3;{BU_B};45\nC4;BU03637700;8\n"
)


def _login(world, who: str) -> None:
    world.client.cookies.clear()
    for name, value in world.session(who).items():
        world.client.cookies.set(name, value)


def _preview(world, content: str, name: str = "complexen.csv", **data):
    return world.client.post(
        "/api/uploads/voorbeeld",
        files={"bestand": (name, content.encode(), "text/csv")},
        data={"gemeente": "GM0363", "indeling": "2019", "titel": "Complexen 2024", **data},
    )


def _count(world) -> int:
    return len(world.client.get("/api/uploads").json()["uploads"])


def test_preview_lists_unplaced_rows_and_stores_nothing(world) -> None:
    _login(world, "eigenaar_analist")
    before = _count(world)
    made = _preview(world, FILE)
    assert made.status_code == 201, made.text
    body = made.json()
    assert (body["rijen"], body["geplaatst"]) == (4, 3)
    # a buurt of another gemeente is listed with its row and a reason naming the gemeente
    assert body["niet_geplaatst"] == [
        {
            "rij": 3,
            "sleutel": "BU05990101",
            "reden": "buurtcode BU05990101 hoort bij een andere gemeente (GM0599), "
            "niet bij Amsterdam",
        }
    ]
    # Slotermeer Zuid has no polygon: placed (profile, downloads), not refused
    assert any("BU03637700" in n and "zonder kaartgrens" in n for n in body["meldingen"])
    assert _count(world) == before
    # cancel: nothing stored, the token is gone
    cancel = world.client.post(body["annuleren"], json={})
    assert cancel.json() == {"geannuleerd": body["voorbeeld"], "opgeslagen": False}
    assert world.client.post(body["importeren"], json={}).status_code == 404
    assert _count(world) == before


def test_import_the_rest_reaches_map_and_profile(world) -> None:
    _login(world, "eigenaar_analist")
    body = _preview(world, FILE).json()
    done = world.client.post(body["importeren"], json={})
    assert done.status_code == 201, done.text
    up = done.json()["upload"]
    assert up["rijen"] == 3 and "rij 3" in up["meldingen"][-1]
    geo = world.client.get(f"/api/gemeenten/GM0363/kaart.geojson?laag=typologie&overlay={up['id']}")
    props = {f["properties"]["code"]: f["properties"] for f in geo.json()["features"]}
    assert props[BU_A][f"overlay:{up['id']}:woningen"] == 120
    assert props[BU_A][f"overlay:{up['id']}:aantal rijen"] == 1
    profile = world.client.get("/api/gemeenten/GM0363/buurten/BU03637700.json").json()
    mine = next(o for o in profile["eigen_data"] if o["id"] == up["id"])
    assert mine["waarden"]["woningen"] == 8
    layers = world.client.get("/api/eigen-data/lagen.json?gemeente=GM0363").json()
    mine = next(x for x in layers["lagen"] if x["id"] == up["id"])
    assert mine["groep"] == "eigen data" and mine["symbool"]["kleur"] == "#d01c8b"
    # the same token cannot import twice
    assert world.client.post(body["importeren"], json={}).status_code == 404


def test_form_pages_offer_the_indelingen_and_show_reasons(world) -> None:
    _login(world, "eigenaar_analist")
    form = world.client.get("/eigen-data/nieuw?gemeente=GM0363")
    assert form.status_code == 200
    assert 'value="2019"' in form.text and "Buurtindeling 2019 (" in form.text
    twin = world.client.get("/eigen-data/nieuw.json?gemeente=GM0363").json()
    assert 2019 in [c["jaar"] for c in twin["indelingen"]]
    page = world.client.post(
        "/api/uploads/voorbeeld",
        files={"bestand": ("pc.csv", b"postcode;n\n1012;1\n9999;2\n", "text/csv")},
        data={"gemeente": "GM0363", "indeling": "2019", "pagina": "1"},
        follow_redirects=True,
    )
    assert page.status_code == 200, page.text
    assert "Importeer de rest" in page.text and "9999" in page.text
    assert "mapping" not in page.text and "edition" not in page.text
    no_choice = world.client.post(
        "/api/uploads/voorbeeld",
        files={"bestand": ("pc.csv", b"postcode;n\n1012;1\n", "text/csv")},
        data={"gemeente": "GM0363", "pagina": "1"},
    )
    assert no_choice.status_code == 400 and "geen buurtindeling gekozen" in no_choice.text


def test_address_rows_offline_are_listed_not_refused(world, monkeypatch) -> None:
    monkeypatch.setenv("VEERKRACHT_OFFLINE", "1")
    _login(world, "eigenaar_analist")
    body = _preview(world, "adres;plaats;woningen\nDamrak 1;Amsterdam;3\n").json()
    assert body["geplaatst"] == 0
    assert body["niet_geplaatst"][0]["reden"].startswith(
        "niet te plaatsen: adres zoeken kan alleen online"
    )


def test_lezer_and_others_cannot_use_a_preview(world) -> None:
    _login(world, "eigenaar_analist")
    body = _preview(world, FILE).json()
    _login(world, "eigenaar_lezer")
    assert _preview(world, FILE).status_code == 403
    _login(world, "partner")
    assert world.client.post(body["importeren"], json={}).status_code == 404
    world.client.cookies.clear()
    assert world.client.get(f"/eigen-data/voorbeeld/{body['voorbeeld']}.json").status_code == 401


def _assert_board_map_shows_overlay(world, q: str) -> None:
    """The one-page board map from the browser: A3 landscape, own data in its legend."""
    import io

    from pypdf import PdfReader

    board = world.client.get(f"/export/GM0363/bestuurskaart.pdf?formaat=A3&{q}")
    assert board.status_code == 200, board.text[:300]
    assert "bestuurskaart_A3.pdf" in board.headers["content-disposition"]
    page = PdfReader(io.BytesIO(board.content)).pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (1191, 842)
    text = " ".join(page.extract_text().split())
    assert "Eigen gegevens: Complexen 2024 (2 rijen in 2 buurten)" in text
    plain = world.client.get("/export/GM0363/bestuurskaart.pdf?indeling=2019")
    assert "Eigen gegevens" not in PdfReader(io.BytesIO(plain.content)).pages[0].extract_text()


def test_exports_carry_the_overlay_for_those_who_may_see_it(world, tmp_path) -> None:
    import io

    import pandas as pd

    _login(world, "eigenaar_analist")
    body = _preview(world, FILE).json()
    up = world.client.post(body["importeren"], json={}).json()["upload"]
    q = f"laag=typologie&indeling=2019&overlay={up['id']}"
    csv = world.client.get(f"/export/GM0363.csv?{q}")
    assert csv.status_code == 200, csv.text[:300]
    table = pd.read_csv(io.BytesIO(csv.content), sep=";", decimal=",", dtype={"Buurtcode": str})
    column = "Eigen gegevens: Complexen 2024 – woningen"
    by_code = table.set_index("Buurtcode")[column]
    assert by_code[BU_A] == 120 and by_code["BU03637700"] == 8 and pd.isna(by_code[BU_A[:-1] + "2"])
    html = world.client.get(f"/export/GM0363/kaart.html?{q}").text
    assert "Eigen gegevens: Complexen 2024 (2 rijen in 2 buurten)" in html  # Slotermeer: no polygon
    png = world.client.get(f"/export/GM0363/kaart.png?{q}")
    plain = world.client.get("/export/GM0363/kaart.png?laag=typologie&indeling=2019")
    assert png.status_code == 200 and png.content != plain.content
    (tmp_path / "kaart_eigen.png").write_bytes(png.content)
    pdf = world.client.get(f"/export/GM0363/kaart.pdf?{q}")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    _assert_board_map_shows_overlay(world, q)
    # the overlay is private: another organisation gets no export with it
    _login(world, "ander")
    assert world.client.get(f"/export/GM0363/kaart.png?{q}").status_code == 403
    assert world.client.get(f"/export/GM0363/bestuurskaart.pdf?{q}").status_code == 403
    world.client.cookies.clear()
    assert world.client.get(f"/export/GM0363.csv?{q}").status_code == 401

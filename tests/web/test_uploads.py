"""Uploads of own data: good file, every kind of bad file, atomicity, visibility, sharing."""

from __future__ import annotations

import pytest

from tests.web.conftest import BU_A, BU_B, OTHER, PARTNER


def _login(world, who: str) -> None:
    world.client.cookies.clear()
    for name, value in world.session(who).items():
        world.client.cookies.set(name, value)


def _upload(world, name: str, content: bytes, **data):
    return world.client.post(
        "/api/uploads",
        files={"bestand": (name, content, "text/csv")},
        data={"gemeente": "GM0363", **data},
    )


def test_good_upload_reaches_map_and_profile(world) -> None:
    _login(world, "eigenaar_analist")
    content = (
        f"complex;buurtcode;woningen;beleid\nC1;{BU_A};120;sloop\nC2;{BU_A};30;sloop\n"
        f"C3;{BU_B};45;handhaven\n"
    )
    made = _upload(world, "complexen.csv", content.encode(), titel="Complexen 2024")
    assert made.status_code == 201, made.text
    up = made.json()["upload"]
    assert (up["titel"], up["sleutel"], up["rijen"], up["indeling"]) == (
        "Complexen 2024",
        "buurt",
        3,
        2019,
    )
    assert up["kolommen"] == {"getallen": ["woningen"], "labels": ["complex", "beleid"]}
    geo = world.client.get(f"/api/gemeenten/GM0363/kaart.geojson?laag=typologie&overlay={up['id']}")
    props = geo.json()["features"][0]["properties"]
    assert (
        props[f"overlay:{up['id']}:woningen"] == 150
        and props[f"overlay:{up['id']}:beleid"] == "sloop"
    )
    assert props[f"overlay:{up['id']}:aantal rijen"] == 2
    profile = world.client.get(f"/api/gemeenten/GM0363/buurten/{BU_B}.json").json()
    mine = next(o for o in profile["eigen_data"] if o["id"] == up["id"])
    assert mine["waarden"] == {
        "complex": "C3",
        "beleid": "handhaven",
        "woningen": 45,
        "aantal rijen": 1,
    }
    # not shared: the partner sees neither the overlay nor it in the list
    _login(world, "partner")
    assert world.client.get(f"/api/uploads/{up['id']}.json").status_code == 403
    assert up["id"] not in {u["id"] for u in world.client.get("/api/uploads").json()["uploads"]}
    _login(world, "eigenaar_analist")
    shared = world.client.post(f"/api/uploads/{up['id']}/delen", json={"organisaties": [PARTNER]})
    assert shared.json()["upload"]["gedeeld_met"] == [PARTNER]
    _login(world, "partner")
    assert (
        world.client.get(f"/api/uploads/{up['id']}.json").json()["waarden"][BU_A]["woningen"] == 150
    )
    _login(world, "ander")
    assert world.client.get(f"/api/uploads/{up['id']}.json").status_code == 403


@pytest.mark.parametrize(
    ("name", "content", "status", "message", "rows"),
    [
        ("../../etc/passwd", b"buurtcode;n\n", 400, "lijkt op een pad", None),
        ("map/x.csv", b"buurtcode;n\n", 400, "lijkt op een pad", None),
        (".verborgen.csv", b"buurtcode;n\n", 400, "lijkt op een pad", None),
        ("gegevens.exe", b"buurtcode;n\n", 400, "wordt niet ondersteund", None),
        (
            "codes.csv",
            f"buurtcode;n\n{BU_A};1\nBU05990101;2\nBU03639999;3\n".encode(),
            400,
            "niet te plaatsen",
            [3, 4],
        ),
        (
            "kapot.csv",
            f"buurtcode;n\n{BU_A};1\nBU036;2\n".encode(),
            400,
            "niet te plaatsen",
            [3],
        ),
        (
            "formule.csv",
            f'buurtcode;opmerking\n{BU_A};ok\n{BU_B};=HYPERLINK("x")\n'.encode(),
            400,
            "als formule",
            [3],
        ),
        (
            "scheiding.csv",
            f"buurtcode|n\n{BU_A}|1\n".encode(),
            400,
            "verkeerd scheidingsteken",
            None,
        ),
        ("geen_sleutel.csv", b"naam;n\nx;1\n", 400, "geen sleutelkolom", None),
        ("dubbel.csv", f"buurtcode;naam\n{BU_A};CafÃ©\n".encode(), 400, "dubbel gecodeerd", None),
        (
            "getal.csv",
            f"buurtcode;n\n{BU_A};1\n{BU_B};veel\n{BU_A};2\n".encode(),
            400,
            "niet-numerieke",
            [3],
        ),
    ],
)
def test_bad_uploads(world, name, content, status, message, rows) -> None:
    _login(world, "eigenaar_analist")
    before = len(world.client.get("/api/uploads").json()["uploads"])
    response = _upload(world, name, content)
    assert response.status_code == status, response.text
    body = response.json()
    assert message in body["fout"]
    if rows is not None:
        assert body["rijen"] == rows
    assert len(world.client.get("/api/uploads").json()["uploads"]) == before


def test_windows_path_is_reduced_to_a_name(world) -> None:
    # the multipart parser keeps only the last part of 'C:\\…\\x.csv' (old browsers)
    _login(world, "eigenaar_analist")
    made = _upload(world, "C:\\Users\\x.csv", f"buurtcode;n\n{BU_A};1\n".encode())
    assert made.status_code == 201 and made.json()["upload"]["bestand"] == "x.csv"


def test_oversized_upload_is_refused_while_streaming(world) -> None:
    _login(world, "eigenaar_analist")
    big = b"buurtcode;n\n" + f"{BU_A};1\n".encode() * 900_000  # 11.7 MB
    declared = _upload(world, "groot.csv", big)
    assert declared.status_code == 413 and "groter dan 10 MB" in declared.json()["fout"]

    def chunks():  # no Content-Length: the counter in the receive loop must stop it
        boundary = b"--grens\r\n"
        yield boundary + b'Content-Disposition: form-data; name="gemeente"\r\n\r\nGM0363\r\n'
        yield boundary + b'Content-Disposition: form-data; name="bestand"; filename="g.csv"\r\n\r\n'
        for _ in range(12):
            yield b"y" * (1024 * 1024)
        yield b"\r\n--grens--\r\n"

    streamed = world.client.post(
        "/api/uploads",
        content=chunks(),
        headers={"Content-Type": "multipart/form-data; boundary=grens"},
    )
    assert streamed.status_code == 413


def test_lezer_may_not_upload_or_share(world) -> None:
    _login(world, "eigenaar_lezer")
    refused = _upload(world, "a.csv", f"buurtcode;n\n{BU_A};1\n".encode())
    assert refused.status_code == 403 and "analist" in refused.json()["fout"]
    view = world.client.post("/api/gedeeld", json={"staat": {"gemeente": "GM0363"}})
    assert view.status_code == 403


def test_save_is_atomic(world) -> None:
    owner = world.users["eigenaar"]
    meta = {
        "organisation_id": owner.organisation_id,
        "gemeente_code": "GM0363",
        "edition": 2019,
        "title": "half",
        "file_name": "half.csv",
        "key_type": "buurt",
        "n_rows": 2,
        "columns": {"getallen": ["n"], "labels": []},
        "notes": [],
        "created_by": owner.user_id,
    }
    count = "SELECT count(*) FROM web_uploads"
    before = world.repo.db.fetchone(count)[0]
    # the same (buurt, column) twice violates the primary key after the upload row was written
    with pytest.raises(Exception):  # noqa: B017 - DuckDB and psycopg raise different classes
        world.repo.save_upload(meta, [(BU_A, "atoom", 1.0, None), (BU_A, "atoom", 2.0, None)])
    assert world.repo.db.fetchone(count)[0] == before
    assert (
        world.repo.db.fetchone("SELECT count(*) FROM web_upload_values WHERE variable = 'atoom'")[0]
        == 0
    )


def test_shared_view_opens_for_partner_only(world) -> None:
    _login(world, "eigenaar_analist")
    state = {
        "gemeente": "GM0363",
        "laag": "concentratie",
        "buurten": [BU_A],
        "overlays": [world.upload_id],
    }
    refused = world.client.post("/api/gedeeld", json={"staat": state, "organisaties": [OTHER]})
    assert refused.status_code == 400 and "niet gedeeld met" in refused.json()["fout"]
    made = world.client.post(
        "/api/gedeeld", json={"staat": state, "organisaties": [PARTNER]}
    ).json()
    assert made["organisaties"] == sorted(["Woonstichting Noord", PARTNER])
    _login(world, "partner")
    opened = world.client.get(made["json"]).json()
    assert opened["staat"]["overlays"] == [world.upload_id] and opened["gedeeld"] == made["token"]
    assert world.client.get(opened["links"]["kaart"]).status_code == 200
    _login(world, "ander")
    assert world.client.get(made["url"]).status_code == 403
    world.client.cookies.clear()
    anon = world.client.get(made["url"], follow_redirects=False)
    assert anon.status_code == 303 and anon.headers["location"].startswith("/inloggen?volgende=")

"""Place search, wijk outlines, layer explanations and the start page's map, on the real store.

Search must forgive: parts of names, accents and case ("Súdwest", "sudwest"); PC4
finds the buurten whose most common postcode it is (KWB ``pst_mvp``); PC6 and
addresses go to the PDOK Locatieserver, here a local HTTP server answering in PDOK's
response format, and without it the answer is a Dutch message, never an error.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

GM = "GM0363"
Q = "van=2017&tot=2019"


@pytest.fixture(scope="module")
def client(web_service, tmp_path_factory):
    import duckdb
    from fastapi.testclient import TestClient

    from veerkracht.store.accounts.database import open_database
    from veerkracht.web.app import create_app

    con = duckdb.connect(str(tmp_path_factory.mktemp("zoeken") / "web.duckdb"))
    app = create_app(web_service.store, database=open_database(None, duck_con=con),
                     service=web_service)  # fmt: skip
    yield TestClient(app)
    con.close()


def _search(client, q: str) -> dict:
    answer = client.get("/api/zoeken.json", params={"q": q})
    assert answer.status_code == 200
    return answer.json()


def _fold(text: str) -> str:
    from veerkracht.web.places import fold

    return fold(text)


def test_part_of_a_name_in_any_case(client) -> None:
    lower, upper = _search(client, "slotermeer"), _search(client, "SLOTERMEER")
    assert lower["resultaten"] == upper["resultaten"]
    found = lower["resultaten"]
    assert found and all("slotermeer" in _fold(r["naam"]) for r in found)
    assert {"wijk", "buurt"} <= {r["soort"] for r in found}
    part = _search(client, "sloter")["resultaten"]
    zuid = next(r for r in part if r["code"] == "BU03637700")
    assert zuid["naam"] == "Slotermeer Zuid"
    assert zuid["url"] == f"/kaart/{GM}?buurt=BU03637700"
    assert zuid["gemeente"] == {"code": GM, "naam": "Amsterdam"}


def test_accents_and_case_do_not_matter_and_names_stay_as_they_are(client) -> None:
    for q in ("Súdwest", "sudwest", "SUDWEST-fryslan"):
        first = _search(client, q)["resultaten"][0]
        assert first["code"] == "GM1900", q
        assert first["naam"] == "Súdwest-Fryslân"  # names are data: never folded


def test_pc4_finds_the_buurten_whose_most_common_postcode_it_is(client, amsterdam_store) -> None:
    stored = amsterdam_store.values(variables=["kwb.pst_mvp"], level="buurt")
    stored = stored[stored.status == "ok"].sort_values("period")
    latest = stored.groupby("region_code").value.last()
    expected = set(latest[latest == 1064].index)
    found = _search(client, "1064")["resultaten"]
    assert expected and {r["code"] for r in found} == expected
    assert all(r["soort"] == "buurt" and r["postcode"] == 1064 for r in found)
    assert "BU03637700" in expected  # Slotermeer Zuid
    none = _search(client, "9999")
    assert none["resultaten"] == [] and "9999" in none["melding"]


def test_address_offline_is_a_dutch_message(client, monkeypatch) -> None:
    import socket

    from veerkracht.web.places import OFFLINE_TEXT

    with socket.socket() as s:  # a port nobody listens on: the request is refused
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("VEERKRACHT_LOCATIESERVER", f"http://127.0.0.1:{port}/search/v3_1")
    answer = _search(client, "Damrak 1")
    assert answer["melding"] == OFFLINE_TEXT
    pc6 = _search(client, "1064 AB")  # offline the four digits still find the buurten
    assert pc6["melding"] == OFFLINE_TEXT
    assert "BU03637700" in {r["code"] for r in pc6["resultaten"]}


def _pdok_answer(q: str) -> dict:
    """A Locatieserver v3.1 /free answer (fields and format as PDOK publishes them)."""
    return {
        "response": {
            "numFound": 1,
            "start": 0,
            "maxScore": 21.7,
            "numFoundExact": True,
            "docs": [
                {
                    "type": "adres",
                    "weergavenaam": "Oudezijds Voorburgwal 1, 1012EH Amsterdam",
                    "id": "adr-0000000000000000000000000000000a",
                    "gemeentecode": "0363",
                    "gemeentenaam": "Amsterdam",
                    "buurtcode": "BU03630001",
                    "buurtnaam": "Oude Kerk e.o.",
                    "wijkcode": "WK036300",
                    "postcode": "1012EH",
                    "centroide_ll": "POINT(4.89723 52.37396)",
                    "score": 21.7,
                }
            ],
        }
    }


@pytest.fixture
def locatieserver(monkeypatch):
    asked: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            asked.append({"path": parts.path, **parse_qs(parts.query)})
            body = json.dumps(_pdok_answer(parse_qs(parts.query)["q"][0])).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv(
        "VEERKRACHT_LOCATIESERVER", f"http://127.0.0.1:{server.server_port}/bzk/search/v3_1"
    )
    yield asked
    server.shutdown()


def test_address_online_lands_on_its_buurt(client, locatieserver) -> None:
    answer = _search(client, "1012EH")
    assert answer["melding"] is None
    first = answer["resultaten"][0]
    assert first["soort"] == "adres"
    assert first["naam"] == "Oudezijds Voorburgwal 1, 1012EH Amsterdam"
    assert first["code"] == "BU03630001"
    assert first["url"] == f"/kaart/{GM}?buurt=BU03630001"
    assert first["punt"] == [4.89723, 52.37396]
    assert locatieserver[0]["path"] == "/bzk/search/v3_1/free"
    assert locatieserver[0]["q"] == ["1012EH"]


def test_search_page_is_the_html_twin(client) -> None:
    page = client.get("/zoeken", params={"q": "sloter"})
    assert page.status_code == 200
    for r in _search(client, "sloter")["resultaten"]:
        assert f'href="{r["url"]}"' in page.text.replace("&amp;", "&")


def test_wijk_outlines_fit_the_buurten_on_the_map(client, web_service) -> None:
    from veerkracht.web.state import ViewState

    data = client.get(f"/api/gemeenten/{GM}/wijken.geojson?{Q}").json()
    codes = [f["properties"]["code"] for f in data["features"]]
    state = ViewState.parse(GM, start_year="2017", end_year="2019")
    c = web_service.computed(("GM0363", 2017, 2019, None, state.scheme, state.reference))
    buurt_wijken = {"WK" + code[2:8] for code in c.mapset.buurten.region_code}
    assert sorted(codes) == sorted(buurt_wijken)  # one outline per wijk, no stray wijk
    named = [f for f in data["features"] if f["properties"]["naam"]]
    assert len(named) >= 0.9 * len(codes)
    centrum = next(f for f in data["features"] if f["properties"]["code"] == "WK036300")
    assert centrum["properties"]["naam"] == "Burgwallen-Oude Zijde"


def test_every_layer_has_an_explanation_from_the_catalogue(client) -> None:
    from veerkracht.indicators import by_key

    meta = client.get("/api/lagen.json").json()
    groups = [g["key"] for g in meta["groepen"]]
    assert groups == ["signaal", "kwetsbaarheid", "overlast", "leefbaarheid", "context",
                      "eigen_data"]  # fmt: skip
    signals = client.get(f"/api/gemeenten/{GM}/signalen.json?{Q}").json()
    for layer in signals["lagen"]:
        info = meta["lagen"][layer["laag"]]
        assert info["uitleg"] and info["bron"] and info["groep"] in groups, layer["laag"]
        assert info["richting_tekst"] in {
            "hoger = ongunstiger", "hoger = gunstiger", "geen goed of slecht: context"
        }  # fmt: skip
    catalogue = by_key()
    assert meta["lagen"]["bijstand"]["uitleg"] == catalogue["bijstand"].description
    assert meta["lagen"]["overlast_lbm3"]["richting_tekst"] == "hoger = gunstiger"


def test_one_colour_logic_unfavourable_is_dark_red(client) -> None:
    """For every classed layer with a direction, the unfavourable end has the darkest red."""
    from veerkracht.maps.palettes import class_colours

    meta = client.get("/api/lagen.json").json()["lagen"]
    signals = client.get(f"/api/gemeenten/{GM}/signalen.json?{Q}").json()
    checked = 0
    for layer in signals["lagen"]:
        info = meta[layer["laag"]]
        if layer["soort"] != "klassen" or info["richting"] == "neutraal":
            continue
        colours = [k["kleur"] for k in layer["klassen"]]
        worst = class_colours(len(colours), diverging=True, worse_when_higher=True)[-1]
        worst_seq = class_colours(len(colours), worse_when_higher=True)[-1]
        end = colours[0] if info["richting"] == "hoger_beter" else colours[-1]
        assert end in {worst, worst_seq}, layer["laag"]
        checked += 1
    assert checked >= 10
    ontwikkeling = next(x for x in signals["lagen"] if x["laag"] == "ontwikkeling")
    # a rising concentration is red, a falling one blue (no longer orange = falling)
    assert ontwikkeling["klassen"][-1]["kleur"] == "#ca0020"
    assert ontwikkeling["klassen"][0]["kleur"] == "#0571b0"


def test_start_page_starts(client) -> None:
    page = client.get("/").text
    assert 'id="vk-zoek"' in page and 'id="vk-gemeentelijst"' in page
    main, _, footer = page.partition('<footer class="vk-voet">')
    assert "/api/" not in main.replace('src="/static', "")  # API links only for developers
    assert "/overzicht.json" in footer and "Voor ontwikkelaars" in footer


def test_leefbaarheid_legend_counts_its_classes(client) -> None:
    """The Leefbaarometer class layer counts every class (its codes were floats: all 0)."""
    geo = client.get(f"/api/gemeenten/{GM}/kaart.geojson?laag=leefbaarheid&{Q}").json()
    counts = geo["metadata"]["legenda"]["aantallen"]
    on_map: dict[str, int] = {}
    for f in geo["features"]:
        on_map[f["properties"]["klasse"]] = on_map.get(f["properties"]["klasse"], 0) + 1
    for label, n in counts.items():  # the table counts also buurten without a polygon
        assert n >= on_map.get(label, 0), label
    assert sum(counts.values()) >= sum(v for k, v in on_map.items() if k in counts) > 0

"""Own data placed in buurten (veerkracht.own_data): every key type, every reason, and
PDOK Locatieserver answered by a local server in PDOK's response format."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from veerkracht.errors import ParameterError
from veerkracht.own_data import COUNT, OFFLINE_REASON, edition_choices, own_data_points
from veerkracht.own_data import place_own_data as place

INSIDE_RD = (121400.0, 487400.0)  # Oude Kerk e.o. (BU0363AE02 in indeling 2022)


def _doc(name: str, point: tuple[float, float], gemeente: str, kind: str) -> dict:
    """One Locatieserver document as /free returns it (fields of its real answers)."""
    return {
        "type": kind,
        "weergavenaam": name,
        "id": "adr-0123456789abcdef",
        "centroide_rd": f"POINT({point[0]} {point[1]})",
        "centroide_ll": "POINT(4.8953 52.3731)",
        "gemeentecode": gemeente,
        "gemeentenaam": "Amsterdam" if gemeente == "0363" else "Rotterdam",
        "postcode": "1012LG",
        "score": 11.2,
    }


ANSWERS = {
    "Damrak 1, Amsterdam": _doc("Damrak 1, 1012LG Amsterdam", INSIDE_RD, "0363", "adres"),
    "Coolsingel 40, Rotterdam": _doc(
        "Coolsingel 40, 3011AD Rotterdam", (92800.0, 437800.0), "0599", "adres"
    ),
    "1012LG": _doc("1012LG", INSIDE_RD, "0363", "postcode"),
}


@pytest.fixture
def locatieserver(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict]]:
    asked: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            asked.append({"path": parts.path, **query})
            doc = ANSWERS.get(query.get("q", ""))
            if doc is not None and query.get("fq") != f"type:{doc['type']}":
                doc = None
            docs = [doc] if doc else []
            body = json.dumps(
                {
                    "response": {
                        "numFound": len(docs),
                        "start": 0,
                        "maxScore": 11.2 if docs else 0.0,
                        "numFoundExact": True,
                        "docs": docs,
                    }
                }
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv(
        "VEERKRACHT_PDOK_LOCATIESERVER",
        f"http://127.0.0.1:{server.server_port}/bzk/locatieserver/search/v3_1",
    )
    monkeypatch.delenv("VEERKRACHT_OFFLINE", raising=False)
    yield asked
    server.shutdown()
    server.server_close()


def _file(tmp_path: Path, text: str, name: str = "eigen.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_buurtcodes_each_row_its_reason(amsterdam_store, tmp_path) -> None:
    path = _file(
        tmp_path,
        "complex;buurtcode;woningen;beleid\nC1;BU03630000;120;sloop\nC2;BU03630000;30;sloop\n"
        "C3;BU05990101;45;x\nC4;BU036;4;x\nC5;BU0363AF01;4;x\nC6;BU03637700;7;handhaven\n",
    )
    p = place(amsterdam_store, path, gemeente="Amsterdam", edition=2019)
    reasons = {u.row: u.reason for u in p.unplaced}
    assert sorted(reasons) == [4, 5, 6]
    assert "andere gemeente (GM0599)" in reasons[4]
    assert "geen geldige buurtcode" in reasons[5]
    assert "bestaat niet in buurtindeling 2019" in reasons[6] and "2022" in reasons[6]
    values = p.buurt_values().set_index("region_code")
    assert values.loc["BU03630000", "woningen"] == 150 and values.loc["BU03630000", COUNT] == 2
    # Slotermeer Zuid has no polygon: placed, and said so (not refused as 'another gemeente')
    assert values.loc["BU03637700", "woningen"] == 7
    assert any("BU03637700" in n and "zonder kaartgrens" in n for n in p.notes)
    points = own_data_points(amsterdam_store, p)
    assert set(points.region_code) == {"BU03630000"}  # no polygon, no symbol


def test_the_edition_must_be_one_the_gemeente_has(amsterdam_store, tmp_path) -> None:
    path = _file(tmp_path, "buurtcode;n\nBU03630000;1\n")
    with pytest.raises(ParameterError) as err:
        place(amsterdam_store, path, gemeente="GM0363", edition=2011)
    assert err.value.parameter == "buurtindeling" and "2019" in (err.value.fix or "")
    years = [c.edition for c in edition_choices(amsterdam_store, "GM0363")]
    assert 2019 in years and 2022 in years and years == sorted(years, reverse=True)


def test_pc4_through_the_cbs_postcode_per_buurt(amsterdam_store, tmp_path) -> None:
    path = _file(tmp_path, "postcode;woningen\n1012;13\n9999;1\n")
    p = place(amsterdam_store, path, gemeente="GM0363", edition=2019)
    assert [(u.row, u.key) for u in p.unplaced] == [(3, "9999")]
    assert "meest voorkomende postcode" in p.unplaced[0].reason
    values = p.buurt_values()
    # split evenly over the buurten whose most common postcode is 1012: the total stays 13
    assert len(values) > 1 and values["woningen"].sum() == pytest.approx(13)
    assert values[COUNT].sum() == pytest.approx(1)


def test_points_in_the_chosen_polygons(amsterdam_store, tmp_path) -> None:
    path = _file(
        tmp_path,
        f"x;y;woningen\n{INSIDE_RD[0]};{INSIDE_RD[1]};10\nabc;3;5\n100;700000;1\n92800;437800;2\n",
    )
    p = place(amsterdam_store, path, gemeente="GM0363", edition=2022)
    reasons = {u.row: u.reason for u in p.unplaced}
    assert list(p.placed.region_code) == ["BU0363AE02"]
    assert "geen getal" in reasons[3] and "niet in Nederland" in reasons[4]
    assert "buiten de buurten van Amsterdam" in reasons[5]  # Rotterdam


def test_addresses_offline_listed_not_refused(amsterdam_store, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("VEERKRACHT_OFFLINE", "1")
    path = _file(tmp_path, "adres;plaats;woningen\nDamrak 1;Amsterdam;3\n;Amsterdam;1\n")
    p = place(amsterdam_store, path, gemeente="GM0363", edition=2022)
    assert [(u.row, u.reason) for u in p.unplaced] == [
        (2, OFFLINE_REASON),
        (3, "adres ontbreekt"),
    ]


def test_addresses_and_pc6_via_locatieserver(amsterdam_store, tmp_path, locatieserver) -> None:
    path = _file(
        tmp_path,
        "adres;plaats;woningen\nDamrak 1;Amsterdam;3\nCoolsingel 40;Rotterdam;2\n"
        "Nergensstraat 9;Amsterdam;1\n",
    )
    p = place(amsterdam_store, path, gemeente="GM0363", edition=2022)
    assert list(p.placed.region_code) == ["BU0363AE02"]
    assert list(p.placed.x) == [INSIDE_RD[0]]
    reasons = {u.row: u.reason for u in p.unplaced}
    assert "andere gemeente (GM0599)" in reasons[3]
    assert reasons[4] == "adres niet gevonden bij PDOK Locatieserver"
    assert all(a["path"].endswith("/v3_1/free") and a["fq"] == "type:adres" for a in locatieserver)
    assert locatieserver[0]["q"] == "Damrak 1, Amsterdam"
    pc6 = place(
        amsterdam_store,
        _file(tmp_path, "postcode;woningen\n1012 LG;4\n", "pc6.csv"),
        gemeente="GM0363",
        edition=2022,
    )
    assert list(pc6.placed.region_code) == ["BU0363AE02"] and not pc6.unplaced
    assert locatieserver[-1]["fq"] == "type:postcode" and locatieserver[-1]["q"] == "1012LG"


def test_service_down_lists_the_rows(amsterdam_store, tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("VEERKRACHT_OFFLINE", raising=False)
    monkeypatch.setenv("VEERKRACHT_PDOK_LOCATIESERVER", "http://127.0.0.1:9/nergens")
    monkeypatch.setenv("VEERKRACHT_HTTP_BACKOFF", "0")
    path = _file(tmp_path, "adres;woningen\nDamrak 1;3\nDamrak 2;3\n")
    p = place(amsterdam_store, path, gemeente="GM0363", edition=2022)
    assert [u.row for u in p.unplaced] == [2, 3]
    assert all(u.reason.startswith(OFFLINE_REASON) for u in p.unplaced)

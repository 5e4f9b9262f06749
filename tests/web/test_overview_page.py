"""``/overzicht`` and ``/overzicht.json`` on a few gemeenten of the real store.

The full national run is tested in tests/test_overview.py; here the web page and its
JSON twin must show the same gemeenten, link to their maps and never turn unknown
residents into 0.
"""

from __future__ import annotations

import re
from html import escape

SUBSET = ["GM0034", "GM0363", "GM0855"]  # Almere, Amsterdam, Tilburg


def test_web_page_and_json_twin_show_the_same_gemeenten(web_service, tmp_path):
    import duckdb
    from fastapi.testclient import TestClient

    from veerkracht.store.accounts.database import open_database
    from veerkracht.web.app import create_app

    con = duckdb.connect(str(tmp_path / "web.duckdb"))  # web tables apart from the store
    db = open_database(None, duck_con=con)
    app = create_app(web_service.store, database=db, service=web_service)
    app.state.overview.gemeenten = SUBSET
    client = TestClient(app)
    first = client.get("/overzicht.json")
    assert first.status_code in (200, 202)
    assert app.state.overview.wait(600) is not None
    data = client.get("/overzicht.json").json()
    html = client.get("/overzicht").text
    assert [g["gemeentecode"] for g in data["gemeenten"]]
    json_codes = {g["gemeentecode"]: g for g in data["gemeenten"]}
    html_codes = re.findall(r'<tr data-gemeente="(GM\d{4})">', html)
    assert sorted(html_codes) == sorted(json_codes) == SUBSET
    for code in SUBSET:
        assert f'href="/kaart/{code}"' in html
    assert escape(data["landelijk"][0]["tekst"]) in html  # the figure, escaped
    tilburg = json_codes["GM0855"]
    assert tilburg["inwoners probleem"] is None  # unknown, never 0
    # server-side sorting: descending by 'buurten probleem'
    sorted_html = client.get("/overzicht?sorteer=buurten probleem&volgorde=af").text
    order = re.findall(r'<tr data-gemeente="(GM\d{4})">', sorted_html)
    counts = [json_codes[c]["buurten probleem"] for c in order]
    assert counts == sorted(counts, reverse=True)
    con.close()

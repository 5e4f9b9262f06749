"""The national buurt view: PMTiles archive (Range requests), values joined by code, page."""

from __future__ import annotations

import pyogrio
import pytest
from benchmarks._synthetic import make_regions, write_geopackage, write_kwb_csv


@pytest.fixture(scope="module")
def national(tmp_path_factory):
    """A small synthetic 'whole NL': 300 buurten in 12 gemeenten, polygons and KWB 2024."""
    from fastapi.testclient import TestClient

    from veerkracht.ingest import import_folder
    from veerkracht.store import Store
    from veerkracht.web.app import create_app

    folder = tmp_path_factory.mktemp("nl")
    regions = make_regions(300, 12)
    write_kwb_csv(regions, 2024, folder / "kwb-2024.csv")
    write_geopackage(regions, 2024, folder / "wijkenbuurten_2024_v1.gpkg")
    store = Store(folder / "data" / "veerkracht.duckdb")
    import_folder(store, folder)
    app = create_app(store)
    with TestClient(app) as client:
        yield client, store, app
    store.close()


def test_values_are_joined_by_code_with_classes_and_sources(national) -> None:
    client, store, _ = national
    data = client.get("/api/nederland/waarden.json").json()
    assert data["indicator"] == "laag_inkomen" and data["jaar"] == 2024
    assert data["indeling"] == 2024
    # every value belongs to a buurt with a polygon of that edition, keyed by its code
    codes = set(store.geometry_codes(level="buurt").query("edition == 2024").region_code)
    assert set(data["waarden"]) <= codes and len(data["waarden"]) == data["buurten"] > 250
    stored = store.values(variables=["kwb.p_hh_lkk"], level="buurt", edition=2024)
    truth = dict(zip(stored.region_code, stored.value, strict=True))
    code, (value, _) = next(iter(data["waarden"].items()))
    assert value == pytest.approx(truth[code], abs=1e-3)
    # quintiles: five classes, each about a fifth of the buurten, ordered by value
    classes = [k for _, k in data["waarden"].values()]
    assert sorted(set(classes)) == [0, 1, 2, 3, 4]
    assert max(classes.count(k) for k in range(5)) < 0.3 * len(classes)
    by_class = {}
    for v, k in data["waarden"].values():
        by_class.setdefault(k, []).append(v)
    assert all(max(by_class[k]) <= min(by_class[k + 1]) for k in range(4))
    assert any("Kerncijfers wijken en buurten 2024" in s for s in data["bronnen"])
    assert any("buurtgrenzen indeling 2024" in s for s in data["bronnen"])


def test_archive_holds_every_buurt_and_answers_range_requests(national, tmp_path) -> None:
    client, store, _ = national
    url = client.get("/api/nederland/waarden.json").json()["tegels"]
    head = client.get(url, headers={"Range": "bytes=0-126"})
    assert head.status_code == 206
    assert head.headers["content-range"].startswith("bytes 0-126/")
    assert head.content[:8] == b"PMTiles\x03"  # the PMTiles v3 header
    whole = client.get(url)
    assert whole.status_code == 200 and whole.headers["accept-ranges"] == "bytes"
    path = tmp_path / "b.pmtiles"
    path.write_bytes(whole.content)
    tiles = pyogrio.read_dataframe(path, layer="buurten")
    drawn = store.geometry_codes(level="buurt").query("edition == 2024").region_code
    assert set(tiles.code) == set(drawn)
    assert client.get("/tiles/buurten-1999.pmtiles").status_code == 404


def test_page_states_sources_and_loads_the_national_script(national) -> None:
    client, _, _ = national
    page = client.get("/nederland")
    assert page.status_code == 200
    assert "Huishoudens met een laag inkomen per buurt, 2024" in page.text
    assert "Kerncijfers wijken en buurten 2024" in page.text
    assert "/static/national.js" in page.text and 'id="vk-nederland"' in page.text
    twin = client.get("/nederland.json").json()
    assert twin["waarden_url"].startswith("/api/nederland/waarden.json?indicator=laag_inkomen")
    assert "waarden" not in twin


def test_bad_indicator_and_year_are_named_in_dutch(national) -> None:
    client, _, _ = national
    bad = client.get("/api/nederland/waarden.json?indicator=inkomen")
    assert bad.status_code == 400
    assert "indicator" in bad.json()["fout"] and "laag_inkomen" in bad.json()["oplossing"]
    none = client.get("/api/nederland/waarden.json?jaar=2001")
    assert none.status_code == 404 and "2001" in none.json()["fout"]


@pytest.fixture(scope="module")
def live(national):
    """The same app behind a real uvicorn server (the browser needs HTTP Range requests)."""
    from tests.web._live import live_server
    from tests.web.test_browser import CHROMIUM, _unavailable
    from veerkracht.web.frontend import NOT_BUILT, bundle_ready

    if not bundle_ready() or not CHROMIUM.exists():
        _unavailable(f"{NOT_BUILT} of Chromium ontbreekt ({CHROMIUM})")
    with live_server(national[2]) as base:
        yield base


def test_browser_draws_every_class_from_the_tiles(live, national) -> None:
    import io

    import matplotlib.image as mpimg
    import numpy as np
    from playwright.sync_api import sync_playwright

    from tests.web.test_browser import ARGS, CHROMIUM

    client, _, _ = national
    legend = client.get("/api/nederland/waarden.json").json()["legenda"]
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        tiles = []
        page.on("response", lambda r: tiles.append(r.status) if ".pmtiles" in r.url else None)
        page.goto(f"{live}/nederland")
        page.wait_for_selector("#vk-nederland[data-getekend]", state="attached", timeout=120_000)
        png = page.locator("#vk-nederland").screenshot()
        browser.close()
    assert tiles and set(tiles) == {206}  # only byte ranges of the archive were fetched
    pixels = (mpimg.imread(io.BytesIO(png))[..., :3] * 255).round().astype(int)
    for item in legend:  # every class colour fills a visible part of the map
        rgb = [int(item["kleur"][i : i + 2], 16) for i in (1, 3, 5)]
        share = np.all(np.abs(pixels - rgb) <= 2, axis=-1).mean()
        assert share > 0.01, (item, share)

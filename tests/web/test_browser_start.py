"""The web app as a policy advisor meets it, in headless Chromium (web-first waits only).

Start page → search by part of a name or by postcode → the buurt on the map with its
profile; layer themes change the legend; every layer has an explanation; what the
legend, the map and the profile show equals the JSON behind them, joined by buurt code
and indicator key. The PDOK background map is switched on against a stand-in (and
off when PDOK cannot be reached); no test needs the internet.

Set VEERKRACHT_SCHERMAFDRUKKEN=/some/dir to save screenshots.
"""

from __future__ import annotations

import re

import pytest

import tests.web.test_browser as tb

# the real-server and Chromium fixtures of the main browser test (module scope)
server, browser, page = tb.server, tb.browser, tb.page
GM = tb.GM
PDOK = "https://service.pdok.nl/**"
SLOW = 120_000  # ms: the first computation of a view, on a shared 2-core machine


@pytest.fixture(autouse=True, scope="module")
def _one_gemeente_overview(server):
    """The start page starts the national overview; here it covers Amsterdam only."""
    server.app.state.overview.gemeenten = [GM]


def _close(text: str, value: float | None) -> bool:
    """A Dutch number as shown ('-0,5', '1.234,5%') is the value rounded as displayed
    (two decimals below 1, else one), so within half its last digit."""
    shown = tb._shown_number(text)
    if value is None or shown is None:
        return shown is None and value is None
    return abs(shown - value) <= (0.005 if abs(value) < 1 else 0.05) + 1e-9


def _search(page, text: str):
    box = page.get_by_label("Zoek een buurt, wijk, gemeente of postcode")
    box.fill(text)
    return box


def test_start_page_map_list_and_search_by_part_of_a_name(server, page) -> None:
    from playwright.sync_api import expect

    page.goto(server.base + "/")
    expect(page.locator("#vk-kaart")).to_have_attribute("data-getekend", "gemeenten")
    status = page.locator("#vk-start-status")
    expect(status).to_contain_text("Vergeleken met Nederland", timeout=SLOW)
    start = page.request.get(server.base + "/api/overzicht/kaart.geojson").json()["metadata"]
    rows = page.locator("#vk-gemeentelijst tbody tr")
    expect(rows).to_have_count(len(start["gemeenten"]))
    expect(page.locator(f'#vk-gemeentelijst tr[data-gemeente="{GM}"] a')).to_have_text("Amsterdam")
    # no raw API links for users: only under 'Voor ontwikkelaars'
    assert page.locator("main a[href^='/api/'], .vk-start-lijst a[href^='/api/']").count() == 0
    tb._shot(page, "start")
    # part of a name, other case: lands on the buurt, its profile open
    _search(page, "OUDE KERK")
    option = page.get_by_role("option", name=re.compile(r"^Oude Kerk e\.o\.\s*Buurt"))
    expect(option).to_be_visible()
    with page.expect_response(lambda r: "/buurten/BU03630001.json" in r.url, timeout=SLOW):
        option.click()
    expect(page.locator("#vk-profiel-naam")).to_have_text("Oude Kerk e.o.")
    assert "buurt=BU03630001" in page.url
    tb._drawn(page, "typologie")
    # place context: wijk outlines with names on the map (HTML labels, no glyph server)
    wijken = page.request.get(
        f"{server.base}/api/gemeenten/{GM}/wijken.geojson?van=2017&tot=2020&klassen=kwantielen"
    ).json()
    names = {f["properties"]["naam"] for f in wijken["features"]}
    labels = page.locator(".vk-label-wijk")
    expect(labels.first).to_be_visible()
    assert set(labels.all_text_contents()) <= names  # (shown in capitals by CSS)
    expect(page.locator(".vk-label-buurt", has_text="Oude Kerk e.o.")).to_be_visible()
    tb._shot(page, "gezocht_op_naam")
    # the view is remembered on this computer and offered on the start page
    page.goto(server.base + "/")
    expect(page.locator("#vk-recent-lijst a").first).to_contain_text("Amsterdam")


def test_search_by_postcode_lands_on_a_buurt_of_that_postcode(server, page) -> None:
    from playwright.sync_api import expect

    found = page.request.get(server.base + "/api/zoeken.json?q=1064").json()["resultaten"]
    assert found and all(r["postcode"] == 1064 for r in found)
    page.goto(server.base + "/")
    _search(page, "1064")
    options = page.locator("#vk-suggesties li[role=option]")
    expect(options).to_have_count(len(found))
    expect(options.first).to_have_attribute("data-code", re.compile("^BU0363"))
    codes = [options.nth(i).get_attribute("data-code") for i in range(len(found))]
    assert codes == [r["code"] for r in found]  # the list is the API's, in its order
    target = next(r for r in found if r["code"] != "BU03637700")  # one with a polygon
    with page.expect_response(lambda r: f"/buurten/{target['code']}.json" in r.url):
        page.locator(f'#vk-suggesties li[data-code="{target["code"]}"]').click()
    expect(page.locator("#vk-profiel-naam")).to_have_text(target["naam"])
    # a postcode with a house number needs PDOK: offline a Dutch message, the PC4 still helps
    page.goto(server.base + "/")
    _search(page, "1064 AB")
    expect(page.locator("#vk-zoek-melding")).to_contain_text("PDOK Locatieserver")
    expect(page.locator("#vk-suggesties li[data-code=BU03637700]")).to_be_visible()


def test_layer_themes_change_the_legend_and_explain_each_layer(server, page) -> None:
    from playwright.sync_api import expect

    page.goto(server.base + tb.TYPOLOGIE_URL)
    tb._drawn(page, "typologie")
    meta = page.request.get(server.base + "/api/lagen.json").json()
    signals = page.request.get(
        f"{server.base}/api/gemeenten/{GM}/signalen.json?van=2017&tot=2019"
    ).json()
    explanation = page.locator("#vk-uitleg")
    expect(explanation).to_contain_text(meta["lagen"]["typologie"]["uitleg"])
    for theme in ("kwetsbaarheid", "overlast", "leefbaarheid"):
        # the first layer of the theme, in the order the select offers it
        group_label = next(g["label"] for g in meta["groepen"] if g["key"] == theme)
        first = page.locator(f'#vk-laag optgroup[label="{group_label}"] option').first
        key = first.get_attribute("value")
        layer = next(x for x in signals["lagen"] if x["laag"] == key)
        with page.expect_response(lambda r, k=key: f"kaart.geojson?laag={k}&" in r.url):
            page.get_by_label("Thema").select_option(theme)
        tb._drawn(page, key)
        expect(page.locator("#vk-legenda-titel")).to_have_text(layer["titel"])
        info = meta["lagen"][key]
        assert info["groep"] == theme
        expect(explanation).to_contain_text(info["uitleg"])
        expect(explanation).to_contain_text(info["bron"])
        expect(page.locator("#vk-uitleg-jaar")).to_have_text(str(layer["periode"]))
        expect(page.locator("#vk-uitleg-richting")).to_have_text(info["richting_tekst"])
    tb._shot(page, "thema_leefbaarheid")
    # only periods with data, as one choice
    periods = page.locator("#vk-periode option").all_inner_texts()
    assert periods == sorted(
        {f"{p['van']}–{p['tot']}" for p in signals["perioden_met_gegevens"]} | {"2017–2019"},
        key=lambda t: (-int(t[-4:]), -int(t[:4])),
    )


def test_legend_map_and_profile_show_the_json_joined_by_key(server, page) -> None:
    from playwright.sync_api import expect

    page.goto(server.base + tb.TYPOLOGIE_URL)
    tb._drawn(page, "typologie")
    page.get_by_label("Kaartlaag").select_option("bijstand")
    tb._drawn(page, "bijstand")
    geo = page.request.get(
        f"{server.base}/api/gemeenten/{GM}/kaart.geojson?laag=bijstand&van=2017&tot=2019"
    ).json()
    legend = geo["metadata"]["legenda"]
    shown = page.locator(".vk-klassen li .vk-klasse-label").all_inner_texts()
    assert shown == [k["label"] for k in legend["klassen"]]
    swatches = page.locator(".vk-klassen li .vk-vakje").evaluate_all(
        "els => els.map((e) => e.style.background)"
    )
    def rgb(hex_colour: str) -> str:
        r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
        return f"rgb({r}, {g}, {b})"

    assert swatches == [rgb(k["kleur"]) for k in legend["klassen"]]
    # every buurt's colour on the map is its colour in the JSON, joined by buurt code
    drawn = page.evaluate(
        """async () => {
            const data = await window.veerkracht.kaart().getSource('buurten').getData();
            return Object.fromEntries(
                data.features.map((f) => [f.properties.code, f.properties.kleur]));
        }"""
    )
    expected = {f["properties"]["code"]: f["properties"]["kleur"] for f in geo["features"]}
    assert drawn == expected
    # the profile: every row and every trend value label = the buurt JSON, by key and year
    code = "BU03630000"
    profile = page.request.get(
        f"{server.base}/api/gemeenten/{GM}/buurten/{code}.json?van=2017&tot=2019"
    ).json()
    with page.expect_response(lambda r: f"/buurten/{code}.json" in r.url):
        tb._click_buurt(page, code)
    panel = page.get_by_role("complementary", name="Buurtprofiel")
    expect(panel.locator("#vk-profiel-naam")).to_have_text(profile["naam"])
    expect(panel.locator("tr[data-indicator]")).to_have_count(len(profile["indicatoren"]))
    checked = 0
    for ind in profile["indicatoren"]:
        row = panel.locator(f'tr[data-indicator="{ind["key"]}"]')
        assert _close(row.locator("td.vk-buurtwaarde").inner_text(), ind["waarde"]), ind["key"]
        labels = row.locator("svg.vk-trend text.vk-waarde")
        by_year = {
            int(labels.nth(i).get_attribute("data-jaar")): labels.nth(i).text_content()
            for i in range(labels.count())
        }
        for point in ind["trend"]:
            if point["waarde"] is not None:
                assert _close(by_year[point["jaar"]], point["waarde"]), (ind["key"], point)
                checked += 1
        years = row.locator("svg.vk-trend text.vk-jaar-as").all_text_contents()
        assert {str(p["jaar"]) for p in ind["trend"] if p["waarde"] is not None} <= set(years)
    assert checked >= 10
    tb._shot(page, "profiel_met_trends")


def _pdok(online: bool, tile: bytes, asked: list[str]):
    """A stand-in for PDOK: a tile when online, a refused connection when not."""

    def answer(route) -> None:  # Playwright passes (route, request) to two-argument handlers
        asked.append(route.request.url)
        if online:
            route.fulfill(status=200, content_type="image/png", body=tile)
        else:
            route.abort("internetdisconnected")

    return answer


def test_background_map_on_when_pdok_answers_and_off_with_a_message_when_not(
    server, browser
) -> None:
    import io

    from PIL import Image
    from playwright.sync_api import expect

    buffer = io.BytesIO()
    Image.new("RGB", (256, 256), (230, 226, 214)).save(buffer, format="PNG")
    tile = buffer.getvalue()  # a stand-in for a BRT-Achtergrondkaart tile
    for online in (False, True):
        context = browser.new_context(viewport={"width": 1440, "height": 900})
        asked: list[str] = []

        context.route(PDOK, _pdok(online, tile, asked))
        pg = context.new_page()
        pg.goto(server.base + tb.TYPOLOGIE_URL)
        tb._drawn(pg, "typologie")
        assert asked == []  # off by default: nothing is fetched from PDOK unasked
        switch = pg.get_by_label("Achtergrondkaart")
        switch.click()  # (not check(): offline the page unchecks it again at once)
        if online:
            expect(pg.locator(".maplibregl-ctrl-attrib")).to_contain_text("Kadaster / PDOK")
            expect(switch).to_be_checked()
        else:
            expect(pg.locator("#vk-achtergrond-melding")).to_contain_text("niet bereikbaar")
            expect(switch).not_to_be_checked()
            expect(pg.locator("#vk-legenda-titel")).to_be_visible()  # the map still works
        assert asked and all(u.startswith("https://service.pdok.nl/brt/") for u in asked)
        context.close()

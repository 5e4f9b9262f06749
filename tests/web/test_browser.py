"""End-to-end: the MapLibre app in headless Chromium against a real uvicorn server.

The server runs in a thread of the test process (it shares the session's real
Amsterdam store) on 127.0.0.1 with a free port. Waits are web-first (``expect``,
``expect_response``); nothing sleeps. WebGL: headless Chromium with --disable-gpu
falls back to SwiftShader; ``--use-angle=swiftshader --enable-unsafe-swiftshader``
keep that fallback on in newer Chromium versions.

Set VEERKRACHT_SCHERMAFDRUKKEN=/some/dir to save screenshots of the main views.
Under CI=true a missing Chromium or an unbuilt front end fails; locally they skip.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.web.conftest import OTHER, OWNER, PARTNER, PASSWORD

CHROMIUM = Path(os.environ.get("VEERKRACHT_CHROMIUM", "/usr/bin/chromium"))
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader",
]
GM = "GM0363"
KOP_ZEEDIJK, OUDE_KERK = "BU03630000", "BU03630001"
TYPOLOGIE_URL = f"/kaart/{GM}?laag=typologie&van=2017&tot=2019&klassen=kwantielen"


def _unavailable(reason: str) -> None:
    from tests.conftest import in_ci

    if in_ci():
        pytest.fail(reason)
    pytest.skip(reason)


@dataclass
class Server:
    base: str
    repo: object
    users: dict
    foreign: list[str] = field(default_factory=list)  # requests to any other host
    app: object = None  # the FastAPI app (its state: e.g. the overview's gemeenten)

    def watch(self, context) -> None:
        host = urlsplit(self.base).netloc

        def record(request) -> None:
            parts = urlsplit(request.url)
            if parts.scheme in {"http", "https", "ws", "wss"} and parts.netloc != host:
                self.foreign.append(request.url)

        context.on("request", record)

    def cookie(self, who: str) -> list[dict]:
        token, _ = self.repo.create_session(self.users[who].user_id)
        return [{"name": "veerkracht_sessie", "value": token, "url": self.base}]


@pytest.fixture(scope="module")
def server(web_service, tmp_path_factory):
    import duckdb

    from tests.web._live import live_server
    from veerkracht.store.accounts.database import open_database
    from veerkracht.web.app import create_app
    from veerkracht.web.frontend import NOT_BUILT, bundle_ready

    if not bundle_ready():
        _unavailable(f"{NOT_BUILT} (npm ci && npm run build in web/frontend)")
    con = duckdb.connect(str(tmp_path_factory.mktemp("browserdb") / "web.duckdb"))
    app = create_app(
        web_service.store, database=open_database(None, duck_con=con), service=web_service
    )
    # every page in this module is one anonymous client at 127.0.0.1 that starts many
    # computations; the rate limit itself is tested in test_hardening.py
    from veerkracht.web.limits import RateLimiter

    app.state.web.expensive = RateLimiter(10_000, 60, 10_000)
    # a page that starts the national overview computes it for Amsterdam only: the full
    # run would keep the workers busy for minutes after this module
    app.state.overview.gemeenten = ["GM0363"]
    repo = app.state.web.repo
    users = {
        "analist": repo.add_user(OWNER, "analist@noord.nl", PASSWORD, "analist"),
        "beheerder": repo.add_user(OWNER, "beheer@noord.nl", PASSWORD, "beheerder"),
        "partner": repo.add_user(PARTNER, "lezer@west.nl", PASSWORD, "lezer"),
        "ander": repo.add_user(OTHER, "analist@oost.nl", PASSWORD, "analist"),
    }
    with live_server(app) as base:
        yield Server(base, repo, users, app=app)
    con.close()


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        _unavailable(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=30_000)  # the first signal computation takes seconds
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(server, browser):
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="nl-NL")
    server.watch(context)
    pg = context.new_page()
    yield pg
    context.close()


def _shot(page, name: str) -> None:
    folder = os.environ.get("VEERKRACHT_SCHERMAFDRUKKEN")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"))


def _drawn(page, layer: str, overlays: str = "") -> None:
    from playwright.sync_api import expect

    expect(page.locator("#vk-kaart")).to_have_attribute("data-getekend", f"{GM}:{layer}:{overlays}")


def api_features(
    page, server, layer: str = "typologie", period: str = "van=2017&tot=2019"
) -> list[dict]:
    url = f"{server.base}/api/gemeenten/{GM}/kaart.geojson?laag={layer}&{period}"
    return page.request.get(url).json()["features"]


def _source(page) -> dict:
    """What MapLibre holds in the buurten source: count and one buurt's properties."""
    return page.evaluate(
        """async (code) => {
            const data = await window.veerkracht.kaart().getSource('buurten').getData();
            const f = data.features.find((x) => x.properties.code === code);
            return {n: data.features.length, klasse: f.properties.klasse,
                    kleur: f.properties.kleur};
        }""",
        KOP_ZEEDIJK,
    )


def _shown_number(text: str) -> float | None:
    """A Dutch number as the panel shows it ('1.234,5%', '–' for missing)."""
    text = text.strip().rstrip("%")
    if text in {"", "–"}:
        return None
    return float(text.replace(".", "").replace(",", "."))


def _same(text: str, value) -> bool:
    shown = _shown_number(text)
    if value is None or shown is None:
        return shown is None and value is None
    return abs(shown - value) <= (0.005 if abs(value) < 1 else 0.05)


def _click_buurt(page, code: str, *, shift: bool = False) -> None:
    point = page.evaluate("(code) => window.veerkracht.naarBuurt(code, 15)", code)
    page.locator("#vk-kaart canvas").click(position=point, modifiers=["Shift"] if shift else None)


def test_choose_gemeente_via_search(server, page) -> None:
    from playwright.sync_api import expect

    # Amstelveen has no buurt boundaries in the shared data: a Dutch message, then search
    page.goto(f"{server.base}/kaart/GM0362")
    expect(page.locator("#vk-melding")).to_contain_text("Geen buurtgrenzen voor Amstelveen")
    search = page.get_by_label("Zoek een buurt, wijk, gemeente of postcode")
    search.fill("amst")
    option = page.get_by_role("option", name=re.compile(r"^Amsterdam\s*Gemeente"))
    expect(option).to_be_visible()
    expect(
        page.get_by_role("option", name=re.compile(r"^Amstelveen\s*Gemeente"))
    ).to_have_attribute("aria-disabled", "true")
    with page.expect_response(lambda r: "/kaart.geojson?laag=typologie" in r.url) as geo:
        search.press("Enter")
    assert geo.value.status == 200
    _drawn(page, "typologie")
    expect(page.locator("#vk-gemeentenaam")).to_have_text("Amsterdam")
    # no years asked: the most recent period with data, named in the URL once known
    expect(page.locator("#vk-legenda-titel")).to_have_text("Signaleringskaart Amsterdam, 2017–2020")
    # the legend counts what the API counts, per class, over every buurt (joined by label)
    api = page.request.get(
        f"{server.base}/api/gemeenten/{GM}/kaart.geojson?laag=typologie&van=2017&tot=2020"
    ).json()["metadata"]["legenda"]
    labels = page.locator(".vk-klassen li .vk-klasse-label").all_inner_texts()
    counts = page.locator(".vk-klassen li .vk-aantal").all_inner_texts()
    assert labels == [k["label"] for k in api["klassen"]]
    assert dict(zip(labels, map(int, counts), strict=True)) == {
        k["label"]: api["aantallen"][k["label"]] for k in api["klassen"]
    }
    assert sum(api["aantallen"].values()) == 479
    expect(page.locator("#vk-zonder-vlak")).to_contain_text("wel geteld: 40 buurten")
    # what the signals rest on: period, reference, indicator groups used and missing
    page.get_by_text("Waar de signalen op rusten").click()
    coverage = page.locator("#vk-dekking-inhoud")
    expect(coverage).to_contain_text("Periode 2017–2020 (meest recente jaren met gegevens)")
    expect(coverage).to_contain_text("Kwetsbaarheid: Huishoudens met een laag inkomen (2017→2019)")
    expect(coverage).to_contain_text("R-CONC")
    assert page.url == server.base + TYPOLOGIE_URL.replace("tot=2019", "tot=2020")
    feature = next(
        f
        for f in api_features(page, server, period="van=2017&tot=2020")
        if f["properties"]["code"] == KOP_ZEEDIJK
    )
    assert _source(page) == {
        "n": 439,
        "klasse": feature["properties"]["klasse"],
        "kleur": feature["properties"]["kleur"],
    }
    _shot(page, "typologie")


def test_switch_map_layers(server, page) -> None:
    from playwright.sync_api import expect

    page.goto(server.base + TYPOLOGIE_URL)
    _drawn(page, "typologie")
    page.get_by_label("Kaartlaag").select_option("concentratie")
    _drawn(page, "concentratie")
    expect(page.locator("#vk-legenda-titel")).to_have_text(
        "Concentratie kwetsbare groepen in Amsterdam, 2019"
    )
    feature = next(
        f
        for f in api_features(page, server, "concentratie")
        if f["properties"]["code"] == KOP_ZEEDIJK
    )
    assert _source(page) == {
        "n": 439,
        "klasse": feature["properties"]["klasse"],
        "kleur": feature["properties"]["kleur"],
    }
    assert "laag=concentratie&van=2017&tot=2019&klassen=kwantielen" in page.url
    # a catalogue indicator offered by the API is a map layer too
    page.get_by_label("Kaartlaag").select_option("bijstand")
    _drawn(page, "bijstand")
    expect(page.locator("#vk-legenda-titel")).to_have_text(
        "Inwoners met een bijstandsuitkering, 2019"
    )
    expect(page.locator("#vk-legenda .vk-legendatitel")).to_have_text("%")
    expect(page.locator("#vk-bron")).to_contain_text("CBS, Kerncijfers wijken en buurten")
    # the bivariate legend is a 3 × 3 grid
    page.get_by_label("Kaartlaag").select_option("bivariaat")
    _drawn(page, "bivariaat")
    expect(page.locator(".vk-bigrid .vk-vakje")).to_have_count(9)


def test_click_buurt_shows_profile_and_comparison(server, page) -> None:
    from playwright.sync_api import expect

    page.goto(server.base + TYPOLOGIE_URL)
    _drawn(page, "typologie")
    point = page.evaluate("(code) => window.veerkracht.naarBuurt(code, 15)", KOP_ZEEDIJK)
    page.locator("#vk-kaart canvas").hover(position=point)
    expect(page.locator("#vk-tip strong")).to_have_text("Kop Zeedijk")
    api = page.request.get(
        f"{server.base}/api/gemeenten/{GM}/buurten/{KOP_ZEEDIJK}.json?van=2017&tot=2019"
    ).json()
    shown = next(f for f in api_features(page, server) if f["properties"]["code"] == KOP_ZEEDIJK)
    expect(page.locator("#vk-tip span")).to_have_text(
        ["BU03630000", shown["properties"]["klasse"]]  # the map's class (with its step)
    )
    with page.expect_response(lambda r: f"/buurten/{KOP_ZEEDIJK}.json" in r.url):
        _click_buurt(page, KOP_ZEEDIJK)
    panel = page.get_by_role("complementary", name="Buurtprofiel")
    expect(panel.locator("#vk-profiel-naam")).to_have_text("Kop Zeedijk")
    expect(panel.locator(".vk-badge")).to_have_text(api["typologie_label"])
    row = panel.locator("tr[data-indicator=laag_inkomen]")
    low = next(i for i in api["indicatoren"] if i["key"] == "laag_inkomen")
    assert (low["waarde"], low["gemeente"], low["nl"]) == (15.3, 12.8, 7.5)
    expect(row.locator("td.vk-getal")).to_have_text(["15,3%", "12,8%", "7,5%"])
    expect(row.locator("svg.vk-trend polyline")).to_have_count(3)
    assert page.url.endswith(f"&buurt={KOP_ZEEDIJK}")
    _shot(page, "profiel")
    # shift-click: the two buurten side by side
    with page.expect_response(lambda r: "/vergelijk.json?buurten=" in r.url):
        _click_buurt(page, OUDE_KERK, shift=True)
    expect(panel.locator("thead th")).to_have_text(
        ["Indicator", "Kop Zeedijk", "Oude Kerk e.o.", "Verschil", "NL"]
    )
    assert page.url.endswith(f"&buurt={KOP_ZEEDIJK}&buurt={OUDE_KERK}")
    # every row shows the API's values for that indicator KEY (never by position)
    pair = page.request.get(
        f"{server.base}/api/gemeenten/{GM}/vergelijk.json?buurten={KOP_ZEEDIJK},{OUDE_KERK}"
        "&van=2017&tot=2019"
    ).json()
    shown = panel.locator("tbody tr[data-indicator]")
    expect(shown).to_have_count(len(pair["indicatoren"]))
    for ind in pair["indicatoren"]:
        cells = panel.locator(f"tbody tr[data-indicator={ind['key']}] td.vk-getal")
        texts = cells.all_inner_texts()
        assert _same(texts[0], ind["waarden"][0]) and _same(texts[1], ind["waarden"][1]), (
            ind["key"],
            texts,
            ind["waarden"],
        )
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()


def test_exports_follow_the_view(server, page) -> None:
    from playwright.sync_api import expect

    page.goto(server.base + TYPOLOGIE_URL)
    _drawn(page, "typologie")
    expect(page.get_by_role("link", name="CSV")).to_have_attribute(
        "href", f"/export/{GM}.csv?van=2017&tot=2019&klassen=kwantielen"
    )
    # an uncached fisher_jenks view takes 20-45 s on a busy 2-core machine: wait for its
    # data (web-first), so the download below asks for a view that is computed
    with page.expect_response(
        lambda r: "signalen.json" in r.url and "klassen=fisher_jenks" in r.url, timeout=180_000
    ):
        page.get_by_label("Klassenschema").select_option("fisher_jenks")
    _drawn(page, "typologie")
    expect(page.get_by_role("link", name="PNG")).to_have_attribute(
        "href", f"/export/{GM}/kaart.png?laag=typologie&van=2017&tot=2019&klassen=fisher_jenks"
    )
    csv = page.request.get(server.base + page.get_by_role("link", name="CSV").get_attribute("href"))
    assert csv.status == 200 and csv.headers["content-type"].startswith("text/csv")


def _board_pdf_shows(body: bytes, label: str) -> None:
    """One A3 landscape page whose legend names the own data; kept as PNG to look at."""
    import io
    import subprocess

    from pypdf import PdfReader

    page = PdfReader(io.BytesIO(body)).pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (1191, 842)
    assert label in " ".join(page.extract_text().split())
    folder = os.environ.get("VEERKRACHT_SCHERMAFDRUKKEN")
    if folder:
        pdf = Path(folder) / "bestuurskaart_a3.pdf"
        pdf.parent.mkdir(parents=True, exist_ok=True)
        pdf.write_bytes(body)
        png = pdf.with_suffix("")
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-singlefile", pdf, png], check=True)


def test_upload_overlay_and_share_view(server, browser, page, tmp_path) -> None:
    from playwright.sync_api import expect

    # log in through the form, landing back on the map
    page.goto(f"{server.base}/inloggen?volgende=/kaart/{GM}")
    page.get_by_label("E-mailadres").fill("analist@noord.nl")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    _drawn(page, "typologie")
    expect(page.locator(".vk-gebruiker")).to_contain_text(f"analist@noord.nl ({OWNER}, analist)")
    # own data for a non-programmer: a form with the gemeente and its buurtindelingen
    page.get_by_role("link", name="Eigen data toevoegen").click()
    expect(page.get_by_role("heading", name="Eigen data toevoegen")).to_be_visible()
    expect(page.get_by_label("1. Gemeente")).to_have_value(GM)
    page.get_by_label("2. Buurtindeling van uw bestand").select_option("2019")
    # a bad file: the Dutch message with the row at fault, nothing stored
    bad = tmp_path / "fout.csv"
    bad.write_text(f"buurtcode;woningen\n{KOP_ZEEDIJK};12\n{OUDE_KERK};veel\n", encoding="utf-8")
    page.get_by_label("4. Bestand").set_input_files(bad)
    page.get_by_role("button", name="Controleren").click()
    expect(page.locator("#vk-fout")).to_contain_text("niet-numerieke")
    expect(page.locator("#vk-fout")).to_contain_text("(rij 3)")
    # a file with one row of another gemeente: listed with its row and reason
    good = tmp_path / "complexen.csv"
    good.write_text(
        f"buurtcode;woningen;label\n{KOP_ZEEDIJK};120;sloop\n{OUDE_KERK};45;handhaven\n"
        "BU05990101;30;sloop\n",
        encoding="utf-8",
    )
    page.get_by_label("2. Buurtindeling van uw bestand").select_option("2019")
    page.get_by_label("3. Naam op de kaart").fill("Complexen test")
    page.get_by_label("4. Bestand").set_input_files(good)
    page.get_by_role("button", name="Controleren").click()
    expect(page.locator("#vk-samenvatting")).to_have_text(
        "2 van de 3 rijen kunnen in 2 buurten geplaatst worden; 1 rij kan niet geplaatst worden."
    )
    rows = page.locator("#vk-niet-geplaatst tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("4")
    expect(rows.first).to_contain_text("hoort bij een andere gemeente (GM0599)")
    _shot(page, "eigen_data_voorbeeld")
    assert server.repo.visible_uploads(server.users["analist"].organisation_id, GM) == []
    page.get_by_role("button", name="Importeer de rest").click()
    page.wait_for_url(re.compile(rf"/kaart/{GM}\?indeling=2019&overlay="))
    upload_id = re.search(r"overlay=([\w-]+)", page.url).group(1)
    _drawn(page, "typologie", upload_id)
    expect(page.get_by_label("Complexen test")).to_be_checked()
    expect(page.locator("#vk-legenda-eigen")).to_have_text(
        "Eigen gegevens: Complexen test (2 rijen in 2 buurten)"
    )
    expect(page.locator("#vk-eigen-aantal")).to_contain_text("in 2 buurten")
    marks = page.evaluate(
        "async () => (await window.veerkracht.kaart().getSource('eigen').getData()).features"
        ".map((f) => [f.properties.code, f.properties.rijen]).sort()"
    )
    assert marks == [[KOP_ZEEDIJK, 1], [OUDE_KERK, 1]]
    _shot(page, "eigen_data_kaart")
    # the exports carry the overlay along
    expect(page.get_by_role("link", name="PNG")).to_have_attribute(
        "href", re.compile(rf"overlay={upload_id}")
    )
    # the one-page board map, printed from the browser, shows the complexes
    board = page.get_by_role("link", name="Bestuurskaart A3")
    expect(board).to_have_attribute(
        "href", re.compile(rf"bestuurskaart\.pdf\?.*overlay={upload_id}")
    )
    pdf = page.request.get(server.base + board.get_attribute("href"), timeout=180_000)
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    _board_pdf_shows(pdf.body(), "Eigen gegevens: Complexen test (2 rijen in 2 buurten)")
    page.get_by_label("Kaartlaag").select_option("concentratie")
    _drawn(page, "concentratie", upload_id)
    _click_buurt(page, KOP_ZEEDIJK)
    expect(page.locator(".vk-eigen-profiel")).to_contain_text("Complexen test")
    _shot(page, "eigen_data")
    state = page.evaluate("window.veerkracht.staat()")
    assert state == {
        "gemeente": GM,
        "laag": "concentratie",
        "van": 2017,
        "tot": 2020,  # the most recent period: the view was opened without years
        "indeling": 2019,
        "klassen": "kwantielen",
        "buurten": [KOP_ZEEDIJK],
        "overlays": [upload_id],
        "referentie": "gemeente",
    }
    # share the view (and the upload in it) with the partner organisation
    page.get_by_label("Partnerorganisaties (één per regel)").fill(PARTNER)
    with page.expect_response("**/api/gedeeld") as shared:
        page.get_by_role("button", name="Deel", exact=True).click()
    assert shared.value.status == 201
    link = page.get_by_label("Gedeelde link")
    expect(link).to_have_value(re.compile(rf"^{re.escape(server.base)}/gedeeld/[\w-]+$"))
    url = link.input_value()

    # the partner sees the same view
    partner = browser.new_context(viewport={"width": 1440, "height": 900})
    server.watch(partner)
    partner.add_cookies(server.cookie("partner"))
    ppage = partner.new_page()
    ppage.goto(url)
    _drawn(ppage, "concentratie", upload_id)
    assert ppage.evaluate("window.veerkracht.staat()") == state
    twin = ppage.request.get(url.replace("/gedeeld/", "/api/gedeeld/") + ".json").json()
    assert twin["staat"] == state
    expect(ppage.locator("#vk-profiel-naam")).to_have_text("Kop Zeedijk")
    expect(ppage.get_by_label("Kaartlaag")).to_have_value("concentratie")
    assert ppage.url == url  # the link stays until the partner changes the view
    partner.close()

    # another organisation: refused in Dutch
    other = browser.new_context()
    server.watch(other)
    other.add_cookies(server.cookie("ander"))
    opage = other.new_page()
    response = opage.goto(url)
    assert response.status == 403
    expect(opage.locator("body")).to_contain_text("deze kaart is niet met uw organisatie gedeeld")
    other.close()

    # anonymous: the login page, coming back to the link afterwards
    anon = browser.new_context()
    server.watch(anon)
    apage = anon.new_page()
    apage.goto(url)
    assert urlsplit(apage.url).path == "/inloggen"
    expect(apage.get_by_label("Wachtwoord")).to_be_visible()
    anon.close()


def test_beheerder_invites_a_partner_who_opens_a_shared_view(server, browser, page) -> None:
    from playwright.sync_api import expect

    police, contact = "Politie Eenheid Amsterdam", "wijkagent@politie.nl"
    password = "zomer-fiets-lantaarn-oever"
    page.context.add_cookies(server.cookie("beheerder"))
    page.goto(f"{server.base}/organisatie")
    form = page.locator("form").filter(has=page.get_by_role("button", name="Partner uitnodigen"))
    form.get_by_label("Naam van de organisatie").fill(police)
    form.get_by_label("E-mailadres van de contactpersoon").fill(contact)
    form.get_by_role("button", name="Partner uitnodigen").click()
    expect(page.get_by_role("heading", name="Uitnodiging gemaakt")).to_be_visible()
    link = page.get_by_label("Uitnodigingslink").input_value()
    assert re.fullmatch(rf"{re.escape(server.base)}/uitnodiging/[\w-]+", link)
    _shot(page, "uitnodiging_gemaakt")

    # the police contact opens the link in another browser and sets a password
    guest = browser.new_context(viewport={"width": 1440, "height": 900})
    server.watch(guest)
    gpage = guest.new_page()
    gpage.goto(link)
    expect(gpage.locator("main")).to_contain_text(f"om {police} aan te sluiten")
    _shot(gpage, "uitnodiging_openen")
    gpage.get_by_label("minstens 10 tekens").fill(password)
    gpage.get_by_label("nog een keer").fill(password)
    gpage.get_by_role("button", name="Account aanmaken").click()
    expect(gpage).to_have_url(f"{server.base}/")
    expect(gpage.locator("header")).to_contain_text(f"{contact} ({police}, beheerder)")
    assert gpage.goto(link).status == 410  # used once

    # the beheerder shares the map with the new partner, who opens it
    page.goto(server.base + TYPOLOGIE_URL)
    _drawn(page, "typologie")
    page.get_by_label("Partnerorganisaties (één per regel)").fill(police)
    with page.expect_response("**/api/gedeeld") as shared:
        page.get_by_role("button", name="Deel", exact=True).click()
    assert shared.value.status == 201
    url = page.get_by_label("Gedeelde link").input_value()
    gpage.goto(url)
    _drawn(gpage, "typologie")
    guest.close()

    # and the audit log says who shared what with whom
    page.goto(f"{server.base}/organisatie/logboek")
    row = page.locator("tr").filter(has_text=urlsplit(url).path)
    expect(row).to_contain_text("beheer@noord.nl")
    expect(row).to_contain_text(f"gedeeld met: {police}")
    expect(page.locator("main")).to_contain_text("uitnodiging geaccepteerd")
    _shot(page, "logboek")


def test_no_request_left_the_test_server(server) -> None:
    # runs last: every page of this module only talked to 127.0.0.1:<port>
    assert server.foreign == []


def test_gemeente_comparison_matches_the_api_by_key(server, page) -> None:
    from playwright.sync_api import expect

    page.goto(server.base + TYPOLOGIE_URL)
    _drawn(page, "typologie")
    box = page.locator("#vk-andere-gemeente")
    box.fill("Rotter")
    expect(page.get_by_role("option", name=re.compile("^Rotterdam"))).to_be_visible()
    with page.expect_response(lambda r: "/api/vergelijk.json?gemeenten=" in r.url) as resp:
        box.press("Enter")
    api = resp.value.json()["gemeenten"]
    panel = page.locator(".vk-vergelijk")
    expect(panel.locator("h2")).to_have_text("Gemeenten vergelijken")
    rows = panel.locator("tbody tr[data-indicator]")
    keys = list(dict.fromkeys(i["key"] for g in api for i in g["indicatoren"]))
    expect(rows).to_have_count(len(keys))
    for gemeente in api:
        own = {i["key"]: i["gemeente"] for i in gemeente["indicatoren"]}
        for key in keys:
            cell = panel.locator(
                f"tbody tr[data-indicator={key}] td[data-gemeente={gemeente['code']}]"
            )
            text = cell.inner_text().split(" (")[0]
            assert _same(text, own.get(key)), (gemeente["code"], key, text, own.get(key))
    # Rotterdam has no KWB in the shared data: its income row is empty, not Utrecht's
    # or anyone else's value shifted into it
    cell = panel.locator("tbody tr[data-indicator=laag_inkomen] td[data-gemeente=GM0599]")
    expect(cell).to_have_text("–")
    _shot(page, "gemeenten")

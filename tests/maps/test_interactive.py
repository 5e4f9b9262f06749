"""The offline HTML map: size, no network references, and a real browser session."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from veerkracht.maps.interactive import build_data, render_html, svg_path

pytestmark = pytest.mark.shared_data

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def html_file(amsterdam, tmp_path_factory) -> Path:
    return render_html(amsterdam, tmp_path_factory.mktemp("html") / "amsterdam.html")


def test_html_is_small_and_complete(html_file: Path, amsterdam) -> None:
    size = html_file.stat().st_size
    assert size <= 1_000_000
    text = html_file.read_text(encoding="utf-8")
    assert text.count("Kop Zeedijk") == 1  # once, in the embedded data
    for layer in amsterdam.layers:
        assert layer.title in text
    data = build_data(amsterdam)
    assert len(data["features"]) == 439
    assert [layer["key"] for layer in data["layers"]] == [
        "concentratie", "ontwikkeling", "typologie", "bivariaat", "corporatiebezit",
    ]  # fmt: skip
    assert data["layers"][0]["noData"] == 73


def test_html_references_nothing_online(html_file: Path) -> None:
    text = html_file.read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", text, re.I)
    assert not re.search(r"""url\(\s*["']?\s*(https?:)?//""", text, re.I)
    assert "fetch(" not in text and "XMLHttpRequest" not in text and "@import" not in text
    assert "<link" not in text and "<iframe" not in text
    # the only web address is the SVG namespace name used by createElementNS
    assert set(re.findall(r"https?://[^\s\"'<>]+", text)) == {"http://www.w3.org/2000/svg"}


def test_svg_path_is_relative_whole_metres() -> None:
    from shapely.geometry import Polygon

    square = Polygon([(1000, 2000), (1100, 2000), (1100, 2100), (1000, 2100)])
    assert svg_path(square, (1000, 2100), 1.0) == "M0 100l100 0 0 -100 -100 0z"


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} ontbreekt: installeer het Debian-pakket 'chromium' "
            "(scripts/apt-packages.txt, scripts/setup.sh)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


def test_browser_layers_click_search_offline(browser, html_file: Path, amsterdam, tmp_path) -> None:
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1400, "height": 900})
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda req: requests.append(req.url))
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    url = html_file.as_uri()
    page.goto(url)

    expect(page.locator("#titel")).to_have_text("Huishoudens met een laag inkomen, 2019")
    expect(page.locator("#buurten path")).to_have_count(439)
    expect(page.locator("#legenda")).to_contain_text("0,8 – 8,0 %")
    expect(page.locator("#legenda")).to_contain_text("geen gegevens (73 buurten)")
    expect(page.locator("#bron")).to_contain_text("83765NED, 84583NED")

    # a buurt with 15,3 % low incomes is in class 12–16 (#41b6c4)
    kop = page.locator('#buurten path[data-code="BU0363AE01"]')
    expect(kop).to_have_attribute("fill", "#41b6c4")

    # switch layer: title, legend and fill change
    page.select_option("#laag", "corporatiebezit")
    expect(page.locator("#titel")).to_have_text("Huurwoningen in bezit van woningcorporaties, 2019")
    expect(page.locator("#legenda")).to_contain_text("0 – 10 %")
    expect(kop).to_have_attribute("fill", "#ffffcc")  # 7 % corporation-owned
    page.select_option("#laag", "bivariaat")
    expect(page.locator("#legenda .bigrid .vakje")).to_have_count(9)

    # click a buurt: the profile shows its name, values vs gemeente and NL, and a trend
    page.locator('#buurten path[data-code="BU0363NQ08"]').click()  # Holysloot, large
    profile = page.locator("#profiel")
    expect(page.locator("#profielnaam")).to_have_text("Holysloot")
    expect(profile).to_contain_text("BU0363NQ08")
    expect(profile).to_contain_text("Huishoudens met een laag inkomen (%)")
    first_row = profile.locator("tr").nth(1).locator("td")
    label = re.compile(r"^Huishoudens met een laag inkomen \(%\)")  # + sparkline title
    expect(first_row).to_have_text([label, "8,1", "12,8", "7,5"])
    expect(profile.locator("svg.trend").first).to_be_visible()

    # hover shows a tooltip
    page.locator('#buurten path[data-code="BU0363NQ03"]').hover()
    expect(page.locator("#tooltip")).to_contain_text("Zunderdorp")

    # search by name
    page.fill("#zoek", "Kop Zeedijk")
    page.press("#zoek", "Enter")
    expect(page.locator("#profielnaam")).to_have_text("Kop Zeedijk")
    expect(page.locator("#selectie path")).to_have_count(1)

    page.screenshot(path=str(tmp_path / "kaart.png"))
    assert (tmp_path / "kaart.png").stat().st_size > 50_000  # a drawn map, not a blank page
    assert errors == []
    assert requests == [url]  # nothing but the file itself
    page.close()

"""The Amsterdam report on the real shared/data store: HTML content and the printed PDF."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import in_ci
from veerkracht.cli import main

SECTIONS = [
    "1. Samenvatting",
    "2. Buurten die aandacht vragen",
    "3. Kaarten",
    "4. Grafieken",
    "5. Methode",
    "6. Bronnen",
]
APPENDIX_SECTIONS = [
    "A. Signalen per buurt",
    "B. Indicatoren, perioden en vertaling",
    "C. Instellingen en corporatiebezit",
    "D. Bronnen",
]


@pytest.fixture(scope="module")
def report(amsterdam_store, tmp_path_factory):
    from veerkracht.pipeline import signal_view
    from veerkracht.report import build_report

    view = signal_view(amsterdam_store, "Amsterdam", 2017, 2019)
    out = tmp_path_factory.mktemp("rapport")
    files = build_report(amsterdam_store, view, out, appendix=True)
    return view.result, files, files.html.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def appendix(report):
    _, files, _ = report
    assert files.appendix_html is not None
    return files.appendix_html.read_text(encoding="utf-8")


def _text(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def test_html_has_every_section_and_opens_offline(report):
    _, files, page = report
    assert files.html.name == "gm0363_rapport_2017_2019.html"
    for heading in SECTIONS:
        assert f"<h2>{heading}</h2>" in page
    # offline: no external stylesheet, script or image
    assert "<link" not in page and "<script" not in page
    assert not re.search(r'src="(?!data:image/(png|jpeg);base64,)', page)
    assert page.count('<figure class="kaart"') == 7
    assert page.count('<figure class="grafiek"') == 3
    assert page.count('<figure class="bestuurskaart"') == 1


def test_title_page_names_gemeente_periods_edition(report):
    _, _, page = report
    title = _text(page.split('<nav class="inhoud"')[0])
    assert "Amsterdam (GM0363)" in title
    assert "2017–2019" in title
    assert re.search(r"Buurtindeling\s+2019", title)


def test_appendix_has_every_section_and_opens_offline(appendix):
    for heading in APPENDIX_SECTIONS:
        assert f"<h2>{heading}</h2>" in appendix
    assert "<link" not in appendix and "<script" not in appendix


def test_probleem_count_matches_signal_table(report, appendix):
    from veerkracht.signals.export import signal_table

    result, _, page = report
    n = int((signal_table(result)["Signaalcode"] == "PRO").sum())
    counts = result.class_counts()
    assert n == counts["PRO"] > 0
    cell = re.search(r'Probleem</td>\s*<td class="getal">(\d+)</td>', page)
    assert cell is not None and int(cell.group(1)) == n
    assert f"krijgen {n} buurten het signaal 'Probleem'" in _text(page)
    # every buurt with a signal is in the typology table, 'Probleem' rows included
    signals = appendix.split('<section id="signalen">')[1].split("</section>")[0]
    assert len(re.findall(r">Probleem( \(stap \d\))?</td>", signals)) == n
    flagged = sum(counts[c] for c in ("PRO", "KWE", "VER", "TOE"))
    assert signals.count("<tr>") - 1 == flagged


def test_findings_carry_their_test_and_n(report):
    from scipy.stats import spearmanr

    result, _, page = report
    text = " ".join(_text(page).split())
    t = result.table[result.table.typology != "KLEIN"]
    pair = t[["corporatiebezit__end", "laag_inkomen__end"]].dropna()
    rho = spearmanr(pair.iloc[:, 0], pair.iloc[:, 1])[0]
    rho_text = f"{rho:.2f}".replace(".", ",")
    assert (
        "Hoe meer corporatiewoningen, hoe hoger het aandeel 'huishoudens met een laag inkomen' "
        f"(2019): rangcorrelatie ρ = {rho_text} (p < 0,001, n = {len(pair)} buurten)"
    ) in text
    # a turning point is stated only with its interval, otherwise explicitly not
    turning = re.findall(r"wordt negatief vanaf ongeveer \d+% corporatiebezit \(95%-interval", text)
    none = re.findall(r"Geen duidelijk omslagpunt", text)
    assert len(turning) + len(none) >= 1
    assert "wordt negatief vanaf ongeveer 21% corporatiebezit in de buurt." not in text
    # the regression finding states n and R²
    assert re.search(r"Regressie \(OLS, robuuste fouten, n = \d+, R² = \d,\d\d\)", text)


def test_methods_list_core_indicators_thresholds_and_conservation(report, appendix):
    from veerkracht.indicators import catalogue

    _, _, page = report
    methods = _text(page.split('<section id="methode">')[1].split("</section>")[0])
    details = " ".join(_text(appendix).split())
    core = [i.label for i in catalogue() if i.core]
    assert len(core) == 12
    for label in core:
        assert label in methods
    for ind in catalogue():  # the whole catalogue in the appendix
        assert ind.label in details
    assert "index_hoog 150,00" in details
    assert "R-KLEIN Te weinig inwoners" in _text(page)
    assert "géén getallen uit de studie" in methods
    # conservation errors from translation_errors: 2017 identical, 2024 untranslatable
    assert re.search(r"2017\s+2017\s+identiek\s+\d+\s+0,00%", details)
    assert "517 van 517" in details


def test_sources_cite_every_dataset(report):
    result, _, page = report
    text = _text(page.split('<section id="bronnen">')[1])
    assert len(result.sources) == 3
    for source in result.sources:
        assert source.citation() in text
    for dataset_id in ("83765NED", "84583NED", "50090NED"):
        assert dataset_id in text
    assert "CC BY 4.0" in text
    assert "Buurtgrenzen" in text and "gemeente_amsterdam_buurten_2015_2022.csv" in text


def test_pdf_pages_and_layout(report, tmp_path: Path):
    from pypdf import PdfReader

    _, files, _ = report
    pdf = PdfReader(files.pdf)
    assert 8 <= len(pdf.pages) <= 15  # what a board reads; the detail is in the appendix
    sizes = [(float(p.mediabox.width), float(p.mediabox.height)) for p in pdf.pages]
    assert sizes[0] == pytest.approx((595.28, 841.89), abs=0.1)  # A4 portrait title page
    landscape = [n for n, (w, h) in enumerate(sizes, start=1) if w > h]
    assert landscape == [2]  # the board map, on A4 landscape right after the title
    assert "Pagina 3 van" in pdf.pages[2].extract_text()
    assert files.appendix_pdf is not None
    assert len(PdfReader(files.appendix_pdf).pages) > len(pdf.pages)  # the per-buurt detail
    assert "Amsterdam" in pdf.pages[0].extract_text()
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        message = "pdftoppm not found (apt: poppler-utils, see scripts/apt-packages.txt)"
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)
    for page in (1, landscape[0]):
        subprocess.run(
            [
                pdftoppm,
                "-r",
                "40",
                "-png",
                "-f",
                str(page),
                "-l",
                str(page),
                str(files.pdf),
                str(tmp_path / f"p{page}"),
            ],
            check=True,
        )
    assert len(list(tmp_path.glob("p*.png"))) == 2


def test_map_pngs_written_next_to_report(report):
    _, files, _ = report
    assert sorted(p.name for p in files.maps) == sorted(
        f"gm0363_{k}.png"
        for k in (
            "concentratie",
            "ontwikkeling",
            "typologie",
            "bivariaat",
            "leefbaarheid",
            "overlast",
            "corporatiebezit",
        )
    )
    assert all(p.stat().st_size > 100_000 for p in files.maps)


def test_cli_unknown_gemeente_is_a_dutch_error(capsys, amsterdam_store):
    assert main(["rapport", "Atlantis", "--store", str(amsterdam_store.path)]) == 1
    err = capsys.readouterr().err
    assert "onbekende gemeente" in err and "Traceback" not in err


def test_cli_without_store_says_import_first(capsys, tmp_path):
    assert main(["rapport", "Amsterdam", "--store", str(tmp_path / "geen.duckdb")]) == 1
    err = capsys.readouterr().err
    assert "nog geen store" in err and "importeren" in err
    assert not (tmp_path / "geen.duckdb").exists()


def test_attention_list_is_the_view_classes_joined_by_code(report):
    """The numbered buurten of the report (and the board map) are exactly the buurten with
    'Probleem', 'Kwetsbaar' or 'Verslechterend' in the view, with their names by code."""
    result, files, page = report
    section = page.split('<section id="aandacht">')[1].split("</section>")[0]
    rows = re.findall(
        r'<td class="nr">.*?</span>(\d+)</td><td class="naam">(.*?)</td>'
        r'<td class="code">(BU\d{8})</td>',
        section,
    )
    listed = {code: (int(nr), html.unescape(name)) for nr, name, code in rows}
    table = result.table.set_index("region_code")
    expected = table[table.typology.isin(["PRO", "KWE", "VER"])]
    assert set(listed) == set(expected.index) and len(rows) == len(expected) > 0
    for code, (_, name) in listed.items():
        assert name == table.loc[code, "name"]  # the name belongs to the code
    # numbered Probleem first, then Kwetsbaar, then Verslechterend
    order = {"PRO": 0, "KWE": 1, "VER": 2}
    by_number = sorted(listed, key=lambda c: listed[c][0])
    classes = [order[table.loc[c, "typology"]] for c in by_number]
    assert classes == sorted(classes)
    assert [listed[c][0] for c in by_number] == list(range(1, len(listed) + 1))
    # small buurten are never ranked
    assert not (table.loc[list(listed), "typology"] == "KLEIN").any()
    assert files.content.attention[0]["number"] == "1"

"""The board map (bestuurskaart) on the real Amsterdam store: numbers, list, counts, files."""

from __future__ import annotations

from pathlib import Path

import pytest

from veerkracht.cli import main


@pytest.fixture(scope="module")
def board(amsterdam_store):
    from veerkracht.maps.from_signals import mapset_from_view
    from veerkracht.pipeline import signal_view

    view = signal_view(amsterdam_store, "Amsterdam", 2017, 2019)
    return view, mapset_from_view(amsterdam_store, view)


def _texts(fig) -> list[str]:
    return [t.get_text() for t in fig.texts]


def _numbers(ax) -> list:
    """The numbered discs (texts with a box; the scale bar's '0' has none)."""
    return [t for t in ax.texts if t.get_text().isdigit() and t.get_bbox_patch() is not None]


def test_numbers_on_map_are_the_attention_buurten_by_code(board):
    from veerkracht.maps.board import attention_buurten, build_board_figure

    view, mapset = board
    fig = build_board_figure(view, mapset)
    ax = next(a for a in fig.axes if a.get_label() == "kaart")
    named = attention_buurten(view.result)
    table = view.result.table.set_index("region_code")
    assert {b.code for b in named} == set(table.index[table.typology.isin(["PRO", "KWE", "VER"])])
    with_polygon = set(mapset.buurten.region_code[~mapset.buurten.geometry.is_empty])
    on_map = sorted(int(t.get_text()) for t in _numbers(ax))
    assert on_map == [b.number for b in named if b.code in with_polygon]
    # the list beside the map names each buurt with its code, name taken by code
    listed = " ".join(_texts(fig))
    for b in named:
        assert b.code in listed
        assert b.name == table.loc[b.code, "name"]


def test_numbers_do_not_overlap(board):
    from veerkracht.maps.board import build_board_figure

    view, mapset = board
    for paper in ("A4", "A3"):
        fig = build_board_figure(view, mapset, paper=paper)
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        ax = next(a for a in fig.axes if a.get_label() == "kaart")
        boxes = [t.get_bbox_patch().get_window_extent(renderer) for t in _numbers(ax)]
        assert len(boxes) > 40
        touching = [
            (i, j)
            for i in range(len(boxes))
            for j in range(i + 1, len(boxes))
            if boxes[i].overlaps(boxes[j])
            and boxes[i].intersection(boxes[i], boxes[j]).width > 1
            and boxes[i].intersection(boxes[i], boxes[j]).height > 1
        ]
        assert touching == [], paper


def test_counts_period_reference_sources_and_edition(board):
    from veerkracht.maps.board import build_board_figure

    view, mapset = board
    fig = build_board_figure(view, mapset)
    texts = _texts(fig)
    joined = " ".join(" ".join(texts).split())
    counts = view.result.class_counts()
    assert "Totaal" in texts and str(len(view.result.table)) in texts
    assert str(counts["PRO"]) in texts and str(counts["KWE"]) in texts
    for source in view.result.sources:
        assert " ".join(source.citation().split()) in joined
    assert f"Buurtgrenzen: buurtindeling {mapset.boundary_edition}" in joined
    assert "Periode 2017–2019" in joined
    assert "Referentie:" in joined


def _complexes_csv(mapset, path: Path, n: int = 5) -> Path:
    """n complexes with RD coordinates, one inside each of the first n buurten (by code)."""
    inside = mapset.buurten.sort_values("region_code").geometry.representative_point().iloc[:n]
    rows = "\n".join(f"C{i},{p.x:.0f},{p.y:.0f},{40 + i}" for i, p in enumerate(inside))
    path.write_text("complex,x,y,woningen\n" + rows + "\n", encoding="utf-8")
    return path


def test_own_complexes_use_the_shared_overlay(board, amsterdam_store, tmp_path: Path):
    """The complexes are placed by the one own-data path and drawn with the overlay symbol
    of every other map (magenta diamonds) and its legend text; no number hides a symbol."""
    from dataclasses import replace

    from veerkracht.maps import palettes
    from veerkracht.maps.board import build_board_figure
    from veerkracht.maps.layers import own_data_overlay
    from veerkracht.own_data import own_data_points, place_own_data

    view, mapset = board
    csv = _complexes_csv(mapset, tmp_path / "complexen.csv")
    placement = place_own_data(amsterdam_store, csv, gemeente="GM0363", edition=view.edition)
    assert placement.n_placed == 5 and not placement.unplaced
    overlay = own_data_overlay(own_data_points(amsterdam_store, placement), "Complexen Stadgenoot")
    fig = build_board_figure(view, replace(mapset, overlays=[overlay]))
    ax = next(a for a in fig.axes if a.get_label() == "kaart")
    drawn = [c for c in ax.collections if len(c.get_offsets()) == 5]
    assert len(drawn) == 1
    assert drawn[0].get_facecolor()[0][:3] == pytest.approx(_rgb(palettes.OWN_DATA_FACE))
    # the symbols sit in the buurten the file names, joined by code
    expected = set(mapset.buurten.sort_values("region_code").region_code.iloc[:5])
    assert set(overlay.points.region_code) == expected
    assert overlay.label == "Eigen gegevens: Complexen Stadgenoot (5 rijen in 5 buurten)"
    assert overlay.label in " ".join(" ".join(_texts(fig)).split())
    # a number disc never covers a diamond
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    discs = [t.get_bbox_patch().get_window_extent(renderer) for t in _numbers(ax)]
    centres = ax.transData.transform(drawn[0].get_offsets())
    for x, y in centres:
        assert not any(b.contains(x, y) for b in discs)


def _rgb(hex_colour: str) -> tuple[float, float, float]:
    return tuple(int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5))


def test_cli_board_map_with_own_data(board, amsterdam_store, tmp_path: Path, capsys):
    from pypdf import PdfReader

    _, mapset = board
    csv = _complexes_csv(mapset, tmp_path / "complexen.csv", n=3)
    args = ["bestuurskaart", "Amsterdam", "--van", "2017", "--tot", "2019", "--eigen-data"]
    args += [str(csv), "--eigen-data-titel", "Complexen 2024", "--uitvoer", str(tmp_path)]
    assert main([*args, "--store", str(amsterdam_store.path)]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "3 van 3 rijen geplaatst" in out
    pdf = tmp_path / "gm0363_2017_2019" / "gm0363_bestuurskaart_A4_2017_2019.pdf"
    text = " ".join(PdfReader(pdf).pages[0].extract_text().split())
    assert "Complexen 2024 (3 rijen in 3 buurten)" in text


def test_cli_writes_a4_and_a3_pdf(amsterdam_store, tmp_path: Path, capsys):
    from pypdf import PdfReader

    sizes = {}
    for paper in ("A4", "A3"):
        args = ["bestuurskaart", "Amsterdam", "--van", "2017", "--tot", "2019"]
        args += [
            "--formaat",
            paper,
            "--uitvoer",
            str(tmp_path),
            "--store",
            str(amsterdam_store.path),
        ]
        assert main(args) == 0
        pdf = tmp_path / "gm0363_2017_2019" / f"gm0363_bestuurskaart_{paper}_2017_2019.pdf"
        reader = PdfReader(pdf)
        assert len(reader.pages) == 1
        box = reader.pages[0].mediabox
        sizes[paper] = (round(float(box.width)), round(float(box.height)))
    assert sizes == {"A4": (842, 595), "A3": (1191, 842)}  # landscape, in points
    assert "buurten genummerd" in capsys.readouterr().out


def test_cli_unknown_paper_is_a_dutch_error(amsterdam_store, capsys):
    args = ["bestuurskaart", "Amsterdam", "--formaat", "A5", "--store", str(amsterdam_store.path)]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "--formaat" in err and "A5" in err and "A4" in err and "Traceback" not in err


def test_cli_report_with_own_data_names_it_with_the_sources(
    board, amsterdam_store, tmp_path: Path, capsys
):
    """The report draws own data on its board map and maps through the same placement, and
    says under 'Bronnen' that these are the user's own figures (not open data)."""
    import html
    import re

    _, mapset = board
    csv = _complexes_csv(mapset, tmp_path / "complexen.csv", n=3)
    args = ["rapport", "Amsterdam", "--van", "2017", "--tot", "2019", "--geen-pdf"]
    args += ["--eigen-data", str(csv), "--eigen-data-titel", "Complexen 2024"]
    assert main([*args, "--uit", str(tmp_path), "--store", str(amsterdam_store.path)]) == 0
    assert "3 van 3 rijen geplaatst" in " ".join(capsys.readouterr().out.split())
    page = (tmp_path / "gm0363_2017_2019" / "gm0363_rapport_2017_2019.html").read_text("utf-8")
    sources = page[page.index('<section id="bronnen">') :]
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", sources)).split())
    assert "eigen gegevens van de gebruiker (geen open data" in text
    assert "Eigen gegevens: Complexen 2024 (3 rijen in 3 buurten)" in text

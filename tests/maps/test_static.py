"""Static maps: render real Amsterdam maps and check what is on them."""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pytest
from matplotlib import colors as mcolors
from matplotlib import image as mimage

from veerkracht.maps import palettes
from veerkracht.maps.layers import (
    NO_DATA_LABEL,
    MapLayer,
    class_labels,
    classify,
    format_number,
    layer_style,
)
from veerkracht.maps.static import DPI, FIGSIZE, build_figure, render_map

pytestmark = pytest.mark.shared_data


def _legend_texts(fig) -> list[str]:
    legend = next(ax for ax in fig.axes if ax.get_label() == "legenda").get_legend()
    return [t.get_text() for t in legend.get_texts()]


def _pixel(fig, png, x: float, y: float) -> str:
    """Hex colour of the saved PNG at RD coordinate (x, y)."""
    ax = next(a for a in fig.axes if a.get_label() == "kaart")
    px, py = ax.transData.transform((x, y))
    img = mimage.imread(png)
    row = img.shape[0] - round(py)
    return mcolors.to_hex(img[row, round(px)][:3])


def test_format_number_is_dutch() -> None:
    assert format_number(12345.678, 1) == "12.345,7"
    assert format_number(-2.0, 1) == "−2,0"
    assert format_number(float("nan")) == "–"


def test_classify_on_real_income_shares(amsterdam) -> None:
    values = amsterdam.buurten["p_hh_lkk"]
    assert values.notna().sum() == 366
    assert classify(values, "kwantielen", 5) == [6.8, 9.7, 13.2, 16.7, 62.6]
    assert classify(values, "fisher_jenks", 5) == [9.8, 16.3, 24.7, 40.9, 62.6]
    assert classify(values, "handmatig", bounds=[20, 10]) == [10.0, 20.0, 62.6]
    with pytest.raises(ValueError, match="unknown scheme"):
        classify(values, "gelijke_stappen")


def test_class_labels_show_data_range_beyond_bounds() -> None:
    assert class_labels([10, 20, 30], 2.5, 41.25, "%") == [
        "2,50 – 10,00 %",
        "10,00 – 20,00 %",
        "20,00 – 41,25 %",
    ]
    assert class_labels([10, 20], 0, None, "aantal") == ["0 – 10", "10 – 20"]


def test_legend_classes_and_no_data(amsterdam) -> None:
    layer = amsterdam.layer("concentratie")
    fig = build_figure(amsterdam, layer)
    assert _legend_texts(fig) == [
        "0,8 – 8,0 %",
        "8,0 – 12,0 %",
        "12,0 – 16,0 %",
        "16,0 – 20,0 %",
        "20,0 – 62,6 %",
        NO_DATA_LABEL,
    ]
    assert layer_style(amsterdam, layer).no_data == 73  # CBS 'geheim' or no KWB row


def test_no_data_patch_only_when_needed(amsterdam) -> None:
    complete = amsterdam.buurten[amsterdam.buurten["p_hh_lkk"].notna()]
    mapset = dataclasses.replace(amsterdam, buurten=complete)
    texts = _legend_texts(build_figure(mapset, amsterdam.layer("concentratie")))
    assert NO_DATA_LABEL not in texts
    assert len(texts) == 5


def test_title_subtitle_and_source_line(amsterdam) -> None:
    fig = build_figure(amsterdam, amsterdam.layer("ontwikkeling"))
    texts = [t.get_text() for t in fig.texts]
    assert texts[0] == "Verandering aandeel huishoudens met een laag inkomen, 2017–2019"
    assert "buurtindeling 2022" in texts[1] and "2017–2019" in texts[1]
    source = texts[2].replace("\n", " ")
    assert "83765NED, 84583NED" in source and "Gemeente Amsterdam" in source
    # a change map straddles 0: diverging palette, with the neutral grey in the middle
    style = layer_style(amsterdam, amsterdam.layer("ontwikkeling"))
    assert [c for _, c in style.legend] == palettes.DIVERGING[5]


def test_png_colours_match_classes(amsterdam, tmp_path) -> None:
    layer = amsterdam.layer("concentratie")
    fig = build_figure(amsterdam, layer)
    (png,) = render_map(amsterdam, layer, tmp_path, formats=("png",))
    img = mimage.imread(png)
    assert img.shape[:2] == (round(FIGSIZE[1] * DPI), round(FIGSIZE[0] * DPI))
    buurten = amsterdam.buurten.set_index("name")
    points = buurten.geometry.representative_point()
    colours = palettes.SEQUENTIAL[5]
    # Holysloot 8,1 % → class 8–12; Zunderdorp 5,7 % → lowest; Kop Zeedijk 15,3 % → 12–16
    assert _pixel(fig, png, points["Holysloot"].x, points["Holysloot"].y) == colours[1]
    assert _pixel(fig, png, points["Zunderdorp"].x, points["Zunderdorp"].y) == colours[0]
    assert _pixel(fig, png, points["Kop Zeedijk"].x, points["Kop Zeedijk"].y) == colours[2]
    # the map is not empty: most of the city is coloured (not white)
    non_white = (img[..., :3] < 0.97).any(axis=-1).mean()
    assert non_white > 0.12  # an empty map (texts only) is about 0.02


def test_no_data_buurt_is_hatched(amsterdam, tmp_path) -> None:
    layer = amsterdam.layer("concentratie")
    fig = build_figure(amsterdam, layer)
    (png,) = render_map(amsterdam, layer, tmp_path, formats=("png",))
    img = mimage.imread(png)
    ax = next(a for a in fig.axes if a.get_label() == "kaart")
    geom = amsterdam.buurten.set_index("name").geometry["Amerikahaven"]  # harbour: no data
    c = geom.centroid
    px, py = ax.transData.transform((c.x, c.y))
    row = img.shape[0] - round(py)
    patch = img[row - 15 : row + 15, int(px) - 15 : int(px) + 15, :3]
    unique = {mcolors.to_hex(p) for p in patch.reshape(-1, 3)}
    face = mcolors.to_rgb(palettes.NO_DATA_FACE)
    # hatch lines (dark) and the pale face alternate; no class colour in between
    assert any(np.allclose(mcolors.to_rgb(u), face, atol=0.02) for u in unique)
    assert any(sum(mcolors.to_rgb(u)) < 2.4 for u in unique)
    assert not set(palettes.SEQUENTIAL[5]) & unique


def test_all_formats_and_labels(amsterdam, tmp_path) -> None:
    layer = amsterdam.layer("corporatiebezit")
    paths = render_map(amsterdam, layer, tmp_path, labels=True)
    assert [p.name for p in paths] == [
        "gm0363_corporatiebezit.png",
        "gm0363_corporatiebezit.svg",
        "gm0363_corporatiebezit.pdf",
    ]
    svg = paths[1].read_text(encoding="utf-8")
    assert "Durgerdam" in svg  # buurt label kept as text (big buurt: room for its name)
    assert "Huurwoningen in bezit van woningcorporaties, 2019" in svg
    assert paths[2].read_bytes().startswith(b"%PDF")


def test_categorical_and_bivariate_legends(amsterdam) -> None:
    fig = build_figure(amsterdam, amsterdam.layer("typologie"))
    assert _legend_texts(fig)[:4] == [
        "Hoog en stijgend",
        "Hoog, niet stijgend",
        "Lager, wel stijgend",
        "Lager, niet stijgend",
    ]
    fig = build_figure(amsterdam, amsterdam.layer("bivariaat"))
    leg_ax = next(a for a in fig.axes if a.get_label() == "legenda")
    cells = {p.get_label(): mcolors.to_hex(p.get_facecolor()) for p in leg_ax.patches}
    assert cells == {k: v.lower() for k, v in palettes.BIVARIATE.items()}
    style = layer_style(amsterdam, amsterdam.layer("bivariaat"))
    assert style.no_data == 83


def test_layer_contract_is_checked() -> None:
    with pytest.raises(ValueError, match="kind"):
        MapLayer("x", "t", "c", "kaart", "l", sources=[], period="2019")
    with pytest.raises(ValueError, match="categories"):
        MapLayer("x", "t", "c", "categorie", "l", sources=[], period="2019")


def test_fast_classifiers_agree_with_mapclassify(amsterdam) -> None:
    import mapclassify

    values = amsterdam.buurten["p_wcorpw"].dropna().to_numpy()
    for k in (3, 5, 7):
        assert classify(values, "quantiles", k) == pytest.approx(
            list(mapclassify.Quantiles(values, k=k).bins)
        )
    assert classify(values, "handmatig", bounds=[25, 50]) == pytest.approx(
        list(mapclassify.UserDefined(values, bins=[25, 50]).bins)
    )


def test_more_than_seven_classes_get_brewer_colours() -> None:
    nine = palettes.class_colours(9)
    assert nine[0] == "#ffffd9" and nine[-1] == "#081d58"
    assert len(set(palettes.class_colours(11, diverging=True))) == 11


def test_maps_drawn_in_workers_equal_the_maps_drawn_here(amsterdam, tmp_path) -> None:
    from veerkracht.maps.workers import render_maps

    two = dataclasses.replace(amsterdam, layers=amsterdam.layers[:2])
    here = render_maps(two, tmp_path / "hier", formats=("png", "svg"), processes=1)
    done: list[str] = []
    there = render_maps(
        two,
        tmp_path / "werkers",
        formats=("png", "svg"),
        processes=2,
        on_done=lambda layer: done.append(layer.key),
    )
    assert [p.name for p in here] == [p.name for p in there]  # layer order, not finish order
    assert sorted(done) == sorted(layer.key for layer in two.layers)
    for a, b in zip(here, there, strict=True):
        if a.suffix == ".svg":  # the same apart from the time it was written
            undated = [re.sub(r"<dc:date>.*</dc:date>", "", p.read_text()) for p in (a, b)]
            assert undated[0] == undated[1], a.name
        else:
            assert a.read_bytes() == b.read_bytes(), a.name


def test_pdf_text_is_searchable(amsterdam, tmp_path) -> None:
    layer = amsterdam.layer("concentratie")
    (pdf,) = render_map(amsterdam, layer, tmp_path, formats=("pdf",))
    data = pdf.read_bytes()
    assert b"/Subtype /Type3" in data  # glyphs drawn by the PDF itself, no font subsetting
    assert b"/FontFile2" not in data

"""Colour palettes for the signalling maps, chosen to survive colour-blindness.

The maps are printed and laid on a meeting table, and about 1 in 12 men has a
red-green colour-vision deficiency (CVD). Every palette here is therefore taken
from a published scheme that was checked for CVD:

* **Sequential** (levels such as "share of households with a low income"):
  ColorBrewer *YlGnBu* (Brewer & Harrower). ColorBrewer marks all its single-
  and multi-hue sequential schemes "colour-blind safe"; YlGnBu also stays
  ordered in greyscale photocopies, which matters for printed handouts.
* **Diverging** (change that can be negative or positive, e.g. "ontwikkeling"):
  ColorBrewer *PuOr* (purple-orange), marked colour-blind safe and print
  friendly. We avoid red-green diverging schemes (RdYlGn) on purpose. The
  neutral middle class is a light grey (#dedede) instead of Brewer's #f7f7f7,
  which on paper cannot be told from the white background.
* **Bivariate 3×3** (change × level): Joshua Stevens' "DkBlue"-type scheme as
  shipped in the R package *biscale* (``bi_pal("DkBlue")``): grey → red along
  x, grey → blue along y, dark purple where both are high. The two hues differ
  strongly in lightness and in blue-yellow opponent channel, so the nine cells
  stay distinguishable for deuteranopia and protanopia.
* **Categorical** (typology): the Okabe & Ito (2008) palette, designed for
  CVD; the typology colours of a layer come from ``MapLayer.categories`` and
  should be taken from :data:`CATEGORICAL` in order.
* **No data**: very light grey with a diagonal hatch, so "geen gegevens" can
  never be mistaken for the lowest class.
"""

from __future__ import annotations

from matplotlib.colors import LinearSegmentedColormap, to_hex

#: ColorBrewer YlGnBu, keyed by number of classes (3–7).
SEQUENTIAL: dict[int, list[str]] = {
    3: ["#edf8b1", "#7fcdbb", "#2c7fb8"],
    4: ["#ffffcc", "#a1dab4", "#41b6c4", "#225ea8"],
    5: ["#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"],
    6: ["#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#2c7fb8", "#253494"],
    7: ["#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#0c2c84"],
    8: ["#ffffd9", "#edf8b1", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#0c2c84"],
    9: [
        "#ffffd9",
        "#edf8b1",
        "#c7e9b4",
        "#7fcdbb",
        "#41b6c4",
        "#1d91c0",
        "#225ea8",
        "#253494",
        "#081d58",
    ],
}

#: ColorBrewer PuOr (orange = decrease … purple = increase), keyed by number of classes.
DIVERGING: dict[int, list[str]] = {
    3: ["#f1a340", "#dedede", "#998ec3"],
    4: ["#e66101", "#fdb863", "#b2abd2", "#5e3c99"],
    5: ["#e66101", "#fdb863", "#dedede", "#b2abd2", "#5e3c99"],
    6: ["#b35806", "#f1a340", "#fee0b6", "#d8daeb", "#998ec3", "#542788"],
    7: ["#b35806", "#f1a340", "#fee0b6", "#dedede", "#d8daeb", "#998ec3", "#542788"],
    8: ["#b35806", "#e08214", "#fdb863", "#fee0b6", "#d8daeb", "#b2abd2", "#8073ac", "#542788"],
    9: [
        "#b35806",
        "#e08214",
        "#fdb863",
        "#fee0b6",
        "#dedede",
        "#d8daeb",
        "#b2abd2",
        "#8073ac",
        "#542788",
    ],
}

#: Stevens/biscale "DkBlue" 3×3, keyed "x-y" with x, y in 1..3 (x = change, y = level).
BIVARIATE: dict[str, str] = {
    "1-1": "#d3d3d3", "2-1": "#ba8890", "3-1": "#9e3547",
    "1-2": "#8aa6c2", "2-2": "#7a6b84", "3-2": "#682a41",
    "1-3": "#4279b0", "2-3": "#3a4e78", "3-3": "#311e3b",
}  # fmt: skip

#: Okabe–Ito qualitative palette (without black), in recommended order.
CATEGORICAL: list[str] = [
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#009E73",  # bluish green
    "#F0E442",  # yellow
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#999999",  # grey (for "overig")
]

#: ColorBrewer OrRd (light -> dark red): levels where higher is unfavourable. One colour
#: logic across layers: unfavourable = darker and warmer (see :func:`class_colours`).
UNFAVOURABLE_SEQUENTIAL: dict[int, list[str]] = {
    3: ["#fee8c8", "#fdbb84", "#e34a33"],
    4: ["#fef0d9", "#fdcc8a", "#fc8d59", "#d7301f"],
    5: ["#fef0d9", "#fdcc8a", "#fc8d59", "#e34a33", "#b30000"],
    6: ["#fef0d9", "#fdd49e", "#fdbb84", "#fc8d59", "#e34a33", "#b30000"],
    7: ["#fef0d9", "#fdd49e", "#fdbb84", "#fc8d59", "#ef6548", "#d7301f", "#990000"],
    8: ["#fff7ec", "#fee8c8", "#fdd49e", "#fdbb84", "#fc8d59", "#ef6548", "#d7301f", "#990000"],
    9: [
        "#fff7ec",
        "#fee8c8",
        "#fdd49e",
        "#fdbb84",
        "#fc8d59",
        "#ef6548",
        "#d7301f",
        "#b30000",
        "#7f0000",
    ],
}

#: ColorBrewer RdBu, reversed (blue = favourable … red = unfavourable), grey middle:
#: change maps with a direction. Colour-blind safe (ColorBrewer).
UNFAVOURABLE_DIVERGING: dict[int, list[str]] = {
    3: ["#67a9cf", "#dedede", "#ef8a62"],
    4: ["#0571b0", "#92c5de", "#f4a582", "#ca0020"],
    5: ["#0571b0", "#92c5de", "#dedede", "#f4a582", "#ca0020"],
    6: ["#2166ac", "#67a9cf", "#d1e5f0", "#fddbc7", "#ef8a62", "#b2182b"],
    7: ["#2166ac", "#67a9cf", "#d1e5f0", "#dedede", "#fddbc7", "#ef8a62", "#b2182b"],
    8: ["#2166ac", "#4393c3", "#92c5de", "#d1e5f0", "#fddbc7", "#f4a582", "#d6604d", "#b2182b"],
    9: [
        "#2166ac",
        "#4393c3",
        "#92c5de",
        "#d1e5f0",
        "#dedede",
        "#fddbc7",
        "#f4a582",
        "#d6604d",
        "#b2182b",
    ],
}

#: own data (a corporation's complexes): magenta diamonds with a dark edge, a colour no
#: typology class or palette uses, so the symbol never reads as a class
OWN_DATA_FACE = "#d01c8b"
OWN_DATA_EDGE = "#1a1a1a"
NO_DATA_FACE = "#fbfbfb"
NO_DATA_EDGE = "#9e9e9e"
NO_DATA_HATCH = "////"
BOUNDARY = "#ffffff"
TEXT = "#222222"
MUTED = "#5f5f5f"


def class_colours(
    n: int, *, diverging: bool = False, worse_when_higher: bool | None = None
) -> list[str]:
    """Colours for ``n`` numeric classes (lowest class first): the Brewer set for 3–9
    classes; fewer than 3 take the ends of the 3-class set; more than 9 are sampled.

    ``worse_when_higher``: True/False for layers with a direction (the unfavourable end
    is dark red, whichever end that is); None for neutral layers (YlGnBu / PuOr).
    """
    if n < 1:
        raise ValueError(f"number of classes must be at least 1, got {n}")
    if worse_when_higher is not None:
        colours = _pick(UNFAVOURABLE_DIVERGING if diverging else UNFAVOURABLE_SEQUENTIAL, n)
        return colours if worse_when_higher else colours[::-1]
    return _pick(DIVERGING if diverging else SEQUENTIAL, n)


def _pick(table: dict[int, list[str]], n: int) -> list[str]:
    if n in table:
        return list(table[n])
    if n < 3:
        three = table[3]
        return [three[1]] if n == 1 else [three[0], three[2]]

    cmap = LinearSegmentedColormap.from_list("brewer", table[9])
    return [to_hex(cmap(i / (n - 1))) for i in range(n)]

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


def class_colours(n: int, *, diverging: bool = False) -> list[str]:
    """Colours for ``n`` numeric classes: the Brewer set for 3–9 classes; fewer than 3
    take the ends of the 3-class set; more than 9 are sampled from the same scheme."""
    if n < 1:
        raise ValueError(f"number of classes must be at least 1, got {n}")
    table = DIVERGING if diverging else SEQUENTIAL
    if n in table:
        return list(table[n])
    if n < 3:
        three = table[3]
        return [three[1]] if n == 1 else [three[0], three[2]]
    from matplotlib.colors import LinearSegmentedColormap, to_hex

    cmap = LinearSegmentedColormap.from_list("brewer", table[9])
    return [to_hex(cmap(i / (n - 1))) for i in range(n)]

"""Imported once by the map renderers' forkserver (see ``workers.start_workers``).

Importing this module loads what every map render needs (matplotlib with the Agg,
PDF and SVG backends, geopandas to unpickle the map set) and draws one tiny
figure to each format, so the font lookup and the glyph caches are warm. Workers
forked from the server then start rendering at once instead of after ~1.5 s of
imports each.
"""

from __future__ import annotations

import io

import geopandas  # noqa: F401  (the map set is a GeoDataFrame)
import matplotlib
from matplotlib.backends import backend_pdf, backend_svg  # noqa: F401
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from veerkracht.maps import static


def _warm() -> None:
    with matplotlib.rc_context(static._RC):
        fig = Figure(figsize=(1, 1), dpi=72)
        FigureCanvasAgg(fig)
        fig.text(0.1, 0.5, "Aa 0,9 –·", fontsize=8)
        fig.text(0.1, 0.2, "Aa", fontsize=8, fontweight="bold")
        for fmt in ("png", "pdf", "svg"):
            fig.savefig(io.BytesIO(), format=fmt)


_warm()

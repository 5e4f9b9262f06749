"""Optional background map under the buurten: PDOK BRT-Achtergrondkaart tiles.

Only when the user asks for it (``--achtergrond``) and only online: maps are complete
without it. Tiles come from PDOK's WMTS in the Dutch RD tiling scheme (EPSG:28992, the
store's own projection), so they are placed without reprojection, and go through the
cached HTTP client (a second run needs no network).
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from matplotlib.image import imread

from veerkracht.http import HttpClient

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from veerkracht.settings import Settings

#: RD tiling scheme (NEN / PDOK "EPSG:28992" tile matrix set)
ORIGIN_X = -285401.92
ORIGIN_Y = 903401.92
RESOLUTION_0 = 3440.640  # metres per pixel at level 0
TILE = 256
MAX_LEVEL = 14
MAX_TILES = 80
STYLE = "grijs"  # grey background keeps the choropleth colours readable
ATTRIBUTION = "Achtergrond: BRT-Achtergrondkaart, Kadaster (PDOK), CC BY 4.0"


@dataclass(frozen=True)
class TileRange:
    level: int
    cols: range
    rows: range

    @property
    def count(self) -> int:
        return len(self.cols) * len(self.rows)

    def extent(self) -> tuple[float, float, float, float]:
        size = TILE * RESOLUTION_0 / 2**self.level
        x0 = ORIGIN_X + self.cols.start * size
        x1 = ORIGIN_X + self.cols.stop * size
        y1 = ORIGIN_Y - self.rows.start * size
        y0 = ORIGIN_Y - self.rows.stop * size
        return x0, x1, y0, y1


def tile_range(bounds: tuple[float, float, float, float], width_px: int) -> TileRange:
    """Tiles covering ``bounds`` (RD metres) at about ``width_px`` pixels across."""
    minx, miny, maxx, maxy = bounds
    wanted = (maxx - minx) / max(width_px, 1)  # metres per pixel
    level = max(0, min(MAX_LEVEL, math.ceil(math.log2(RESOLUTION_0 / wanted))))
    while True:
        size = TILE * RESOLUTION_0 / 2**level
        cols = range(math.floor((minx - ORIGIN_X) / size), math.floor((maxx - ORIGIN_X) / size) + 1)
        rows = range(math.floor((ORIGIN_Y - maxy) / size), math.floor((ORIGIN_Y - miny) / size) + 1)
        found = TileRange(level, cols, rows)
        if found.count <= MAX_TILES or level == 0:
            return found
        level -= 1


def tile_url(settings: Settings, level: int, col: int, row: int) -> str:
    return f"{settings.pdok_brt}/{STYLE}/EPSG:28992/{level}/{col}/{row}.png"


def mosaic(settings: Settings, tiles: TileRange) -> np.ndarray:
    """The tiles stitched into one RGB(A) image; raises NetworkError when offline."""
    image: np.ndarray | None = None
    with HttpClient(settings) as client:
        for i, row in enumerate(tiles.rows):
            for j, col in enumerate(tiles.cols):
                body = client.get_bytes(
                    tile_url(settings, tiles.level, col, row), label="achtergrondkaart"
                )
                tile = imread(io.BytesIO(body), format="png")
                if image is None:
                    image = np.ones((len(tiles.rows) * TILE, len(tiles.cols) * TILE, tile.shape[2]))
                image[i * TILE : (i + 1) * TILE, j * TILE : (j + 1) * TILE] = tile[:TILE, :TILE]
    if image is None:  # an extent always covers a tile; this is a programming error
        raise ValueError("achtergrondkaart: geen tegels voor dit gebied")
    return image


def add_basemap(ax: Axes, settings: Settings, *, width_px: int = 1600) -> None:
    """Draw the background under whatever is on ``ax`` (keeps the current view)."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    tiles = tile_range((x0, y0, x1, y1), width_px)
    ax.imshow(mosaic(settings, tiles), extent=tiles.extent(), zorder=0, interpolation="bilinear")
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)

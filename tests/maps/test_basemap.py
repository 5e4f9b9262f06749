"""The optional PDOK background map: tile maths, drawing from a local tile server, offline."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest

from veerkracht.maps.basemap import ATTRIBUTION, TILE, tile_range, tile_url
from veerkracht.settings import get_settings


def _png(colour: tuple[int, int, int]) -> bytes:
    from matplotlib.image import imsave

    buf = io.BytesIO()
    imsave(buf, np.full((TILE, TILE, 3), colour, dtype=np.uint8), format="png")
    return buf.getvalue()


@pytest.fixture
def tile_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    requested: list[str] = []
    body = _png((200, 40, 40))

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requested.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("VEERKRACHT_PDOK_BRT", f"http://127.0.0.1:{server.server_port}/brt")
    yield requested
    server.shutdown()
    server.server_close()


def test_tile_range_covers_amsterdam_in_rd() -> None:
    bounds = (110000.0, 476000.0, 135000.0, 494000.0)  # Amsterdam, RD metres
    tiles = tile_range(bounds, 1600)
    x0, x1, y0, y1 = tiles.extent()
    assert x0 <= bounds[0] and x1 >= bounds[2] and y0 <= bounds[1] and y1 >= bounds[3]
    assert tiles.count <= 80
    # 25 km over ~1600 px -> about 16 m/px: level 8 of the RD scheme (13,44 m/px)
    assert tiles.level == 8


def test_basemap_drawn_from_tiles_with_attribution(tile_server: list[str], tmp_path) -> None:
    from tests.maps._amsterdam import amsterdam_mapset
    from veerkracht.maps.static import build_figure
    from veerkracht.settings import shared_data_dir

    mapset = amsterdam_mapset(shared_data_dir())
    settings = get_settings(tmp_path / "s.duckdb")
    fig = build_figure(mapset, mapset.layers[0], basemap=settings)
    ax = next(a for a in fig.axes if a.get_label() == "kaart")
    assert len(ax.get_images()) == 1
    assert tile_server and all(p.startswith("/brt/grijs/EPSG:28992/") for p in tile_server)
    texts = " ".join(t.get_text() for t in fig.texts)
    assert ATTRIBUTION in texts.replace("\n", " ")
    n_fetched = len(tile_server)
    build_figure(mapset, mapset.layers[0], basemap=settings)
    assert len(tile_server) == n_fetched  # second map: tiles from the cache


def test_tile_url_uses_rd_matrix(tmp_path) -> None:
    settings = get_settings(tmp_path / "s.duckdb")
    assert tile_url(settings, 8, 130, 140).endswith("/grijs/EPSG:28992/8/130/140.png")


def test_offline_is_a_dutch_network_error(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    from veerkracht.errors import NetworkError
    from veerkracht.maps.basemap import mosaic

    monkeypatch.setenv("VEERKRACHT_OFFLINE", "1")
    settings = get_settings(tmp_path / "s.duckdb")
    with pytest.raises(NetworkError, match="offline"):
        mosaic(settings, tile_range((120000.0, 480000.0, 121000.0, 481000.0), 10))

"""The fast PNG writer: lossless, with resolution and metadata, readable by Pillow."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from veerkracht.maps._png import encode


def _read(data: bytes) -> Image.Image:
    img = Image.open(io.BytesIO(data))
    img.load()
    return img


def test_same_pixels_dpi_and_text():
    rng = np.random.default_rng(1)
    rgba = rng.integers(0, 256, (37, 53, 4), dtype=np.uint8)
    meta = {"Software": "veerkracht", "Title": "Kaart 2017–2019"}
    img = _read(encode(rgba, dpi=300, metadata=meta))
    assert img.mode == "RGBA"
    assert (np.asarray(img) == rgba).all()
    assert round(img.info["dpi"][0]) == 300
    assert img.info["Title"] == "Kaart 2017–2019"  # not Latin-1: iTXt
    assert img.info["Software"] == "veerkracht"


def test_a_rendered_figure_matches_savefig(tmp_path):
    from matplotlib.figure import Figure

    from veerkracht.maps._png import save_png

    fig = Figure(figsize=(2, 1.5), dpi=100, facecolor="white")
    ax = fig.add_subplot()
    ax.fill([0, 1, 1], [0, 0, 1], color="#2c7fb8")
    ax.set_title("Test – ë")
    fig.savefig(tmp_path / "a.png", dpi=150, facecolor="white")
    save_png(fig, tmp_path / "b.png", dpi=150, metadata={})
    a = np.asarray(Image.open(tmp_path / "a.png").convert("RGB"))
    b = np.asarray(Image.open(tmp_path / "b.png").convert("RGB"))
    assert a.shape == b.shape
    assert (a == b).all()
    assert fig.dpi == 100  # the figure is left as it was

"""Baseline for ``bench_commands.py``: the seven maps drawn the obvious way with geopandas.

What a notebook would do: read the buurten (with the class colour of every map as a
column) with ``geopandas.read_file``, and per map ``GeoDataFrame.plot`` on a pyplot
figure, a legend, a title and a source line, then ``savefig`` as PNG (300 dpi), SVG
and PDF. No caching, no tuning, matplotlib defaults.

Run: ``python benchmarks/naive_maps.py BUURTEN.gpkg LAGEN.json UITMAP``; the input
files come from ``bench_commands.py`` (``export_baseline_input``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    import geopandas as gpd
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    buurten_path, layers_path, out_dir = argv
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    layers = json.loads(Path(layers_path).read_text(encoding="utf-8"))
    gdf = gpd.read_file(buurten_path)
    for layer in layers:
        colours = gdf[f"kleur_{layer['key']}"].fillna("")
        has = colours != ""
        fig, ax = plt.subplots(figsize=(11.69, 8.27))
        gdf[has].plot(ax=ax, color=colours[has].tolist(), edgecolor="white", linewidth=0.25)
        if (~has).any():
            gdf[~has].plot(
                ax=ax, facecolor="#fbfbfb", edgecolor="#9e9e9e", hatch="////", linewidth=0.25
            )
        gpd.GeoSeries([gdf.union_all()]).boundary.plot(ax=ax, color="#4d4d4d", linewidth=0.6)
        ax.set_axis_off()
        handles = [Patch(facecolor=c, label=label) for label, c in layer["legend"]]
        ax.legend(handles=handles, title=layer["legend_title"], loc="upper left",
                  bbox_to_anchor=(1.0, 1.0), frameon=False)
        ax.set_title(f"{layer['title']}\n{layer['subtitle']}", loc="left")
        fig.text(0.02, 0.02, layer["source"], fontsize=7, wrap=True)
        fig.tight_layout()
        for fmt in ("png", "svg", "pdf"):
            fig.savefig(out / f"{layer['key']}.{fmt}", dpi=300 if fmt == "png" else "figure")
        plt.close(fig)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

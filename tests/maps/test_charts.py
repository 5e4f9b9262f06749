"""Charts: real Amsterdam KWB numbers in, Dutch labels and the right bars/lines out."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from veerkracht.maps.charts import (
    corporation_index_figure,
    liveability_development_chart,
    ranking_chart,
    ranking_figure,
)

pytestmark = pytest.mark.shared_data

BINS = [0, 10, 20, 30, 40, 50, 60, 70, 80, 101]
LABELS = ["0–10%", "10–20%", "20–30%", "30–40%", "40–50%", "50–60%", "60–70%", "70–80%", "≥80%"]


def _index_frame(amsterdam) -> pd.DataFrame:
    b = amsterdam.buurten
    rows = []
    for year in (2017, 2019):
        nl = {2017: 7.9, 2019: float(b["p_hh_lkk__nl"].iloc[0])}[year]
        share = pd.cut(b[f"p_wcorpw__{year}"], BINS, right=False, labels=LABELS)
        means = b.groupby(share, observed=False)[f"p_hh_lkk__{year}"].mean()
        rows += [
            {"category": k, "period": str(year), "index": v / nl * 100} for k, v in means.items()
        ]
    return pd.DataFrame(rows)


def test_corporation_index_lines(amsterdam) -> None:
    df = _index_frame(amsterdam)
    fig = corporation_index_figure(
        df, title="Laag inkomen naar corporatiebezit", sources=["CBS, KWB 2017 en 2019"]
    )
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == LABELS
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["2017", "2019"]
    lines = [line for line in ax.get_lines() if line.get_label() in {"2017", "2019"}]
    y2019 = lines[1].get_ydata()
    # more corporation housing, more low incomes: 2019 index 100,6 at 0–10 %, 325,6 at ≥80 %
    assert y2019[0] == pytest.approx(100.566, abs=0.01)
    assert y2019[-1] == pytest.approx(325.630, abs=0.01)
    assert any("Bron: CBS, KWB 2017 en 2019." in t.get_text() for t in fig.texts)


def test_ranking_top_buurten(amsterdam, tmp_path) -> None:
    df = amsterdam.buurten[["name", "p_hh_lkk"]].rename(columns={"p_hh_lkk": "value"})
    fig = ranking_figure(
        df,
        title="Buurten met het hoogste aandeel lage inkomens",
        sources=["CBS, KWB 2019"],
        value_label="%",
        top=10,
    )
    ax = fig.axes[0]
    names = [t.get_text() for t in ax.get_yticklabels()]
    assert len(names) == 10
    top = df.nlargest(1, "value").iloc[0]
    assert names[-1] == top["name"]  # highest on top
    assert format(top["value"], ".1f").replace(".", ",") in [t.get_text().strip() for t in ax.texts]
    paths = ranking_chart(
        df, tmp_path, formats=("png",), title="x", sources=["CBS"], value_label="%", top=10
    )
    assert paths[0].stat().st_size > 20_000


def test_liveability_bars(tmp_path) -> None:
    df = pd.DataFrame(
        {
            "category": ["onvoldoende", "zwak", "voldoende", "goed"],
            "value": [0.4, 0.1, -0.2, -0.5],
        }
    )
    (png, svg) = liveability_development_chart(
        df,
        tmp_path,
        formats=("png", "svg"),
        title="Ontwikkeling leefbaarheid",
        sources=["Leefbaarometer 2.0, meting 2018"],
        value_label="Gemiddelde verandering",
    )
    text = svg.read_text(encoding="utf-8")
    assert (
        "Leefbaarheidsklasse aan het begin van de periode" in text or "Leefbaarheidsklasse" in text
    )
    assert png.stat().st_size > 20_000
    assert np.isclose(df["value"].sum(), -0.2)

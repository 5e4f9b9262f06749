"""One view, every output: the same class per buurt and the same counts everywhere.

CSV, XLSX, the report's tables, the interactive HTML map and the web JSON are all built
from ``veerkracht.pipeline.signal_view``; this test reads each output back and joins it
to the view by buurt code. (The atlas is checked the same way in tests/test_atlas.py.)
"""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from veerkracht.maps.from_signals import mapset_from_view
from veerkracht.pipeline import signal_view


@pytest.fixture(scope="module")
def view(amsterdam_store):
    return signal_view(amsterdam_store, "Amsterdam", 2017, 2019)


def test_every_output_shows_the_views_classes(view, amsterdam_store, tmp_path) -> None:
    from fastapi.testclient import TestClient

    from veerkracht.maps.interactive import render_html
    from veerkracht.report.content import class_counts, signal_rows
    from veerkracht.signals.export import write_signal_tables
    from veerkracht.web.app import create_app

    truth = dict(zip(view.result.table.region_code, view.result.table.typology, strict=True))
    counts = view.result.class_counts()
    assert sum(counts.values()) == len(truth) == 479

    csv_path, xlsx_path = write_signal_tables(view, tmp_path)
    csv = pd.read_csv(csv_path, sep=";", decimal=",", encoding="utf-8-sig")
    assert dict(zip(csv.Buurtcode, csv.Signaalcode, strict=True)) == truth
    xlsx = pd.read_excel(xlsx_path, sheet_name="Signalen", engine="openpyxl")
    assert dict(zip(xlsx.Buurtcode, xlsx.Signaalcode, strict=True)) == truth

    # the report's tables: counts per class and one row per buurt with a signal
    assert {c["code"]: c["n"] for c in class_counts(view.result)} == counts
    labels = {c.code: c.label for c in view.result.config.classes}
    rows = signal_rows(view.result)
    assert {r["code"]: r["signal"].split(" (stap")[0] for r in rows} == {
        code: labels[cls] for code, cls in truth.items() if cls in {"PRO", "KWE", "VER", "TOE"}
    }

    # the HTML map: buurten with a polygon show their class; the others are named
    mapset = mapset_from_view(amsterdam_store, view)
    page = render_html(mapset, tmp_path / "kaart.html").read_text(encoding="utf-8")
    payload = re.search(r'id="kaartdata">(.*?)</script>', page, re.S).group(1)
    data = json.loads(payload.replace("<\\/", "</"))
    layer = next(x for x in data["layers"] if x["key"] == "typologie")
    categories = view.result.config.map_categories()
    map_code = dict(zip(view.result.table.region_code, view.result.table.typology_map, strict=True))
    shown = {f["c"]: v for f, v in zip(data["features"], layer["values"], strict=True)}
    assert shown == {code: categories[map_code[code]][0] for code in shown}
    assert {b["c"] for b in data["withoutGeometry"]} == set(truth) - set(shown)

    # the web JSON of the same view
    client = TestClient(create_app(amsterdam_store))
    web = client.get("/api/gemeenten/GM0363/signalen.json?van=2017&tot=2019").json()
    assert {r["region_code"]: r["typologie"] for r in web["rijen"]} == truth
    assert web["aantallen"] == counts

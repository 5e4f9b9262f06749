"""The atlas on a copy of the real shared/data store, with two worker processes.

The atlas calls the same pipeline as ``veerkracht kaart``: its interactive map must
show the class of every buurt that the signal table gives (joined by buurt code).
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

# Groningen, Amsterdam, Rotterdam, Eindhoven (values on edition 2020, boundaries 2025), Tilburg
CHOSEN = ["GM0014", "GM0363", "GM0599", "GM0772", "GM0855"]


@pytest.fixture(scope="module")
def atlas_run(amsterdam_store, tmp_path_factory):
    from veerkracht.atlas import atlas

    # workers open the store read-only in other processes: they need a file no writer holds
    amsterdam_store.con.execute("CHECKPOINT")
    tmp = tmp_path_factory.mktemp("atlas")
    copy = tmp / "store.duckdb"
    shutil.copy(amsterdam_store.path, copy)
    out = tmp / "uit"
    done, skipped = atlas(copy, 2017, 2019, out, processes=2, formats=("png",), gemeenten=CHOSEN)
    return out, done, skipped


def test_atlas_renders_gemeenten_with_boundaries(atlas_run):
    out, done, _ = atlas_run
    assert [o.gemeente_code for o in done] == ["GM0014", "GM0363", "GM0599", "GM0772"]
    ams = next(o for o in done if o.gemeente_code == "GM0363")
    folder = out / "gm0363_2017_2019"
    expected = {
        f"gm0363_{k}.png"
        for k in (
            "concentratie",
            "ontwikkeling",
            "typologie",
            "bivariaat",
            "leefbaarheid",
            "overlast",
            "corporatiebezit",
        )
    } | {"gm0363_kaart.html"}
    assert {p.name for p in ams.files} == expected
    assert {p.name for p in folder.iterdir()} == expected
    assert all(p.stat().st_size > 10_000 for p in ams.files)
    assert ams.seconds > 0


def test_atlas_map_shows_the_classes_of_the_signal_table(atlas_run, amsterdam_store):
    from veerkracht.pipeline import signal_view

    out, _, _ = atlas_run
    view = signal_view(amsterdam_store, "GM0363", 2017, 2019)
    page = (out / "gm0363_2017_2019" / "gm0363_kaart.html").read_text(encoding="utf-8")
    data = json.loads(
        re.search(r'<script type="application/json" id="kaartdata">(.*?)</script>', page, re.S)
        .group(1)
        .replace("<\\/", "</")
    )
    layer = next(layer for layer in data["layers"] if layer["key"] == "typologie")
    labels = view.result.config.map_categories()
    expected = dict(zip(view.result.table.region_code, view.result.table.typology_map, strict=True))
    shown = {f["c"]: v for f, v in zip(data["features"], layer["values"], strict=True)}
    assert shown == {code: labels[expected[code]][0] for code in shown}
    # buurten without a polygon are named, so the map's counts plus these equal the table's
    missing = {b["c"] for b in data["withoutGeometry"]}
    assert missing == set(expected) - set(shown)
    assert len(missing) == 40


def test_atlas_lists_skipped_gemeenten_with_reason(atlas_run):
    out, _, skipped = atlas_run
    reasons = {o.gemeente_code: o.reason for o in skipped}
    assert sorted(reasons) == ["GM0855"]
    assert reasons["GM0855"] == "geen buurtgrenzen in de store (wel buurtcijfers)"
    index = (out / "atlas_2017_2019.html").read_text(encoding="utf-8")
    assert 'href="gm0363_2017_2019/gm0363_kaart.html"' in index
    assert "Tilburg (GM0855): geen buurtgrenzen in de store" in index


def test_failing_gemeente_is_recorded_not_raised(tmp_path: Path):
    from veerkracht.atlas import AtlasJob, render_gemeente

    job = AtlasJob("GM0363", "Amsterdam", 2017, 2019, tmp_path / "geen.duckdb", tmp_path)
    outcome = render_gemeente(job)
    assert not outcome.ok
    assert outcome.reason.startswith("er is nog geen store op")


def test_cli_rejects_reversed_period(capsys):
    from veerkracht.cli import main

    assert main(["atlas", "--van", "2019", "--tot", "2017"]) == 1
    err = capsys.readouterr().err
    assert "moet later zijn dan --van (2019)" in err and "Traceback" not in err

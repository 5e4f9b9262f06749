"""The atlas on a copy of the real shared/data store, with two worker processes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest


@pytest.fixture(scope="module")
def atlas_run(amsterdam_store, tmp_path_factory):
    from veerkracht.atlas import atlas

    # workers open the store read-only in other processes: they need a file no writer holds
    amsterdam_store.con.execute("CHECKPOINT")
    tmp = tmp_path_factory.mktemp("atlas")
    copy = tmp / "store.duckdb"
    shutil.copy(amsterdam_store.path, copy)
    out = tmp / "uit"
    done, skipped = atlas(copy, 2017, 2019, out, processes=2, formats=("png",))
    return out, done, skipped


def test_atlas_renders_amsterdam_and_groningen(atlas_run):
    out, done, _ = atlas_run
    assert [o.gemeente_code for o in done] == ["GM0014", "GM0363"]
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


def test_atlas_lists_skipped_gemeenten_with_reason(atlas_run):
    out, _, skipped = atlas_run
    reasons = {o.gemeente_code: o.reason for o in skipped}
    assert sorted(reasons) == ["GM0202", "GM0268", "GM0344", "GM0479", "GM0518", "GM0599", "GM0772"]
    assert reasons["GM0344"] == (
        "geen KWB-buurtcijfers rond 2019 (wel: 2023, 2024); probeer --van 2023 --tot 2024"
    )
    assert reasons["GM0599"] == "geen KWB-buurtcijfers in de store (alleen buurtgrenzen)"
    index = (out / "atlas_2017_2019.html").read_text(encoding="utf-8")
    assert 'href="gm0363_2017_2019/gm0363_kaart.html"' in index
    assert "Utrecht (GM0344): geen KWB-buurtcijfers rond 2019" in index


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

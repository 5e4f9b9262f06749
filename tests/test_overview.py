"""The national overview on a copy of the real shared/data store.

One full run (every gemeente in the store, two worker processes) is shared by the tests
of the figures, tables and map; the web page is tested on a few gemeenten.
"""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import pytest


@pytest.fixture(scope="module")
def store_copy(amsterdam_store, tmp_path_factory) -> Path:
    # workers open the store read-only in other processes: they need a file no writer holds
    amsterdam_store.con.execute("CHECKPOINT")
    copy = tmp_path_factory.mktemp("overzicht") / "store.duckdb"
    shutil.copy(amsterdam_store.path, copy)
    return copy


@pytest.fixture(scope="module")
def full_run(store_copy):
    from veerkracht.overview import overview

    return overview(store_copy, processes=2)


def test_covers_every_gemeente_of_the_2020_health_monitor(full_run, store_copy):
    from veerkracht.store import Store

    with Store(store_copy, read_only=True) as st:
        health = st.values(variables=["gezondheid.moeite_met_rondkomen_18plus"], level="gemeente")
    gemeenten_2020 = set(health.region_code)
    assert len(gemeenten_2020) == 355  # 50090NED, indeling 2020
    covered = {g.code for g in full_run.done} | {g.code for g in full_run.skipped}
    assert gemeenten_2020 <= covered
    # every one of them gets a signal (the health monitor covers the whole country)
    assert gemeenten_2020 <= {g.code for g in full_run.done}
    assert all(g.reason for g in full_run.skipped)
    assert len(full_run.done) >= 355


def test_national_figure_equals_a_recount_of_the_table(full_run):
    table = full_run.table()
    pro, kwe = "buurten probleem", "buurten kwetsbaar, nog geen problemen"
    figures = {f["signaal"]: f for f in full_run.figures()}
    assert figures["PRO"]["x"] == int((table[pro] > 0).sum())
    assert figures["PRO+KWE"]["x"] == int(((table[pro] + table[kwe]) > 0).sum())
    assert figures["PRO"]["y"] == len(table) == len(full_run.done)
    assert 0 < figures["PRO"]["x"] <= figures["PRO+KWE"]["x"] <= figures["PRO"]["y"]
    text = figures["PRO"]["tekst"]
    assert text.startswith(f"{figures['PRO']['x']} van de {len(table)} gemeenten hebben")
    definition = figures["PRO"]["definitie"]
    assert "vergeleken met Nederland" in definition and "≥ 200 inwoners" in definition


def test_residents_are_unknown_not_zero_without_kwb(full_run):
    table = full_run.table().set_index("gemeentecode")
    col = "inwoners probleem"
    tilburg = table.loc["GM0855"]  # health monitor only: no inhabitants per buurt
    assert tilburg["inwoners per buurt bekend"].startswith("nee")
    assert math.isnan(tilburg[col])
    amsterdam = table.loc["GM0363"]  # KWB: inhabitants known
    assert amsterdam["inwoners per buurt bekend"] == "ja"
    assert amsterdam[col] > 0
    unknown = table[table["inwoners per buurt bekend"] != "ja"]
    assert len(unknown) > 300 and unknown[col].isna().all()


def test_ranking_follows_problem_then_vulnerable(full_run):
    table = full_run.table()
    assert table.rang.iloc[0] == 1 and table.rang.is_monotonic_increasing
    pro, kwe = table["buurten probleem"], table["buurten kwetsbaar, nog geen problemen"]
    key = list(zip(pro, kwe, strict=True))
    assert key == sorted(key, reverse=True)


def test_tables_and_map_are_written(full_run, store_copy, tmp_path):
    import pandas as pd

    from veerkracht.maps.national import render_national_map
    from veerkracht.overview import gemeente_shapes, write_tables
    from veerkracht.store import Store

    files = write_tables(full_run, tmp_path)
    names = ["overzicht_recent.csv", "overzicht_recent_landelijk.csv", "overzicht_recent.xlsx"]
    assert [p.name for p in files] == names
    national = pd.read_csv(files[1], sep=";")
    assert national.cijfer.iloc[0] == full_run.figures()[0]["tekst"]
    assert "vergeleken met Nederland" in national.definitie.iloc[0]
    sheets = pd.read_excel(files[2], sheet_name=None, engine="openpyxl")
    assert list(sheets) == ["Gemeenten", "Landelijk", "Overgeslagen", "Verantwoording"]
    assert len(sheets["Gemeenten"]) == len(full_run.done)
    assert "vergeleken met Nederland" in sheets["Landelijk"].definitie.iloc[0]
    csv = pd.read_csv(files[0], sep=";", decimal=",")
    assert csv.gemeentecode.tolist() == full_run.table().gemeentecode.tolist()
    with Store(store_copy, read_only=True) as st:
        shapes = gemeente_shapes(st, [g.code for g in full_run.done])
    assert {"GM0363", "GM0599", "GM0014"} <= set(shapes.gemeente_code)
    assert shapes.gemeente_code.is_unique
    maps = render_national_map(full_run, shapes, tmp_path)
    assert [p.suffix for p in maps] == [".png", ".pdf"]
    assert all(p.stat().st_size > 20_000 for p in maps)

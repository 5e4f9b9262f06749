"""``data status`` counts what is stored, not what was ever imported, in a fixed order."""

from __future__ import annotations

from pathlib import Path

from tests.reliability import make_bad_inputs as corpus
from tests.reliability.conftest import run_cli


def test_status_counts_stored_geometries_and_values_once(tmp_path: Path, no_workers) -> None:
    from veerkracht.status import datasets_summary
    from veerkracht.store import Store

    store = tmp_path / "store.duckdb"
    first, second = tmp_path / "eerst", tmp_path / "daarna"
    corpus.good(first)
    second.mkdir()
    # the same buurt and edition again, and the same KWB values again: replacements
    corpus.write_geojson(second / "buurten_2022.geojson", {"BU03630101": corpus.square(1.01)})
    corpus.write_kwb(second / "kwb-2019-opnieuw.csv", corpus.kwb_rows(corpus._set(
        "BU03630101", "a_inw", "501")))  # fmt: skip
    assert run_cli("data", "importeren", str(first), "--store", str(store)).code == 0
    assert run_cli("data", "importeren", str(second), "--store", str(store)).code == 0
    with Store(store, read_only=True) as st:
        summary = datasets_summary(st).set_index("dataset_key")
        [(n_geometries,)] = st.con.execute("SELECT count(*) FROM geometries").fetchall()
        [(n_values,)] = st.con.execute("SELECT count(*) FROM value_rows").fetchall()
    assert summary.loc["cbs_gebiedsindelingen", "files"] == 2
    assert summary.loc["cbs_gebiedsindelingen", "n_geometries"] == n_geometries == 1
    assert summary.loc["cbs_kwb", "n_values"] == n_values == 56
    shown = run_cli("data", "status", "--store", str(store))
    assert shown.code == 0, shown.out


def test_status_lists_table_ids_in_order(tmp_path: Path, no_workers) -> None:
    from veerkracht.status import datasets_summary
    from veerkracht.store import Store

    store = tmp_path / "store.duckdb"
    folder = tmp_path / "kwb"
    folder.mkdir()
    for year in (2019, 2017, 2018):  # KWB table ids 84583NED, 83765NED, 84286NED
        rows = corpus.kwb_rows(corpus._set("BU03630101", "a_inw", str(year)))
        corpus.write_kwb(folder / f"kwb-{year}.csv", rows)  # distinct content, own hash
    assert run_cli("data", "importeren", str(folder), "--store", str(store)).code == 0
    with Store(store, read_only=True) as st:
        ids = datasets_summary(st).set_index("dataset_key").loc["cbs_kwb", "dataset_ids"]
    assert ids.split(", ") == sorted(ids.split(", ")) and len(ids.split(", ")) == 3

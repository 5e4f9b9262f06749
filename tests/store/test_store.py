from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from veerkracht.errors import StoreError
from veerkracht.ingest import import_file, import_folder
from veerkracht.sources.base import DatasetInfo, SourceTable
from veerkracht.store import Store

KWB_2017 = "cbs_kwb_amsterdam/Kerncijfers_wijken_en_buurten_2017_amsterdam_Rexport.csv"


def _counts(store: Store) -> tuple[int, ...]:
    tables = ['"values"', "imports", "region_keys", "variable_keys", "regions", "geometries"]
    return tuple(int(store.query(f"SELECT count(*) AS n FROM {t}").n.iloc[0]) for t in tables)


def test_import_is_idempotent(store: Store, shared_data: Path) -> None:
    first = import_file(store, shared_data / KWB_2017)
    assert first.status == "geïmporteerd"
    before = _counts(store)
    again = import_file(store, shared_data / KWB_2017)
    assert again.status == "al aanwezig"
    assert _counts(store) == before


def test_changed_file_replaces_rows(store: Store, shared_data: Path, tmp_path: Path) -> None:
    import_file(store, shared_data / KWB_2017)
    n_values = _counts(store)[0]
    text = (shared_data / KWB_2017).read_text(encoding="utf-8")
    edited = tmp_path / "Kerncijfers_2017_gecorrigeerd.csv"
    edited.write_text(text.replace('"NL00      "', '"NL00"'), encoding="utf-8")
    result = import_file(store, edited)
    assert result.status == "vervangen"
    assert _counts(store)[0] == n_values


def _one_value(
    code: str, variable: str, value: float, *, level: str = "buurt", name: str = ""
) -> SourceTable:
    """A file of one value for an own dataset ('eigen'), 2020."""
    frame = pd.DataFrame(
        {
            "region_code": [code], "level": [level], "edition": [2020], "period": [2020],
            "variable": [variable], "value": [value], "status": ["ok"],
        }
    )  # fmt: skip
    return SourceTable(
        dataset=DatasetInfo(key="eigen", publisher="test", title="t"),
        path=Path(f"{name or code}.csv"),
        values=frame,
    )


def _new_rows_table(status: str | None = "ok") -> SourceTable:
    """A region and a variable the store does not know yet, so keys are added first."""
    values = pd.DataFrame(
        {
            "region_code": ["BU03630000", "BU99999999"],
            "level": ["buurt", "buurt"],
            "edition": [2017, 2017],
            "period": [2017, 2017],
            "variable": ["kwb.a_inw", "kwb.nieuw"],
            "value": [1.0, 2.0],
            "status": ["ok", status],
        }
    )
    regions = values[["region_code", "level", "edition"]].assign(
        name="Nieuw", gemeente_code="GM9999"
    )
    return SourceTable(
        dataset=DatasetInfo(key="cbs_kwb", publisher="CBS", title="kapot"),
        path=Path("kapot.csv"),
        values=values,
        regions=regions,
    )


def test_failed_import_leaves_store_unchanged(
    store: Store, shared_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import_file(store, shared_data / KWB_2017)
    before = _counts(store)

    def disk_full(self: Store, rows, import_id: int) -> int:
        raise OSError("schijf vol")

    # fails after keys, values and regions were written in the transaction
    monkeypatch.setattr(Store, "_write_geometries", disk_full)
    with pytest.raises(OSError, match="schijf vol"):  # the error itself reaches the caller
        store.import_table(_new_rows_table(), file_hash="deadbeef", reader="test")
    assert _counts(store) == before
    assert not store.has_file("deadbeef")
    monkeypatch.undo()
    # the key cache noticed the rollback: the same rows import cleanly afterwards
    result = store.import_table(_new_rows_table(), file_hash="deadbeef", reader="test")
    assert result.n_values == 2
    got = store.values(region_codes=["BU99999999"])
    assert got[["variable", "value", "status"]].values.tolist() == [["kwb.nieuw", 2.0, "ok"]]


def test_unknown_status_is_refused_before_anything_is_written(store: Store) -> None:
    before = _counts(store)
    with pytest.raises(StoreError, match="onbekende status"):
        store.import_table(_new_rows_table(status=None), file_hash="beef", reader="test")
    assert _counts(store) == before


def test_values_keep_provenance(store: Store, shared_data: Path) -> None:
    import_file(store, shared_data / KWB_2017)
    prov = store.query(
        """SELECT i.publisher, i.dataset_id, i.file_hash, i.retrieved_at, v.period
           FROM "values" v JOIN imports i USING (import_id)
           WHERE v.region_code = 'BU03630000' AND v.variable = 'kwb.a_inw'"""
    )
    assert len(prov) == 1
    row = prov.iloc[0]
    assert (row.publisher, row.dataset_id, row.period) == ("CBS", "83765NED", 2017)
    assert len(row.file_hash) == 64
    assert row.retrieved_at is not None


def test_import_folder_lists_skipped_files(store: Store, tmp_path: Path, shared_data: Path) -> None:
    folder = tmp_path / "downloads"
    folder.mkdir()
    (folder / "kwb.csv").write_bytes((shared_data / KWB_2017).read_bytes())
    (folder / "notities.md").write_text("# mijn notities")
    (folder / "leeg.csv").write_text("")
    (folder / "raar.csv").write_text("a;b\n1;2\n")
    (folder / "veerkracht.toml").write_text('[bestanden."kwb.csv"]\njaar = 2017\n')
    report = import_folder(store, folder)
    assert [r.file_name for r in report.imported] == ["kwb.csv"]
    reasons = {s.file.name: s.reason for s in report.skipped}
    assert set(reasons) == {"notities.md", "leeg.csv", "raar.csv"}
    assert "leeg" in reasons["leeg.csv"]
    assert "onbekend" in reasons["raar.csv"]


KWB_2019 = "cbs_kwb_amsterdam/Kerncijfers_wijken_en_buurten_2019_amsterdam_Rexport.csv"


def _two_kwb_files(folder: Path, shared_data: Path) -> None:
    folder.mkdir()
    (folder / "a_kwb_2017.csv").write_bytes((shared_data / KWB_2017).read_bytes())
    (folder / "b_kwb_2019.csv").write_bytes((shared_data / KWB_2019).read_bytes())


def test_store_error_skips_that_file_only(
    store: Store, tmp_path: Path, shared_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "downloads"
    _two_kwb_files(folder, shared_data)
    real = Store.import_rows

    def refuse_2017(self: Store, rows, **kwargs):
        if rows.path.name == "a_kwb_2017.csv":
            raise RuntimeError("schijf vol")
        return real(self, rows, **kwargs)

    monkeypatch.setattr(Store, "import_rows", refuse_2017)
    report = import_folder(store, folder, workers=1)
    assert [r.file_name for r in report.imported] == ["b_kwb_2019.csv"]
    assert [s.file.name for s in report.skipped] == ["a_kwb_2017.csv"]
    assert report.skipped[0].reason.startswith(
        "onverwachte fout bij het opslaan (technisch: RuntimeError: schijf vol)"
    )
    assert report.skipped[0].error and not report.complete


def test_unreadable_file_skips_that_file_only(
    store: Store, tmp_path: Path, shared_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import veerkracht.ingest as ingest

    folder = tmp_path / "downloads"
    _two_kwb_files(folder, shared_data)
    real = ingest.file_hash

    def locked(path: Path) -> str:
        if path.name == "a_kwb_2017.csv":
            raise PermissionError(13, "Permission denied")
        return real(path)

    monkeypatch.setattr(ingest, "file_hash", locked)
    report = import_folder(store, folder, workers=1)
    assert [r.file_name for r in report.imported] == ["b_kwb_2019.csv"]
    assert [s.file.name for s in report.skipped] == ["a_kwb_2017.csv"]
    assert report.skipped[0].reason.startswith("geen toegang bij het lezen")
    assert "chmod" in report.skipped[0].reason


def test_import_folder_in_worker_processes_keeps_file_order(
    store: Store, tmp_path: Path, shared_data: Path
) -> None:
    folder = tmp_path / "downloads"
    _two_kwb_files(folder, shared_data)
    (folder / "c_kwb_2017_kopie.csv").write_bytes((shared_data / KWB_2017).read_bytes())
    report = import_folder(store, folder, workers=2)
    assert [(r.file_name, r.status) for r in report.imported] == [
        ("a_kwb_2017.csv", "geïmporteerd"),
        ("b_kwb_2019.csv", "geïmporteerd"),
        ("c_kwb_2017_kopie.csv", "al aanwezig"),
    ]


def test_corrected_shapefile_dbf_is_imported_again(
    store: Store, tmp_path: Path, shared_data: Path
) -> None:
    import shutil

    for part in (shared_data / "geometry_rotterdam").glob("TIR_Buurten_vlakken.*"):
        shutil.copy(part, tmp_path / part.name)
    shp = tmp_path / "TIR_Buurten_vlakken.shp"
    assert import_file(store, shp).status == "geïmporteerd"
    dbf = shp.with_suffix(".dbf")
    raw = dbf.read_bytes()
    assert raw.count(b"Oude Noorden") == 1
    dbf.write_bytes(raw.replace(b"Oude Noorden", b"Oude Noordan"))  # only the .dbf changes
    # before the sidecars were hashed, this was "al aanwezig" and the fix was lost; the
    # same boundaries again replace the stored ones (and say so)
    assert import_file(store, shp).status == "vervangen"
    assert "Oude Noordan" in set(store.query("SELECT name FROM regions").name)


def test_plain_file_hash_is_sha256_of_its_bytes(tmp_path: Path) -> None:
    import hashlib

    from veerkracht.sources.base import file_hash

    path = tmp_path / "a.csv"
    path.write_bytes(b"a;b\n1;2\n")
    assert file_hash(path) == hashlib.sha256(b"a;b\n1;2\n").hexdigest()


@pytest.mark.parametrize("read_only", [False, True])
def test_store_with_unknown_schema_version_is_refused(tmp_path: Path, read_only: bool) -> None:
    path = tmp_path / "nieuwer.duckdb"
    with Store(path) as st:
        st.con.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(StoreError, match=r"schemaversie '99'.*alleen schemaversie '2'") as exc:
        Store(path, read_only=read_only)
    assert "pip install --upgrade veerkracht" in (exc.value.fix or "")
    with duckdb.connect(str(path)) as con:  # the refused open left the file as it was
        assert con.execute("SELECT value FROM meta").fetchall() == [("99",)]


@pytest.mark.parametrize("read_only", [False, True])
def test_schema_1_store_is_upgraded_with_its_values(tmp_path: Path, read_only: bool) -> None:
    path = tmp_path / "oud.duckdb"
    rows = [  # region, level, edition, period, variable, value, status, dataset, import
        ("BU03630001", "buurt", 2019, 2019, "kwb.a_inw", 120.0, "ok", "cbs_kwb", 1),
        ("BU03630000", "buurt", 2019, 2019, "kwb.a_inw", None, "geheim", "cbs_kwb", 1),
        ("GM0363", "gemeente", 2019, 2019, "kwb.p_huurw", 55.5, "ok", "cbs_kwb", 1),
        ("1011", "pc4", 2018, 2018, "lbm.score", None, "leeg", "lbm_pc4", 2),
    ]
    with duckdb.connect(str(path)) as con:  # a store as veerkracht with schema 1 wrote it
        con.execute((Path(__file__).parent / "schema_v1.sql").read_text())
        con.execute("INSERT INTO meta VALUES ('schema_version', '1')")
        for import_id, key in ((1, "cbs_kwb"), (2, "lbm_pc4")):
            con.execute(
                "INSERT INTO imports (import_id, dataset_key, publisher, reader, file_name, "
                "file_hash, imported_at) VALUES (?, ?, 'CBS', 'test', 'f', ?, now())",
                [import_id, key, f"hash{import_id}"],
            )
        con.executemany('INSERT INTO "values" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)', rows)
    with Store(path, read_only=read_only) as st:
        got = st.values()
        tables = set(st.query("SELECT table_name FROM duckdb_tables()").table_name)
        version = st.query("SELECT value FROM meta WHERE key = 'schema_version'").value[0]
    as_rows = [tuple(None if pd.isna(x) else x for x in r) for r in got.itertuples(index=False)]
    assert as_rows == rows
    assert version == "2"
    assert "value_rows" in tables and "values" not in tables


def test_schema_1_store_that_cannot_be_written_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "oud.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute((Path(__file__).parent / "schema_v1.sql").read_text())
        con.execute("INSERT INTO meta VALUES ('schema_version', '1')")
    # another read-only user of the file in this process blocks the writable upgrade
    with duckdb.connect(str(path), read_only=True) as reader:
        with pytest.raises(StoreError, match="kon niet worden bijgewerkt") as exc:
            Store(path, read_only=True)
        assert "--store PAD" in (exc.value.fix or "")
        assert reader.execute("SELECT value FROM meta").fetchall() == [("1",)]


def test_values_for_given_region_codes_keep_stored_order(store: Store, shared_data: Path) -> None:
    import_file(store, shared_data / KWB_2017)
    full = store.values(level="buurt")
    codes = ["BU03630001", "BU03630000"]
    part = store.values(level="buurt", region_codes=codes)
    expected = full[full.region_code.isin(codes)].reset_index(drop=True)
    pd.testing.assert_frame_equal(part, expected)
    assert set(part.region_code) == set(codes)
    assert store.values(level="buurt", region_codes=[]).empty


def test_suppressed_values_are_stored_as_null_not_nan(store: Store, shared_data: Path) -> None:
    """SQL over the store (sums, casts, IS NULL) must see a missing value as NULL."""
    import_file(store, shared_data / KWB_2017)
    row = store.query(
        """SELECT count(*) FILTER (WHERE status = 'geheim') AS geheim,
                  count(*) FILTER (WHERE status = 'geheim' AND value IS NULL) AS null_geheim,
                  count(*) FILTER (WHERE isnan(value)) AS nan
           FROM "values" """
    ).iloc[0]
    assert row.geheim > 1000  # Amsterdam 2017 has 1,716 suppressed cells
    assert row.null_geheim == row.geheim
    assert row.nan == 0


def test_rolled_back_keys_are_not_reused_by_another_store_on_the_same_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A's failed import added key ids that B may then use for other keys."""
    path = tmp_path / "gedeeld.duckdb"

    with Store(path) as a, Store(path) as b:
        a.import_table(_one_value("BU00010001", "v.a", 1.0), file_hash="a1", reader="test")

        def disk_full(self: Store, rows, import_id: int) -> int:
            raise OSError("schijf vol")

        monkeypatch.setattr(Store, "_write_geometries", disk_full)
        with pytest.raises(OSError):
            a.import_table(_one_value("BU00010002", "v.x", 2.0), file_hash="a2", reader="test")
        monkeypatch.undo()
        b.import_table(_one_value("BU00010003", "v.y", 3.0), file_hash="b1", reader="test")
        a.import_table(_one_value("BU00010002", "v.x", 2.0), file_hash="a2", reader="test")
        got = a.values()[["region_code", "variable", "value"]].values.tolist()
    assert sorted(got) == [
        ["BU00010001", "v.a", 1.0],
        ["BU00010002", "v.x", 2.0],
        ["BU00010003", "v.y", 3.0],
    ]


def test_newer_file_replaces_a_region_whatever_level_the_old_file_gave(store: Store) -> None:
    older = _one_value("BU00010001", "v.a", 1.0, level="onbekend")
    store.import_table(older, file_hash="h1", reader="test")
    newer = _one_value("BU00010001", "v.a", 2.0, name="nieuwer")
    result = store.import_table(newer, file_hash="h2", reader="test")
    assert result.status == "vervangen"
    assert store.values()[["level", "value"]].values.tolist() == [["buurt", 2.0]]


def test_parallel_import_stores_exactly_what_a_sequential_import_stores(
    tmp_path: Path, shared_data: Path
) -> None:
    """Worker processes make the rows, the parent writes them: the store must not notice."""
    folder = tmp_path / "downloads"
    folder.mkdir()
    for name in ("cbs_kwb_amsterdam", "geometry_amsterdam", "leefbaarometer_2_0"):
        for path in (shared_data / name).iterdir():
            (folder / f"{name}__{path.name}").write_bytes(path.read_bytes())
    contents = []
    for workers in (1, 2):
        with Store(tmp_path / f"store_{workers}.duckdb") as st:
            report = import_folder(st, folder, workers=workers)
            contents.append(
                (
                    [(r.file_name, r.status, r.n_values, r.n_geometries) for r in report.imported],
                    [(s.file.name, s.reason) for s in report.skipped],
                    st.values().drop(columns="import_id"),
                    st.query("SELECT * EXCLUDE (import_id) FROM regions ORDER BY ALL"),
                    st.query("SELECT * EXCLUDE (import_id) FROM geometries ORDER BY ALL"),
                    st.query("SELECT * EXCLUDE (import_id) FROM crosswalks ORDER BY ALL"),
                )
            )
    sequential, parallel = contents
    assert parallel[:2] == sequential[:2]
    assert len(sequential[2]) > 100_000  # KWB, LBM and geometry files all went in
    for got, expected in zip(parallel[2:], sequential[2:], strict=True):
        pd.testing.assert_frame_equal(got, expected)


def test_new_keys_get_ids_after_the_highest_in_sorted_order(store: Store) -> None:
    """Key ids are handed out in SQL (no Python cache): known keys keep their id, new ones
    follow the highest id in sorted (code, level) order, whatever order the file has."""
    frame = pd.DataFrame(
        {
            "region_code": ["BU00010005", "GM0001", "BU00010002", "BU00010005"],
            "level": ["buurt", "gemeente", "buurt", "buurt"],
            "edition": 2020, "period": 2020,
            "variable": ["v.b", "v.b", "v.a", "v.a"],
            "value": [1.0, 2.0, 3.0, 4.0], "status": "ok",
        }
    )  # fmt: skip
    first = SourceTable(DatasetInfo(key="eigen", publisher="t", title="t"), Path("a.csv"), frame)
    store.import_table(first, file_hash="k1", reader="test")
    second = _one_value("BU00010001", "v.a", 5.0)  # sorts before every stored code
    store.import_table(second, file_hash="k2", reader="test")
    ids = store.con.execute(
        "SELECT region_code, level, region_id FROM region_keys ORDER BY region_id"
    ).fetchall()
    assert [(c, lv) for c, lv, _ in ids] == [
        ("BU00010002", "buurt"), ("BU00010005", "buurt"), ("GM0001", "gemeente"),
        ("BU00010001", "buurt"),
    ]  # fmt: skip
    assert [i for *_, i in ids] == list(range(ids[0][2], ids[0][2] + 4))
    variables = store.con.execute(
        "SELECT variable FROM variable_keys ORDER BY variable_id"
    ).fetchall()
    assert [v for (v,) in variables] == ["v.a", "v.b"]
    got = store.values()[["region_code", "variable", "value"]].values.tolist()
    assert sorted(got) == [
        ["BU00010001", "v.a", 5.0], ["BU00010002", "v.a", 3.0], ["BU00010005", "v.a", 4.0],
        ["BU00010005", "v.b", 1.0], ["GM0001", "v.b", 2.0],
    ]  # fmt: skip

"""The store keeps derived data honest: stale translations go, names are not erased."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from veerkracht.sources.base import DatasetInfo, SourceTable
from veerkracht.store import Store

KWB = DatasetInfo(key="cbs_kwb", publisher="CBS", title="Kerncijfers wijken en buurten")


def _table(value: float, *, name: str | None, code: str = "BU99990001") -> SourceTable:
    values = pd.DataFrame(
        {
            "region_code": [code],
            "level": ["buurt"],
            "edition": [2019],
            "period": [2019],
            "variable": ["kwb.a_inw"],
            "value": [value],
            "status": ["ok"],
        }
    )
    regions = pd.DataFrame(
        {
            "region_code": [code],
            "level": ["buurt"],
            "edition": [2019],
            "name": [name],
            "gemeente_code": ["GM9999"],
        }
    )
    return SourceTable(dataset=KWB, path=Path("kwb.csv"), values=values, regions=regions)


def _fake_translation(store: Store) -> None:
    store.con.execute(
        """INSERT INTO translated_values VALUES ('BU99990001', 'buurt', 2022, 2019, 2019,
           'kwb.a_inw', 100, 'ok', 'identiek', 0, 0, 'cbs_kwb')"""
    )
    store.con.execute(
        """INSERT INTO translation_errors VALUES ('GM9999', 'kwb.a_inw', 2019, 2019, 2022,
           'identiek', 100, 100, 0, 1, 0, now())"""
    )


def test_new_values_drop_stale_translations_of_that_gemeente(store: Store) -> None:
    store.import_table(_table(100, name="Buurt A"), file_hash="a", reader="test")
    _fake_translation(store)
    store.con.execute(
        """INSERT INTO translation_errors VALUES ('GM8888', 'kwb.a_inw', 2019, 2019, 2022,
           'identiek', 1, 1, 0, 1, 0, now())"""
    )
    store.import_table(_table(99, name="Buurt A"), file_hash="b", reader="test")
    assert store.query("SELECT count(*) AS n FROM translated_values").n.iloc[0] == 0
    left = store.query("SELECT gemeente_code FROM translation_errors").gemeente_code.tolist()
    assert left == ["GM8888"]  # other gemeenten keep their translation


def test_a_file_without_names_keeps_the_names_it_does_not_have(store: Store) -> None:
    store.import_table(_table(100, name="Kop Zeedijk"), file_hash="a", reader="test")
    store.import_table(_table(100, name=None), file_hash="b", reader="test")
    names = store.query("SELECT name FROM regions WHERE region_code = 'BU99990001'").name
    assert names.tolist() == ["Kop Zeedijk"]


def test_replacement_ignores_the_edition_a_reader_stamped(store: Store) -> None:
    first = _table(100, name="A")
    store.import_table(first, file_hash="a", reader="test")
    second = _table(101, name="A")
    second.values["edition"] = 2020  # a re-download stamped with a later edition
    store.import_table(second, file_hash="b", reader="test")
    rows = store.query(
        """SELECT value FROM "values" WHERE region_code = 'BU99990001' AND period = 2019"""
    )
    assert rows.value.tolist() == [101.0]

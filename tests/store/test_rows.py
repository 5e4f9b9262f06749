"""A SourceTable as the store's rows (made in worker processes, no database)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from veerkracht.store._rows import value_rows


def test_value_rows_factorise_keys_and_skip_unused_categories() -> None:
    values = pd.DataFrame(
        {
            # a categorical with an unused category, and one code on two levels
            "region_code": pd.Categorical(
                ["GM0363", "BU03630000", "BU03630000", "GM0363"],
                categories=["BU03630000", "GM0363", "WK036300"],
            ),
            "level": ["gemeente", "buurt", "buurt", "wijk"],
            "edition": [2022, 2022, 2022, 2022],
            "period": [2021, 2021, 2022, 2022],
            "variable": pd.Categorical(
                ["kwb.a_inw", "kwb.a_inw", "kwb.p_huurw", "kwb.a_inw"],
                categories=["kwb.a_inw", "kwb.nooit", "kwb.p_huurw"],
            ),
            "value": [1.0, None, 3.5, 4.0],
            "status": ["ok", "geheim", "ok", "leeg"],
        }
    )
    rows = value_rows(values)
    keys = [rows.region_keys[i] for i in rows.region_index]
    assert keys == [
        ("GM0363", "gemeente"),
        ("BU03630000", "buurt"),
        ("BU03630000", "buurt"),
        ("GM0363", "wijk"),
    ]
    assert sorted(rows.region_keys) == sorted(set(keys))  # no WK036300: it has no rows
    assert rows.variables == ["kwb.a_inw", "kwb.p_huurw"]  # no kwb.nooit
    assert [rows.variables[i] for i in rows.variable_index] == list(values["variable"])
    assert rows.status.tolist() == [0, 1, 0, 2]
    assert np.isnan(rows.value[1]) and rows.value[3] == 4.0
    assert rows.period.tolist() == [2021, 2021, 2022, 2022]


def test_status_codes_from_text_and_from_the_readers_categorical_agree() -> None:
    from veerkracht.sources._tabular import STATUSES
    from veerkracht.store._rows import status_codes

    text = pd.Series(["leeg", "ok", "geheim", "ok"])
    categorical = text.astype(pd.CategoricalDtype(STATUSES))
    assert status_codes(text).tolist() == status_codes(categorical).tolist() == [2, 0, 1, 0]

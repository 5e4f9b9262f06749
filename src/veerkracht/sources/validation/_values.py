"""Helpers for the rules that look at a file's values (``StoreRows.values``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from veerkracht.numbers import shortest
from veerkracht.sources.validation._core import Finding

if TYPE_CHECKING:
    from veerkracht.store._rows import StoreRows, ValueRows


def kind_mask(rows: StoreRows, kind: str) -> np.ndarray | None:
    """Per value row: is its variable of ``kind``? None when no variable is."""
    values = rows.values
    if values is None or not len(values):
        return None
    kinds = {v.key: v.kind for v in rows.variables}
    of_kind = np.array([kinds.get(v) == kind for v in values.variables], dtype=bool)
    if not of_kind.any():
        return None
    return of_kind[values.variable_index]


def describe(values: ValueRows, where: np.ndarray, limit: int = 5) -> list[str]:
    """'BU03630101 kwb.p_wcorpw 2019 = 180' for the first rows in ``where``."""
    out = []
    for i in np.flatnonzero(where)[:limit]:
        code, _ = values.region_keys[values.region_index[i]]
        variable = values.variables[values.variable_index[i]]
        out.append(f"{code} {variable} {values.period[i]} = {_number(values.value[i])}")
    return out


def _number(x: float) -> str:
    return "leeg" if np.isnan(x) else shortest(x)


def variables_in(values: ValueRows, where: np.ndarray) -> list[str]:
    used = np.unique(values.variable_index[where])
    return [values.variables[i] for i in used]


def out_of_range(
    rows: StoreRows, kind: str, low: float, high: float, code: str, what: str, fix: str
) -> list:
    """One finding for the values of variables of ``kind`` outside [low, high], or none."""
    mask = kind_mask(rows, kind)
    values = rows.values
    if mask is None or values is None:
        return []
    with np.errstate(invalid="ignore"):
        bad = mask & ((values.value < low) | (values.value > high))
    if not bad.any():
        return []
    return [
        Finding(
            code,
            f"{int(bad.sum())} {what}: {'; '.join(describe(values, bad))}",
            fix,
            column=", ".join(variables_in(values, bad)[:5]),
        )
    ]

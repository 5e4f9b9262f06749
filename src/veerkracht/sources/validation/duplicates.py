"""VK202: the same region twice in one file, with different values.

Both rows used to be stored and averaged downstream (a corporation share of 3 % became
51 %). Exact repeats are harmless and left to the store; conflicting ones refuse the file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from veerkracht.numbers import shortest
from veerkracht.sources.validation._core import ContentContext, Finding, Rule

if TYPE_CHECKING:
    from veerkracht.store._rows import StoreRows, ValueRows

CODE = "VK202"


def _keys(values: ValueRows) -> np.ndarray:
    """One int64 per (region, variable, period, edition)."""
    key = values.region_index.astype(np.int64) * max(len(values.variables), 1)
    key += values.variable_index
    for part in (values.period, values.edition):
        low, high = int(part.min()), int(part.max())
        if low != high:
            key = key * (high - low + 1) + (part.astype(np.int64) - low)
    return key


def conflicting(values: ValueRows) -> np.ndarray:
    """Rows whose key repeats with another value or status (mask)."""
    key = _keys(values)
    if int(key.max()) < max(4 * len(key), 1_000_000):  # usual: a count per key, O(n)
        repeated = (np.bincount(key) > 1)[key]  # a bool per key: no third int64 array
    else:
        _, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
        repeated = counts[inverse] > 1
    if not repeated.any():
        return repeated
    idx = np.flatnonzero(repeated)
    sub_key, sub_value = key[idx], np.nan_to_num(values.value[idx], nan=np.inf)
    sub_status = values.status[idx]
    order = np.lexsort((sub_key,))
    k, v, s = sub_key[order], sub_value[order], sub_status[order]
    first = np.ones(len(k), dtype=bool)
    first[1:] = k[1:] != k[:-1]
    group = np.cumsum(first) - 1
    lo_v = np.minimum.reduceat(v, np.flatnonzero(first))
    hi_v = np.maximum.reduceat(v, np.flatnonzero(first))
    lo_s = np.minimum.reduceat(s, np.flatnonzero(first))
    hi_s = np.maximum.reduceat(s, np.flatnonzero(first))
    bad_group = (lo_v != hi_v) | (lo_s != hi_s)
    out = np.zeros(len(key), dtype=bool)
    out[idx[order[bad_group[group]]]] = True
    return out


def check(rows: StoreRows, ctx: ContentContext) -> list[Finding]:
    values = rows.values
    if values is None or not len(values):
        return []
    bad = conflicting(values)
    if not bad.any():
        return []
    codes = sorted({values.region_keys[i][0] for i in values.region_index[bad]})
    variables = sorted({values.variables[i] for i in values.variable_index[bad]})
    shown = []
    for code in codes[:3]:
        mine = bad & (
            values.region_index == next(i for i, k in enumerate(values.region_keys) if k[0] == code)
        )
        first_var = values.variable_index[mine][0]
        vals = values.value[mine & (values.variable_index == first_var)]
        numbers = " en ".join(shortest(x) for x in vals[:4])
        shown.append(f"{code} ({values.variables[first_var]}: {numbers})")
    more = f" en {len(codes) - 3} andere" if len(codes) > 3 else ""
    return [
        Finding(
            CODE,
            f"{len(codes)} regiocode(s) komen meer dan eens voor met verschillende waarden: "
            f"{'; '.join(shown)}{more}",
            "Houd per regiocode één rij over (is het bestand twee keer samengevoegd, of "
            "staan er twee jaren in?).",
            column=variables[0] if len(variables) == 1 else None,
        )
    ]


RULE = Rule(CODE, "inhoud", "dezelfde regiocode twee keer met verschillende waarden", check)

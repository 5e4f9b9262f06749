"""VK204: a count (kind 'aantal') below zero."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from veerkracht.sources.validation._core import ContentContext, Finding, Rule
from veerkracht.sources.validation._values import describe, kind_mask, variables_in

if TYPE_CHECKING:
    from veerkracht.store._rows import StoreRows

CODE = "VK204"


def check(rows: StoreRows, ctx: ContentContext) -> list[Finding]:
    mask = kind_mask(rows, "aantal")
    if mask is None:
        return []
    values = rows.values
    assert values is not None
    with np.errstate(invalid="ignore"):
        bad = mask & (values.value < 0)
    if not bad.any():
        return []
    variables = variables_in(values, bad)
    return [
        Finding(
            CODE,
            f"{int(bad.sum())} negatie(f/ve) aantal(len): {'; '.join(describe(values, bad))}",
            "Een aantal is nooit negatief; verbeter of leeg de cellen (CBS schrijft '.' "
            "voor geheim, niet -99999999).",
            column=", ".join(variables[:5]),
        )
    ]


RULE = Rule(CODE, "inhoud", "aantal onder nul", check)

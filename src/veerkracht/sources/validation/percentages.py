"""VK203: a percentage outside 0-100 (a rounding margin of ``TOLERANCE`` is allowed)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from veerkracht.sources.validation._core import ContentContext, Finding, Rule
from veerkracht.sources.validation._values import describe, kind_mask, variables_in

if TYPE_CHECKING:
    from veerkracht.store._rows import StoreRows

CODE = "VK203"
#: published percentages are rounded; 100.4 % is a rounding, 180 % an error
TOLERANCE = 0.5


def check(rows: StoreRows, ctx: ContentContext) -> list[Finding]:
    mask = kind_mask(rows, "percentage")
    if mask is None:
        return []
    values = rows.values
    assert values is not None
    with np.errstate(invalid="ignore"):
        bad = mask & ((values.value < -TOLERANCE) | (values.value > 100 + TOLERANCE))
    if not bad.any():
        return []
    variables = variables_in(values, bad)
    return [
        Finding(
            CODE,
            f"{int(bad.sum())} percentage(s) buiten 0-100: {'; '.join(describe(values, bad))}",
            "Een percentage ligt tussen 0 en 100; controleer de kolom (staat er een aantal "
            "of een fractie in?) en verbeter of leeg de cellen.",
            column=", ".join(variables[:5]),
        )
    ]


RULE = Rule(CODE, "inhoud", "percentage buiten 0-100", check)

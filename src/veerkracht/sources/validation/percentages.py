"""VK203: a percentage outside 0-100 (a rounding margin of ``TOLERANCE`` is allowed)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from veerkracht.sources.validation._core import ContentContext, Finding, Rule
from veerkracht.sources.validation._values import out_of_range

if TYPE_CHECKING:
    from veerkracht.store._rows import StoreRows

CODE = "VK203"
#: published percentages are rounded; 100.4 % is a rounding, 180 % an error
TOLERANCE = 0.5


def check(rows: StoreRows, ctx: ContentContext) -> list[Finding]:
    return out_of_range(
        rows,
        "percentage",
        -TOLERANCE,
        100 + TOLERANCE,
        CODE,
        "percentage(s) buiten 0-100",
        "Een percentage ligt tussen 0 en 100; controleer de kolom (staat er een aantal "
        "of een fractie in?) en verbeter of leeg de cellen.",
    )


RULE = Rule(CODE, "inhoud", "percentage buiten 0-100", check)

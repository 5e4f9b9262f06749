"""VK204: a count (kind 'aantal') below zero."""

from __future__ import annotations

from typing import TYPE_CHECKING

from veerkracht.sources.validation._core import ContentContext, Finding, Rule
from veerkracht.sources.validation._values import out_of_range

if TYPE_CHECKING:
    from veerkracht.store._rows import StoreRows

CODE = "VK204"


def check(rows: StoreRows, ctx: ContentContext) -> list[Finding]:
    return out_of_range(
        rows,
        "aantal",
        0.0,
        float("inf"),
        CODE,
        "negatie(f/ve) aantal(len)",
        "Een aantal is nooit negatief; verbeter of leeg de cellen (CBS schrijft '.' "
        "voor geheim, niet -99999999).",
    )


RULE = Rule(CODE, "inhoud", "aantal onder nul", check)

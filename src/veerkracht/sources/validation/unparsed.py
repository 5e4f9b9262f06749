"""VK201: cells in a number column that are not a number, not empty and not '.'.

The parser used to count such text as an empty cell: a value that was there is lost
without a word. Now the file is refused with the column, rows and examples.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from veerkracht.sources.validation._core import ContentContext, Finding, Rule

if TYPE_CHECKING:
    from veerkracht.store._rows import StoreRows

CODE = "VK201"


def check(rows: StoreRows, ctx: ContentContext) -> list[Finding]:
    findings = []
    for u in ctx.unparsed:
        examples = ", ".join(repr(e) for e in u.examples[:3])
        findings.append(
            Finding(
                CODE,
                f"{u.count} cel(len) zijn geen getal ({examples})",
                "Een getal schrijft u als 12 of 12,5; '.' betekent geheim en een lege cel "
                "onbekend. Verbeter of leeg deze cellen.",
                column=u.column,
                rows=u.rows,
            )
        )
    return findings


RULE = Rule(CODE, "inhoud", "cellen in een getalkolom die geen getal zijn", check)

"""VK103: a delimited text file with a line, a header or a row count over the limits.

A CSV with one 50 MB line (or none at all) made the readers hold gigabytes; one
streaming pass finds the longest line before a reader loads anything.
"""

from __future__ import annotations

from veerkracht.numbers import count
from veerkracht.sources.validation._core import FileFacts, Finding, Rule

CODE = "VK103"


def check(facts: FileFacts) -> list[Finding]:
    if not facts.is_delimited:
        return []
    limits, scan = facts.limits, facts.text
    if scan.longest > limits.max_line_bytes:
        return [
            Finding(
                CODE,
                f"regel {count(scan.longest_line)} is {count(scan.longest // 1024)} kB lang "
                f"(of langer), meer dan de grens van {count(limits.max_line_bytes // 1024)} kB; "
                "is dit wel een CSV met een regel per gebied?",
                "Controleer de regeleinden en aanhalingstekens van het bestand; verhoog zo "
                "nodig de grens met VEERKRACHT_LIMIET_MAX_LINE_BYTES.",
                rows=[scan.longest_line],
            )
        ]
    if scan.n_lines > limits.max_rows:
        return [too_many_rows(limits.max_rows)]
    header = scan.first_line
    n_columns = max(header.count(sep) for sep in (b";", b",", b"\t")) + 1
    if n_columns > limits.max_columns:
        return [
            Finding(
                CODE,
                f"de kop heeft {count(n_columns)} kolommen, meer dan de grens van "
                f"{count(limits.max_columns)}",
                "Controleer het scheidingsteken; verhoog zo nodig de grens met "
                "VEERKRACHT_LIMIET_MAX_COLUMNS.",
                rows=[1],
            )
        ]
    return []


def too_many_rows(limit: int, what: str = "regels") -> Finding:
    """The finding for a file with more than ``limit`` rows (``what``: regels, objecten);
    also used by the readers that count rows while they read (CSV blocks, geometry)."""
    return Finding(
        CODE,
        f"meer dan {count(limit)} {what}, de grens voor één bestand",
        "Splits het bestand (bijv. per jaar of per gemeente) of verhoog de grens met "
        "VEERKRACHT_LIMIET_MAX_ROWS.",
    )


RULE = Rule(
    CODE,
    "bestand",
    "tekstbestand met te lange regel, te veel regels of kolommen "
    "(max_line_bytes, max_rows, max_columns)",
    check,
)

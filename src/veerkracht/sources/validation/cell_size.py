"""VK106: a cell of a delimited text file larger than ``Limits.max_cell_bytes``.

Applied inside the CSV reader (``sources._tabular.read_delimited``) while it parses the
file block by block: a line may be long (many columns), but no real cell is more than a
WKT polygon of some kilobytes. A 50 MB name or value is refused before it is stored.
"""

from __future__ import annotations

from pathlib import Path

from veerkracht.numbers import count
from veerkracht.sources.validation._core import Finding, Rule, refuse

CODE = "VK106"


def refuse_cell(path: Path, column: str, row: int, size: int, limit: int) -> None:
    """Refuse the file: ``column`` holds a cell of ``size`` bytes on (about) line ``row``."""
    refuse(
        path,
        [
            Finding(
                CODE,
                f"een cel in kolom '{column[:80]}' is {count(size // 1024)} kB, meer dan de grens "
                f"van {count(limit // 1024)} kB",
                "Controleer aanhalingstekens en scheidingstekens rond die regel (een vergeten "
                "aanhalingsteken plakt regels aan elkaar); verhoog zo nodig de grens met "
                "VEERKRACHT_LIMIET_MAX_CELL_BYTES.",
                column=column,
                rows=[row],
            )
        ],
    )


RULE = Rule(CODE, "lezer", "cel in een CSV groter dan de grens (max_cell_bytes)", None)

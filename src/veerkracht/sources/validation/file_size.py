"""VK101: a file larger than ``Limits.max_file_bytes`` is not read at all."""

from __future__ import annotations

from veerkracht.sources.validation._core import FileFacts, Finding, Rule

CODE = "VK101"


def _mb(n: float) -> str:
    from veerkracht.numbers import count

    return f"{count(round(n / 1024**2))} MB"


def check(facts: FileFacts) -> list[Finding]:
    limit = facts.limits.max_file_bytes
    if facts.size <= limit:
        return []
    return [
        Finding(
            CODE,
            f"het bestand is {_mb(facts.size)}, meer dan de grens van {_mb(limit)}",
            "Splits het bestand (bijv. per gemeente) of verhoog de grens met "
            "VEERKRACHT_LIMIET_MAX_FILE_BYTES.",
        )
    ]


RULE = Rule(CODE, "bestand", "bestand groter dan de grens (max_file_bytes)", check)

"""VK101: a file larger than ``Limits.max_file_bytes`` (text: ``max_text_bytes``; JSON,
which is parsed whole: ``max_json_bytes``) is not read at all."""

from __future__ import annotations

from veerkracht.numbers import count
from veerkracht.sources.validation._core import FileFacts, Finding, Rule

CODE = "VK101"


def _mb(n: float) -> str:
    return f"{count(round(n / 1024**2))} MB"


def check(facts: FileFacts) -> list[Finding]:
    text = facts.is_text
    limit = facts.limits.max_text_bytes if text else facts.limits.max_file_bytes
    name = "MAX_TEXT_BYTES" if text else "MAX_FILE_BYTES"
    if text and facts.suffix == ".json" and facts.limits.max_json_bytes < limit:
        limit, name = facts.limits.max_json_bytes, "MAX_JSON_BYTES"
    if facts.size <= limit:
        return []
    return [
        Finding(
            CODE,
            f"het bestand is {_mb(facts.size)}, meer dan de grens van {_mb(limit)}",
            "Splits het bestand (bijv. per gemeente) of verhoog de grens met "
            f"VEERKRACHT_LIMIET_{name}.",
        )
    ]


RULE = Rule(
    CODE,
    "bestand",
    "bestand groter dan de grens (max_file_bytes, max_text_bytes, max_json_bytes)",
    check,
)

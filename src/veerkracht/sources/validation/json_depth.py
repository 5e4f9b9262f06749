"""VK105: a JSON file nested deeper than any real source.

Python's JSON parser recurses once per level: a file of 200 000 opening brackets
ended in a RecursionError after the reader had loaded it whole. One streaming pass
counts the depth (outside strings) before a reader parses anything.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from veerkracht.numbers import count
from veerkracht.sources.validation._core import FileFacts, Finding, Rule

CODE = "VK105"
_CHUNK = 4 * 1024**2
_OPEN = np.frombuffer(b"[{", dtype=np.uint8)
_CLOSE = np.frombuffer(b"]}", dtype=np.uint8)
_QUOTE = ord('"')


def max_depth(path: Path, stop_above: int) -> int:
    """The deepest nesting of brackets outside strings; stops early above ``stop_above``."""
    depth, deepest, in_string, carry = 0, 0, False, b""
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            chunk = carry + chunk
            # a backslash at the end may escape the first byte of the next chunk
            trailing = len(chunk) - len(chunk.rstrip(b"\\"))
            carry = b"\\" if trailing % 2 else b""
            if carry:
                chunk = chunk[:-1]
            # escaped backslashes and quotes never open or close a string
            arr = np.frombuffer(chunk.replace(b"\\\\", b"").replace(b'\\"', b""), np.uint8)
            quotes = np.cumsum(arr == _QUOTE) + int(in_string)
            outside = quotes % 2 == 0
            step = np.isin(arr, _OPEN).astype(np.int64) - np.isin(arr, _CLOSE)
            step[~outside] = 0
            if arr.size:
                levels = depth + np.cumsum(step)
                deepest = max(deepest, int(levels.max()))
                depth, in_string = int(levels[-1]), not bool(outside[-1])
            if deepest > stop_above:
                break
    return deepest


def check(facts: FileFacts) -> list[Finding]:
    if facts.suffix not in {".json", ".geojson"} or not facts.is_text:
        return []
    limit = facts.limits.max_json_depth
    depth = max_depth(facts.path, limit)
    if depth <= limit:
        return []

    return [
        Finding(
            CODE,
            f"de JSON is meer dan {count(limit)} niveaus diep genest; geen bron die "
            "veerkracht kent gaat dieper dan 8",
            "Controleer of dit het juiste bestand is (een export van de bron, geen "
            "bewerkte of kapotte kopie); verhoog zo nodig de grens met "
            "VEERKRACHT_LIMIET_MAX_JSON_DEPTH.",
        )
    ]


RULE = Rule(CODE, "bestand", "JSON dieper genest dan de grens (max_json_depth)", check)

"""VK104: a UTF-8 file with bytes that are not UTF-8.

Read as cp1252 instead, every accented name in it would be garbled ("BelgiÃ«plein"):
one bad byte must refuse the file, not silently change all its names. A file with no
valid UTF-8 character at all is a genuine cp1252 (Excel) file and stays accepted.
"""

from __future__ import annotations

from veerkracht.sources.validation._core import FileFacts, Finding, Rule

CODE = "VK104"


def check(facts: FileFacts) -> list[Finding]:
    if not facts.is_text:
        return []
    scan = facts.text
    if scan.has_nul or scan.bad_offset is None or scan.utf8_chars == 0:
        return []
    context = scan.bad_context.decode("utf-8", errors="replace").replace("\n", " ").strip()
    return [
        Finding(
            CODE,
            f"gemengde tekencodering: het bestand is UTF-8 ({scan.utf8_chars} tekens met "
            f"accent e.d.), maar byte {scan.bad_offset} op regel {scan.bad_line} is geen "
            f"geldige UTF-8 (bij '{context}'); als cp1252 gelezen zouden alle namen met "
            "accenten verminkt raken",
            "Herstel het teken op die regel of sla het bestand opnieuw op als UTF-8 "
            "(in Excel: 'CSV UTF-8 (door komma's gescheiden)').",
            rows=[scan.bad_line] if scan.bad_line else [],
        )
    ]


RULE = Rule(CODE, "bestand", "UTF-8-bestand met ongeldige bytes (gemengde codering)", check)

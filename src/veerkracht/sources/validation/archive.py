"""VK102: a zip archive (xlsx is one) that unpacks to too much: a zip bomb.

Only the sizes the archive declares are read; Python's zipfile (which openpyxl uses)
never unpacks more than a member declares, so the declared sizes bound the work.
"""

from __future__ import annotations

from veerkracht.numbers import count
from veerkracht.sources.validation._core import FileFacts, Finding, Rule

CODE = "VK102"
#: members smaller than this may compress very well without harm (empty sheets)
_SMALL = 1024**2


def check(facts: FileFacts) -> list[Finding]:
    if not facts.is_zip:
        return []
    limits = facts.limits
    members = facts.archive
    if isinstance(members, str):
        return [
            Finding(
                CODE,
                f"geen geldig zip-archief ({facts.suffix or 'zip'}): {members}",
                "Download het bestand opnieuw; een xlsx moet in Excel of LibreOffice opengaan.",
            )
        ]
    if len(members) > limits.max_archive_members:
        return [
            Finding(
                CODE,
                f"het archief bevat {count(len(members))} bestanden, meer dan de grens van "
                f"{count(limits.max_archive_members)}",
                "Pak het archief uit en importeer alleen de databestanden.",
            )
        ]
    total = sum(m.file_size for m in members)
    if total > limits.max_unpacked_bytes:
        return [
            Finding(
                CODE,
                f"het archief pakt uit tot {count(total // 1024**2)} MB, meer dan de grens van "
                f"{count(limits.max_unpacked_bytes // 1024**2)} MB (zip-bom?)",
                "Controleer de herkomst van het bestand; verhoog zo nodig de grens met "
                "VEERKRACHT_LIMIET_MAX_UNPACKED_BYTES.",
            )
        ]
    for m in members:
        ratio = m.file_size / max(m.compress_size, 1)
        if m.file_size > _SMALL and ratio > limits.max_pack_ratio:
            return [
                Finding(
                    CODE,
                    f"'{m.filename}' in het archief pakt {ratio:.0f} keer zo groot uit als het "
                    f"ingepakt is, meer dan de grens van {limits.max_pack_ratio:.0f} (zip-bom?)",
                    "Controleer de herkomst van het bestand; verhoog zo nodig de grens met "
                    "VEERKRACHT_LIMIET_MAX_PACK_RATIO.",
                )
            ]
    return []


RULE = Rule(
    CODE,
    "bestand",
    "zip/xlsx dat te groot uitpakt of te sterk gecomprimeerd is "
    "(max_unpacked_bytes, max_pack_ratio, max_archive_members)",
    check,
)

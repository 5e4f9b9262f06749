"""VK206: a region name that is too long or holds control characters.

Names are data (Súdwest-Fryslân stays as written): this rule never changes a name, it
only refuses names no source publishes, such as a 50 MB 'buurtnaam'.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from veerkracht.sources.validation._core import ContentContext, Finding, Rule

if TYPE_CHECKING:
    from veerkracht.store._rows import StoreRows

CODE = "VK206"
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def check(rows: StoreRows, ctx: ContentContext) -> list[Finding]:
    limit = ctx.limits.max_name_chars
    findings = []
    for frame in (rows.regions, rows.geometries):
        if frame is None or "name" not in frame or frame["name"].isna().all():
            continue
        names = frame["name"].astype("string")
        lengths = names.str.len().fillna(0)
        long = lengths > limit
        if long.any():
            codes = frame.loc[long, "region_code"].astype(str).tolist()
            findings.append(
                Finding(
                    CODE,
                    f"{len(codes)} naam/namen langer dan {limit} tekens (de langste "
                    f"{int(lengths.max())}): {', '.join(codes[:5])}",
                    "Controleer de naamkolom (staat er een ander veld of een heel bestand "
                    "in?); verhoog zo nodig de grens met VEERKRACHT_LIMIET_MAX_NAME_CHARS.",
                    column="naam",
                )
            )
        control = names.str.contains(_CONTROL, regex=True).fillna(False)
        if control.any():
            codes = frame.loc[control, "region_code"].astype(str).tolist()
            findings.append(
                Finding(
                    CODE,
                    f"{len(codes)} naam/namen met stuurtekens: {', '.join(codes[:5])}",
                    "Verwijder de stuurtekens uit de naamkolom.",
                    column="naam",
                )
            )
        if findings:
            break
    return findings


RULE = Rule(CODE, "inhoud", "regionaam te lang of met stuurtekens (max_name_chars)", check)

"""VK207: a geometry with more vertices than ``Limits.max_vertices``.

Counted from the WKB size (16 bytes per 2D vertex), so no geometry is decoded again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from veerkracht.numbers import count
from veerkracht.sources.validation._core import ContentContext, Finding, Rule

if TYPE_CHECKING:
    from veerkracht.store._rows import StoreRows

CODE = "VK207"


def check(rows: StoreRows, ctx: ContentContext) -> list[Finding]:
    if rows.geometries is None:
        return []
    limit = ctx.limits.max_vertices
    sizes = np.fromiter((len(g) for g in rows.geometries["geometry"]), dtype=np.int64)
    approx = sizes // 16
    bad = approx > limit
    if not bad.any():
        return []
    codes = rows.geometries.loc[bad, "region_code"].astype(str).tolist()
    return [
        Finding(
            CODE,
            f"{len(codes)} vlak(ken) met meer dan {count(limit)} hoekpunten "
            f"(tot ongeveer {count(int(approx.max()))}): {', '.join(codes[:5])}",
            "Vereenvoudig de vlakken (bijv. QGIS 'Vereenvoudigen') of verhoog de grens met "
            "VEERKRACHT_LIMIET_MAX_VERTICES.",
            column="geometrie",
        )
    ]


RULE = Rule(CODE, "inhoud", "vlak met te veel hoekpunten (max_vertices)", check)

"""VK301: an invalid polygon whose repair changes its area.

Geometry readers repair invalid polygons with ``make_valid`` (``sources._geo.repair``).
That is right for the slivers and touching rings official files contain, where the
area stays the same; a self-intersecting polygon (a 'bow tie') comes out as a different
area, so the file is refused instead (a Utrecht buurt grew from 0.38 to 1.53 km²).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from veerkracht.numbers import km2
from veerkracht.sources.validation._core import Finding, Rule, refuse

CODE = "VK301"
#: relative area change a repair may make (rounding of slivers, spikes)
MAX_REPAIR_CHANGE = 0.01
#: ... and absolute (m²): tiny polygons may change relatively more
MIN_REPAIR_CHANGE_M2 = 10.0


def check_repair(path: Path, codes: list[str], before: np.ndarray, after: np.ndarray) -> None:
    """Refuse the file when repairing changed an area (areas in the file's units)."""
    change = np.abs(after - before)
    bad = (change > MAX_REPAIR_CHANGE * np.maximum(after, before)) & (change > MIN_REPAIR_CHANGE_M2)
    if not bad.any():
        return
    shown = [
        f"{c} ({_area(b)} → {_area(a)})"
        for c, b, a, x in zip(codes, before, after, bad, strict=True)
        if x
    ]
    refuse(
        path,
        [
            Finding(
                CODE,
                f"{len(shown)} ongeldig(e) vlak(ken) (zelfdoorsnijdend?) waarvan reparatie de "
                f"oppervlakte verandert: {', '.join(shown[:5])}",
                "Herstel de vlakken in een GIS (bijv. QGIS 'Geometrieën repareren' en daarna "
                "controleren) en importeer opnieuw.",
                column="geometrie",
            )
        ],
    )


def _area(m2: float) -> str:
    if m2 >= 1e4:
        return km2(m2)
    return f"{m2:.0f} m²"


RULE = Rule(
    CODE, "lezer", "ongeldig vlak waarvan reparatie (make_valid) de oppervlakte verandert", None
)

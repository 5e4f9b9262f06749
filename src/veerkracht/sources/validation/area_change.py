"""VK402: a boundary that replaces a stored one of the same code and edition with a
clearly different area (``Limits.max_area_change``, 10 %) or a shifted centre.

One edition's boundaries do not change; a different area means another edition, a
wrong code or a broken polygon. Needs ``--vervangen``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from veerkracht.sources.validation._core import ContentContext, Finding, Rule

if TYPE_CHECKING:
    from veerkracht.store._compare import StoredComparison
    from veerkracht.store._rows import StoreRows

CODE = "VK402"
#: metres the centre of a bounding box may move (generalised vs. detailed boundaries)
MAX_SHIFT_M = 250.0


def check(rows: StoreRows, comparison: StoredComparison, ctx: ContentContext) -> list[Finding]:
    areas = comparison.areas
    if areas is None or areas.empty:
        return []
    old, new = areas["old_area"], areas["new_area"]
    change = (new - old).abs() / old.where(old > 0)
    bad = (change > ctx.limits.max_area_change) | (areas["shift_m"] > MAX_SHIFT_M)
    if not bad.any():
        return []
    shown = [
        f"{r.region_code} {r.edition} ({r.old_area / 1e6:.2f} → {r.new_area / 1e6:.2f} km²".replace(
            ".", ","
        )
        + (f", {r.shift_m:.0f} m verschoven" if r.shift_m > MAX_SHIFT_M else "")
        + ")"
        for r in areas.loc[bad].itertuples()
    ]
    return [
        Finding(
            CODE,
            f"{len(shown)} grens/grenzen wijken sterk af van die van hetzelfde indelingsjaar in "
            f"de store: {', '.join(shown[:5])}",
            "Controleer indelingsjaar en geometrie (zelfdoorsnijdend vlak?); is de nieuwe grens "
            "juist, importeer dan opnieuw met --vervangen.",
            column="geometrie",
            confirmable=True,
        )
    ]


RULE = Rule(CODE, "store", "grens wijkt sterk af van de opgeslagen grens (max_area_change)", check)

"""VK205: a period or boundary edition that cannot be a real year (``jaar = 3000``).

Also used for ``jaar`` in veerkracht.toml (:func:`check_manifest_year`), so a bad
manifest entry gets a Dutch message instead of a Python ValueError.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from veerkracht.sources.validation._core import ContentContext, Finding, Rule

if TYPE_CHECKING:
    from veerkracht.store._rows import StoreRows

CODE = "VK205"
#: the earliest year any supported source publishes (Leefbaarometer 2.0 goes back to 1998)
FIRST_YEAR = 1990


def last_year() -> int:
    """Data can describe next year at the latest (a KWB edition for next year's indeling)."""
    return date.today().year + 1


def plausible(year: int) -> bool:
    return FIRST_YEAR <= year <= last_year()


def check_manifest_year(value: object) -> str | None:
    """Why ``jaar = value`` in veerkracht.toml is not a year, or None when it is."""
    if isinstance(value, bool) or not isinstance(value, int):
        return f"jaar = {value!r} is geen jaartal [{CODE}]"
    if not plausible(value):
        return f"jaar = {value} ligt niet tussen {FIRST_YEAR} en {last_year()} [{CODE}]"
    return None


def check(rows: StoreRows, ctx: ContentContext) -> list[Finding]:
    years = set(rows.periods) | set(rows.editions)
    bad = sorted(y for y in years if not plausible(int(y)))
    if not bad:
        return []
    return [
        Finding(
            CODE,
            f"onwaarschijnlijk jaar {', '.join(map(str, bad))} (verwacht {FIRST_YEAR}-"
            f"{last_year()})",
            "Controleer de jaarkolom of 'jaar' in veerkracht.toml.",
        )
    ]


RULE = Rule(CODE, "inhoud", "periode of indelingsjaar buiten 1990 tot volgend jaar", check)

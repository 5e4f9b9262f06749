"""VK401: a file that changes more than a small share of the values already stored.

A newer file for the same dataset, period and region replaces the stored values. When
more than ``Limits.max_changed_share`` (1 %) of the values it overlaps change (and more
than ``Limits.max_changed_values``, 5), the import needs ``--vervangen``: a corrected
file does that deliberately, a wrong one (another year, a mangled column) must not do
it silently.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from veerkracht.numbers import count
from veerkracht.sources.validation._core import ContentContext, Finding, Rule

if TYPE_CHECKING:
    from veerkracht.store._compare import StoredComparison
    from veerkracht.store._rows import StoreRows

CODE = "VK401"


def check(rows: StoreRows, comparison: StoredComparison, ctx: ContentContext) -> list[Finding]:
    if not comparison.n_existing:
        return []
    share = comparison.n_changed / comparison.n_existing
    limits = ctx.limits
    if share <= limits.max_changed_share or comparison.n_changed <= limits.max_changed_values:
        return []
    return [
        Finding(
            CODE,
            f"dit bestand vervangt {count(comparison.n_changed)} van de "
            f"{count(comparison.n_existing)} waarden die al in de store staan "
            f"({share:.0%}, meer dan {ctx.limits.max_changed_share:.0%}); grootste "
            f"verschillen: {'; '.join(comparison.largest_text())}",
            "Is dit de bedoeling (een gecorrigeerde versie), importeer dan opnieuw met "
            "--vervangen; anders: controleer jaar en bron van het bestand.",
            confirmable=True,
        )
    ]


RULE = Rule(CODE, "store", "vervangt meer dan een klein deel van de opgeslagen waarden", check)

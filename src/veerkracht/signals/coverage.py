"""Which indicator groups a signal rests on, and which are missing and why.

Printed by every command and shown on every page, map legend and report: a gemeente
with only the national health monitor still gets signals, but the reader must see that
income, benefits and registered crime were not part of them.
"""

from __future__ import annotations

from dataclasses import dataclass

from veerkracht.indicators import GROUPS, catalogue
from veerkracht.signals.periods import TOLERANCE


@dataclass(frozen=True)
class IndicatorUse:
    key: str
    label: str
    group: str
    core: bool
    start: int | None
    end: int | None
    buurten: int  # buurten with an end value
    approximate: int  # of which taken from the postcode area


@dataclass(frozen=True)
class IndicatorGap:
    key: str
    label: str
    group: str
    reason: str


@dataclass(frozen=True)
class Coverage:
    used: tuple[IndicatorUse, ...]
    missing: tuple[IndicatorGap, ...]
    inhabitants_known: bool = True
    min_inhabitants: int = 200

    def lines(self) -> list[str]:
        """Dutch lines: per group, the core indicators used (years) and those missing."""
        out = []
        for group in ("kwetsbaarheid", "overlast"):
            used = [u for u in self.used if u.group == group and u.core]
            gaps = [g for g in self.missing if g.group == group]
            parts = []
            for u in used:
                years = f"{u.start}→{u.end}" if u.start else f"{u.end}"
                approx = (
                    f", benadering via postcodegebied in {u.approximate} buurten"
                    if u.approximate
                    else ""
                )
                parts.append(f"{u.label} ({years}{approx})")
            text = f"{GROUPS[group]}: " + ("; ".join(parts) if parts else "geen")
            if gaps:
                text += ". Ontbreekt: " + "; ".join(f"{g.label} ({g.reason})" for g in gaps)
            out.append(text)
        if not self.inhabitants_known:
            out.append(
                "Inwoners per buurt ontbreken (geen KWB): buurten met minder dan "
                f"{self.min_inhabitants} inwoners zijn niet te herkennen en krijgen een signaal "
                "zoals de andere."
            )
        return out


def coverage_of(result, available: dict[str, list[int]]) -> Coverage:
    """Coverage of a :class:`~veerkracht.signals.SignalResult` given the gemeente's years."""
    t = result.table
    used, missing = [], []
    for ind in catalogue():
        if ind.group not in ("kwetsbaarheid", "overlast"):
            continue
        if ind.key in result.periods:
            start, end = result.periods[ind.key]
            values = t.get(f"{ind.key}__end")
            approx = t.get(f"{ind.key}__approximation")
            n = int(values.notna().sum()) if values is not None else 0
            n_approx = (
                int((approx.fillna(False) & values.notna()).sum()) if approx is not None else 0
            )
            used.append(
                IndicatorUse(ind.key, ind.label, ind.group, ind.core, start, end, n, n_approx)
            )
        elif ind.core and any(
            i.prefer_over == ind.key and i.key in result.periods for i in catalogue()
        ):
            continue  # replaced by its successor (Leefbaarometer 3.0): not missing
        elif ind.core:
            years = available.get(ind.key, [])
            reason = (
                f"geen jaar binnen {TOLERANCE} jaar van {result.end_year} (wel: "
                f"{', '.join(map(str, years))})"
                if years
                else "niet in de store voor deze gemeente"
            )
            missing.append(IndicatorGap(ind.key, ind.label, ind.group, reason))
    people = t.get("inwoners__end")
    known = people is not None and bool(people.notna().any())
    return Coverage(tuple(used), tuple(missing), known, result.min_inhabitants)

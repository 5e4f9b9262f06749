"""Which years a signal compares: the default pair, a requested pair, and what works.

Sources publish in different years (KWB yearly, the health monitor 2012/2016/2020, the
Leefbaarometer every two years). An indicator may use the year nearest to the requested
one within :data:`TOLERANCE` years; the year used is shown beside every value.

A signal needs, at the end year, at least ``min_kwetsbaarheid`` core vulnerability
indicators and ``min_overlast`` core nuisance indicators *at buurt level* (a value
taken from a buurt's postcode area is not available at buurt level). The default
period is the most recent end year that meets this, paired with the start year that
gives the most core indicators a change (ties: the latest). When a requested period
does not meet it, the command stops and names what is missing and which periods work.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from veerkracht.errors import NoDataError, ParameterError
from veerkracht.indicators import Indicator

#: years a dataset's period may differ from the requested year
TOLERANCE = 2


@dataclass(frozen=True)
class PeriodChoice:
    start: int
    end: int
    default: bool  # True when veerkracht chose the period (no --van/--tot given)


def indicator_periods(buurt_periods: pd.DataFrame, indicators: list[Indicator]) -> dict:
    """Per indicator key: the sorted years with buurt values (a rate needs both counts)."""
    by_variable = buurt_periods.groupby("variable").period.apply(lambda s: set(map(int, s)))
    out: dict[str, list[int]] = {}
    for ind in indicators:
        sets = [by_variable.get(v, set()) for v in (ind.variable, ind.numerator) if v]
        if ind.denominator:
            sets.append(by_variable.get(ind.denominator, set()))
        years = set.intersection(*sets) if sets else set()
        if years:
            out[ind.key] = sorted(years)
    return out


def nearest(available: list[int], wanted: int, *, before: int | None = None) -> int | None:
    """The available year nearest to ``wanted`` within the tolerance (earlier than ``before``)."""
    candidates = [p for p in available if abs(p - wanted) <= TOLERANCE]
    if before is not None:
        candidates = [p for p in candidates if p < before]
    if not candidates:
        return None
    return min(candidates, key=lambda p: (abs(p - wanted), -p))


def _core(indicators: list[Indicator], group: str) -> list[Indicator]:
    return [i for i in indicators if i.core and i.group == group]


def core_at(periods: dict, indicators: list[Indicator], end: int, group: str) -> list[str]:
    """Keys of the core indicators of ``group`` with a year near ``end``."""
    return [
        i.key for i in _core(indicators, group) if nearest(periods.get(i.key, []), end) is not None
    ]


def sufficient(
    periods: dict, indicators: list[Indicator], end: int, thresholds: Mapping[str, Any]
) -> bool:
    vulnerable = core_at(periods, indicators, end, "kwetsbaarheid")
    nuisance = core_at(periods, indicators, end, "overlast")
    return (
        len(vulnerable) >= thresholds["min_vulnerability"]
        and len(nuisance) >= thresholds["min_nuisance"]
    )


def _with_change(
    periods: dict, indicators: list[Indicator], start: int, end: int
) -> tuple[int, int]:
    """Core indicators with a change for (start, end), and minus their distance from start."""
    n, distance = 0, 0
    for ind in _core(indicators, "kwetsbaarheid") + _core(indicators, "overlast"):
        years = periods.get(ind.key, [])
        p_end = nearest(years, end)
        p_start = nearest(years, start, before=p_end) if p_end is not None else None
        if p_start is not None:
            n += 1
            distance += abs(p_start - start)
    return n, -distance


def best_start(periods: dict, indicators: list[Indicator], end: int) -> int | None:
    """The start year giving the most core indicators a change.

    Ties go to the year closest to the years actually used, then to the latest.
    """
    years = sorted({p for key in periods for p in periods[key] if p < end}, reverse=True)
    scored = [(y, _with_change(periods, indicators, y, end)) for y in years]
    scored = [(y, score) for y, score in scored if score[0] > 0]
    if not scored:
        return None
    return max(scored, key=lambda ys: (ys[1], ys[0]))[0]


def working_periods(
    periods: dict, indicators: list[Indicator], thresholds: Mapping[str, Any]
) -> list:
    """(start, end) pairs that give a signal, most recent end first."""
    years = sorted({p for key in periods for p in periods[key]}, reverse=True)
    out = []
    for end in years:
        if not sufficient(periods, indicators, end, thresholds):
            continue
        start = best_start(periods, indicators, end)
        if start is not None:
            out.append((start, end))
    return out


def _fmt_pairs(pairs: list[tuple[int, int]]) -> str:
    return ", ".join(f"--van {a} --tot {b}" for a, b in pairs[:4])


def _missing_text(
    periods: dict, indicators: list[Indicator], end: int, thresholds: Mapping[str, Any]
) -> str:
    parts = []
    for group, key, label in (
        ("kwetsbaarheid", "min_vulnerability", "kernindicatoren kwetsbaarheid"),
        ("overlast", "min_nuisance", "kernindicatoren overlast op buurtniveau"),
    ):
        found = core_at(periods, indicators, end, group)
        names = [i.label for i in indicators if i.key in found]
        have = f" ({'; '.join(names)})" if names else ""
        parts.append(f"{len(found)} van minimaal {thresholds[key]} {label}{have}")
    return " en ".join(parts)


def choose_periods(
    periods: dict,
    indicators: list[Indicator],
    thresholds: Mapping[str, Any],
    gemeente_name: str,
    start: int | None = None,
    end: int | None = None,
) -> PeriodChoice:
    """The requested period when it works, else the default; a Dutch error otherwise."""
    works = working_periods(periods, indicators, thresholds)
    if not works:
        have = sorted({p for key in periods for p in periods[key]})
        raise NoDataError(
            f"voor {gemeente_name} zijn in geen enkel jaar genoeg buurtcijfers voor een signaal "
            f"(jaren met cijfers: {', '.join(map(str, have)) or 'geen'})",
            fix="Importeer of haal meer bronnen op (KWB, gezondheidsmonitor 50090NED, "
            "Leefbaarometer, misdrijven): veerkracht data ophalen --gemeente …",
        )
    if start is None and end is None:
        a, b = works[0]
        return PeriodChoice(a, b, default=True)
    if end is None:
        later = [(a, b) for a, b in works if b > start]
        if not later:
            raise NoDataError(
                f"geen eindjaar na {start} met genoeg buurtcijfers voor {gemeente_name}",
                fix=f"Perioden die werken: {_fmt_pairs(works)}.",
            )
        end = later[0][1]
    if not sufficient(periods, indicators, end, thresholds):
        raise NoDataError(
            f"voor {gemeente_name} rond {end} (± {TOLERANCE} jaar) zijn er "
            f"{_missing_text(periods, indicators, end, thresholds)}",
            fix=f"Perioden die werken: {_fmt_pairs(works)}.",
        )
    if start is not None and end <= start:
        raise ParameterError(
            "--tot",
            end,
            f"moet later zijn dan --van ({start})",
            fix=f"Bijvoorbeeld {_fmt_pairs(works)}.",
        )
    if start is None:
        start = best_start(periods, indicators, end) or end - 1
    elif _with_change(periods, indicators, start, end)[0] == 0:
        raise NoDataError(
            f"voor {gemeente_name} heeft geen enkele kernindicator een jaar rond {start} "
            f"(± {TOLERANCE} jaar) vóór {end}: er valt geen ontwikkeling te berekenen",
            fix=f"Perioden die werken: {_fmt_pairs(works)}.",
        )
    return PeriodChoice(start, end, default=False)


def period_name(start: int | None, end: int | None) -> str:
    """How a run over many gemeenten (atlas, overview) is named in its file names: its
    period, or 'recent' for each gemeente's default."""
    return "recent" if start is None and end is None else f"{start or ''}_{end or ''}".strip("_")

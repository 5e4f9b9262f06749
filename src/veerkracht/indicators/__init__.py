"""The indicator catalogue (``catalogue.toml``) and computing indicators from stored values.

An indicator is either a stored variable used as published (``variable``) or a
rate derived from two stored counts (``numerator`` / ``denominator`` x ``scale``).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

GROUPS = {
    "kwetsbaarheid": "Kwetsbaarheid",
    "overlast": "Overlast en onveiligheid",
    "leefbaarheid": "Leefbaarheid",
    "context": "Context",
}
DIRECTIONS = ("hoger_kwetsbaarder", "hoger_meer_overlast", "hoger_beter", "neutraal")
CATALOGUE = Path(__file__).with_name("catalogue.toml")
#: Derived rates over fewer than this many persons/households are not computed: CBS
#: rounds small counts (to fives) and suppresses its own rates for tiny buurten, so a
#: ratio of two rounded small counts would suggest a precision that is not there.
MIN_DENOMINATOR = 50


@dataclass(frozen=True)
class Indicator:
    key: str
    label: str
    group: str
    unit: str
    direction: str
    source: str
    #: one Dutch sentence: what the indicator measures (the web app's explanation)
    description: str = ""
    variable: str | None = None
    numerator: str | None = None
    denominator: str | None = None
    scale: float = 1.0
    index: bool = False
    core: bool = False
    estimate: bool = False  # a small-area model estimate (50090NED), not a count
    #: key of the indicator this one succeeds where CBS replaced a variable
    #: (e.g. herkomst buiten Europa for niet-westerse migratieachtergrond, KWB 2022+)
    replaces: str | None = None
    #: key of an older indicator this one is preferred over where both have values
    #: (Leefbaarometer 3.0 over 2.0): the older one is then left out of the signal
    prefer_over: str | None = None

    @property
    def variables(self) -> list[str]:
        return [v for v in (self.variable, self.numerator, self.denominator) if v]

    @property
    def worse_when_higher(self) -> bool:
        """True when a rising value is bad news (more vulnerability or nuisance)."""
        return self.direction in {"hoger_kwetsbaarder", "hoger_meer_overlast"}


@cache
def catalogue(path: Path = CATALOGUE) -> tuple[Indicator, ...]:
    """All indicators, in catalogue order; validated on load."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    indicators = []
    for entry in data["indicator"]:
        ind = Indicator(**entry)
        if ind.group not in GROUPS:
            raise ValueError(f"{path.name}: indicator {ind.key}: unknown group {ind.group!r}")
        if ind.direction not in DIRECTIONS:
            raise ValueError(f"{path.name}: indicator {ind.key}: unknown direction")
        if bool(ind.variable) == bool(ind.numerator and ind.denominator):
            raise ValueError(
                f"{path.name}: indicator {ind.key}: give either variable or numerator+denominator"
            )
        indicators.append(ind)
    keys = [i.key for i in indicators]
    if len(set(keys)) != len(keys):
        raise ValueError(f"{path.name}: duplicate indicator keys")
    for ind in indicators:
        if ind.prefer_over and ind.prefer_over not in keys:
            raise ValueError(f"{path.name}: indicator {ind.key}: prefer_over unknown")
        if ind.replaces and ind.replaces not in keys:
            raise ValueError(f"{path.name}: indicator {ind.key}: replaces unknown {ind.replaces}")
    return tuple(indicators)


@dataclass(frozen=True)
class LayerInfo:
    """What a map layer shows, for its explanation: from [[kaartlaag]] or [[indicator]]."""

    key: str
    label: str
    group: str
    description: str
    unit: str
    direction: str
    source: str

    @property
    def direction_text(self) -> str:
        return DIRECTION_TEXT[self.direction]


DIRECTION_TEXT = {
    "hoger_kwetsbaarder": "hoger = ongunstiger",
    "hoger_meer_overlast": "hoger = ongunstiger",
    "hoger_beter": "hoger = gunstiger",
    "neutraal": "geen goed of slecht: context",
}


@cache
def _catalogue_tables(path: Path = CATALOGUE) -> dict:
    return tomllib.loads(path.read_text(encoding="utf-8"))


def layer_groups() -> dict[str, str]:
    """The web app's layer groups in display order: key -> Dutch label."""
    return {g["key"]: g["label"] for g in _catalogue_tables()["laaggroep"]}


def source_names() -> dict[str, str]:
    """Dataset key -> Dutch name of the source (publisher, title)."""
    return dict(_catalogue_tables()["bronnen"])


@cache
def layer_infos() -> dict[str, LayerInfo]:
    """Explanations of every map layer: the signal layers ([[kaartlaag]]) and one per
    indicator (an indicator's own map layer has the indicator's key)."""
    groups = layer_groups()
    out = {
        i.key: LayerInfo(i.key, i.label, i.group, i.description, i.unit, i.direction, i.source)
        for i in catalogue()
    }
    for entry in _catalogue_tables()["kaartlaag"]:
        base = out[entry["indicator"]] if "indicator" in entry else None
        fields = {k: v for k, v in entry.items() if k != "indicator"}
        info = LayerInfo(**{**(base.__dict__ if base else {}), **fields})
        if info.group not in groups or info.direction not in DIRECTIONS:
            raise ValueError(f"{CATALOGUE.name}: kaartlaag {info.key}: group or direction")
        out[info.key] = info
    return out


def by_key() -> dict[str, Indicator]:
    return {i.key: i for i in catalogue()}


def wide_first(
    frame: pd.DataFrame, index: list[str], column: str, fields: list[str]
) -> dict[str, pd.DataFrame]:
    """``frame.pivot_table(index, column, field, aggfunc="first")`` for several fields.

    One groupby for all fields instead of one pivot table each (the hot part of every
    signal view). Same result: the first non-missing value per cell; rows and columns
    without any value are left out.
    """
    if frame.empty:
        return {
            f: frame.pivot_table(index=index, columns=column, values=f, aggfunc="first")
            for f in fields
        }
    grouped = frame.groupby([*index, column], sort=True)[fields].first()
    out = {}
    for field in fields:
        cells = grouped[field].dropna()
        out[field] = (
            cells.unstack(column)
            if len(cells)
            else frame.pivot_table(index=index, columns=column, values=field, aggfunc="first")
        )
    return out


def indicator_values(
    values: pd.DataFrame, indicators: tuple[Indicator, ...] | None = None
) -> pd.DataFrame:
    """Indicator values from long store values.

    ``values`` has columns region_code, period, variable, value, status (and optionally
    method: how a value reached the edition). Returns one row per (region_code, period,
    indicator) with value, status and method; a rate whose numerator or denominator is
    suppressed is itself suppressed ('geheim'); a rate takes its numerator's method.
    """
    indicators = indicators or catalogue()
    fields = ["value", "status"] + (["method"] if "method" in values and not values.empty else [])
    wide = wide_first(values, ["region_code", "period"], "variable", fields)
    wide_value, wide_status = wide["value"], wide["status"]
    wide_method = wide.get("method", pd.DataFrame())
    # suppressed cells have no value: pivot_table drops such rows from the value side
    wide_value = wide_value.reindex(index=wide_status.index, columns=wide_status.columns)
    # Columns as arrays, one frame at the end: a frame per indicator was most of the time.
    parts: list[tuple[str, np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
    for ind in indicators:
        if not all(v in wide_status.columns for v in ind.variables):
            continue
        if ind.variable:
            value = _column(wide_value, ind.variable)
            status = wide_status[ind.variable].to_numpy(dtype=object)
        else:
            num = _column(wide_value, ind.numerator)
            den = _column(wide_value, ind.denominator)
            with np.errstate(divide="ignore", invalid="ignore"):
                value = (num / np.where(den >= MIN_DENOMINATOR, den, np.nan)) * ind.scale
            suppressed = (
                (wide_status[ind.numerator].to_numpy(dtype=object) == "geheim")
                | (wide_status[ind.denominator].to_numpy(dtype=object) == "geheim")
                | (den < MIN_DENOMINATOR)
            )
            status = np.where(suppressed, "geheim", np.where(np.isnan(value), "leeg", "ok"))
            status = status.astype(object)
        source = ind.variable or ind.numerator
        method = (
            wide_method[source].reindex(wide_status.index).to_numpy(dtype=object)
            if source in wide_method
            else np.full(len(value), "identiek", dtype=object)
        )
        rows = np.flatnonzero(pd.notna(status))
        parts.append((ind.key, rows, value[rows], status[rows], method[rows]))
    if not parts:
        return pd.DataFrame(
            columns=["region_code", "period", "indicator", "value", "status", "method"]
        )
    rows = np.concatenate([p[1] for p in parts])
    status = np.concatenate([p[3] for p in parts])
    value = np.where(status == "ok", np.concatenate([p[2] for p in parts]), np.nan)
    keys = wide_status.index[rows]
    return pd.DataFrame(
        {
            "region_code": keys.get_level_values("region_code"),
            "period": keys.get_level_values("period"),
            "indicator": np.repeat([p[0] for p in parts], [len(p[1]) for p in parts]),
            "value": value,
            "status": pd.array(status, dtype="str"),
            "method": pd.array(np.concatenate([p[4] for p in parts]), dtype="str"),
        }
    )


def _column(wide: pd.DataFrame, variable: str) -> np.ndarray:
    """A variable's values as floats; all missing when no row has a value for it."""
    if variable not in wide:
        return np.full(len(wide), np.nan)
    return wide[variable].to_numpy(dtype=float, na_value=np.nan)

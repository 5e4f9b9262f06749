"""User-defined composite scores (``composite.toml``): weighted sums or products of points.

The file is for users and keeps its Dutch keys (``methode``, ``kolom``, ``grenzen``, …);
:func:`parse_composites` translates them once, with :data:`SCORE_KEYS` and
:data:`COMPONENT_KEYS`, into :class:`Composite` and :class:`Component`.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from veerkracht.errors import ParameterError
from veerkracht.signals.compute import internal_column

COMPOSITE = Path(__file__).with_name("composite.toml")

#: the Dutch keys of a [[score]] in composite.toml -> Composite fields
SCORE_KEYS: dict[str, str] = {
    "key": "key",
    "label": "label",
    "methode": "method",
    "gewichten": "weights",
    "drempel": "threshold",
    "componenten": "components",
}
#: the Dutch keys of a score's component -> Component fields
COMPONENT_KEYS: dict[str, str] = {
    "kolom": "column",
    "grenzen": "bounds",
    "hoger_beter": "higher_better",
}
#: the values of ``methode`` (data the user writes, so Dutch)
WEIGHTED_SUM, PRODUCT = "gewogen_som", "product"


@dataclass(frozen=True)
class Component:
    """One component of a product score: 1-3 points by two bounds."""

    column: str  # the public (Dutch) column name the user wrote, see internal_column
    bounds: tuple[float, float]
    higher_better: bool = True


@dataclass(frozen=True)
class Composite:
    key: str
    method: str
    label: str = ""
    #: public (Dutch) column name the user wrote -> weight (weighted sum), see internal_column
    weights: Mapping[str, float] = field(default_factory=dict)
    threshold: float | None = None  # product: buurten at or below it are marked
    components: tuple[Component, ...] = ()


#: the marker column of a product score (``onder_drempel`` in the sheet: PUBLIC_MEASURES)
BELOW_THRESHOLD = "below_threshold"

#: the fields a score needs, per method, and that a component needs
REQUIRED = {WEIGHTED_SUM: ("key", "weights"), PRODUCT: ("key", "threshold", "components")}
REQUIRED_COMPONENT = ("column", "bounds")


def _translated(
    entry: Mapping[str, Any], keys: Mapping[str, str], required: tuple[str, ...], where: str
) -> dict[str, Any]:
    """English fields of a TOML table; a missing key is named by its Dutch key, a key the
    program does not know is left out (as it always was)."""
    fields = {keys[k]: v for k, v in entry.items() if k in keys}
    missing = [
        toml_key for toml_key, name in keys.items() if name in required and name not in fields
    ]
    if missing:
        raise ParameterError(
            where,
            ", ".join(sorted(entry)),
            f"mist {', '.join(missing)}",
            fix=f"Neem {COMPOSITE.name} uit het pakket als voorbeeld.",
        )
    return fields


def _component(raw: Mapping[str, Any], where: str) -> Component:
    fields = _translated(raw, COMPONENT_KEYS, REQUIRED_COMPONENT, where)
    return Component(**{**fields, "bounds": tuple(fields["bounds"])})


def parse_composites(scores: list[Mapping[str, Any]]) -> list[Composite]:
    """The [[score]] tables of composite.toml (Dutch keys) as Composite definitions."""
    out = []
    for entry in scores:
        where = f"score {entry.get('key', '?')}"
        method = _translated(entry, SCORE_KEYS, ("method",), where)["method"]
        fields = _translated(entry, SCORE_KEYS, REQUIRED.get(method, ("key",)), where)
        fields["components"] = tuple(
            _component(raw, f"{where}, component") for raw in fields.get("components", ())
        )
        out.append(Composite(**fields))
    return out


def load_composites(path: str | Path | None = None) -> list[Composite]:
    path = Path(path) if path else COMPOSITE
    return parse_composites(tomllib.loads(path.read_text(encoding="utf-8"))["score"])


def _points(values: pd.Series, bounds: tuple[float, float], higher_better: bool) -> pd.Series:
    low, high = sorted(bounds)
    pts = pd.Series(np.select([values < low, values < high], [1, 2], 3), index=values.index)
    pts = pts.where(values.notna())
    return pts if higher_better else (4 - pts)


def composite_scores(table: pd.DataFrame, definitions: list[Composite]) -> pd.DataFrame:
    """One column per score (and ``<key>__below_threshold`` for product scores)."""
    out = pd.DataFrame(index=table.index)
    for d in definitions:
        if d.method == WEIGHTED_SUM:
            # a gemeente without (say) health data simply lacks that component
            columns = {internal_column(c): w for c, w in d.weights.items()}
            weights = pd.Series({c: w for c, w in columns.items() if c in table}, dtype=float)
            if weights.empty:
                out[d.key] = np.nan
                continue
            part = table[list(weights.index)]
            # renormalise weights over the components present for each buurt
            present = part.notna().mul(weights, axis=1).sum(axis=1)
            out[d.key] = part.mul(weights, axis=1).sum(axis=1, min_count=1) / present.where(
                present > 0
            )
        elif d.method == PRODUCT:
            if any(internal_column(c.column) not in table for c in d.components):
                # a product needs every component; without one the score is unknown
                out[d.key] = np.nan
                out[f"{d.key}__{BELOW_THRESHOLD}"] = pd.NA
                continue
            pts = [
                _points(table[internal_column(c.column)], c.bounds, c.higher_better)
                for c in d.components
            ]
            score = pts[0]
            for p in pts[1:]:
                score = score * p
            out[d.key] = score
            out[f"{d.key}__{BELOW_THRESHOLD}"] = (score <= d.threshold).where(score.notna())
        else:
            raise ParameterError(
                f"score {d.key}",
                d.method,
                "onbekende methode",
                fix="Gebruik gewogen_som of product.",
            )
    return out

"""User-defined composite scores (``composite.toml``): weighted sums or products of points."""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import pandas as pd

from veerkracht.errors import ParameterError
from veerkracht.signals.compute import internal_column

COMPOSITE = Path(__file__).with_name("composite.toml")


def load_composites(path: str | Path | None = None) -> list[dict]:
    path = Path(path) if path else COMPOSITE
    return tomllib.loads(path.read_text(encoding="utf-8"))["score"]


def _points(values: pd.Series, bounds: list[float], higher_better: bool) -> pd.Series:
    low, high = sorted(bounds)
    pts = pd.Series(np.select([values < low, values < high], [1, 2], 3), index=values.index)
    pts = pts.where(values.notna())
    return pts if higher_better else (4 - pts)


def composite_scores(table: pd.DataFrame, definitions: list[dict]) -> pd.DataFrame:
    """One column per score (and ``<key>__onder_drempel`` for product scores)."""
    out = pd.DataFrame(index=table.index)
    for d in definitions:
        if d["methode"] == "gewogen_som":
            # a gemeente without (say) health data simply lacks that component
            weights = pd.Series(
                {c: w for c, w in d["gewichten"].items() if c in table}, dtype=float
            )
            if weights.empty:
                out[d["key"]] = np.nan
                continue
            part = table[list(weights.index)]
            # renormalise weights over the components present for each buurt
            present = part.notna().mul(weights, axis=1).sum(axis=1)
            out[d["key"]] = part.mul(weights, axis=1).sum(axis=1, min_count=1) / present.where(
                present > 0
            )
        elif d["methode"] == "product":
            if any(internal_column(c["kolom"]) not in table for c in d["componenten"]):
                # a product needs every component; without one the score is unknown
                out[d["key"]] = np.nan
                out[f"{d['key']}__onder_drempel"] = pd.NA
                continue
            pts = [
                _points(
                    table[internal_column(c["kolom"])], c["grenzen"], c.get("hoger_beter", True)
                )
                for c in d["componenten"]
            ]
            score = pts[0]
            for p in pts[1:]:
                score = score * p
            out[d["key"]] = score
            out[f"{d['key']}__onder_drempel"] = (score <= d["drempel"]).where(score.notna())
        else:
            raise ParameterError(
                f"score {d['key']}",
                d["methode"],
                "onbekende methode",
                fix="Gebruik gewogen_som of product.",
            )
    return out

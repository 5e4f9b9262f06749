"""Classification schemes (mapclassify) shared by signals, maps and the web app."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from veerkracht.errors import ParameterError

SCHEMES = {
    "kwantielen": "Kwantielen (gelijke aantallen buurten)",
    "fisher_jenks": "Natuurlijke grenzen (Fisher-Jenks)",
    "grenzen": "Eigen klassegrenzen",
}


@dataclass(frozen=True)
class Classification:
    scheme: str
    bins: list[float]  # upper bounds, as mapclassify gives them
    classes: pd.Series  # 1..k, <NA> where the value is missing

    @property
    def k(self) -> int:
        return len(self.bins)


def classify(
    values: pd.Series, scheme: str = "kwantielen", k: int = 5, bounds: list[float] | None = None
) -> Classification:
    """Classify values into k classes; missing values stay missing (never a silent class)."""
    import mapclassify

    if scheme not in SCHEMES:
        raise ParameterError(
            "--indeling-klassen",
            scheme,
            "onbekend klassenschema",
            fix=f"Kies uit {', '.join(SCHEMES)}.",
        )
    present = values.dropna().astype(float)
    classes = pd.Series(pd.NA, index=values.index, dtype="Int64")
    if present.empty:
        return Classification(scheme, [], classes)
    n_unique = present.nunique()
    if scheme == "grenzen":
        if not bounds:
            raise ParameterError(
                "grenzen",
                bounds,
                "geen klassegrenzen opgegeven",
                fix="Geef oplopende grenzen, bv. 10,20,30.",
            )
        result = mapclassify.UserDefined(present.to_numpy(), bins=sorted(bounds))
    elif scheme == "fisher_jenks":
        result = mapclassify.FisherJenks(present.to_numpy(), k=min(k, n_unique))
    else:
        result = mapclassify.Quantiles(present.to_numpy(), k=min(k, n_unique))
    classes.loc[present.index] = np.asarray(result.yb) + 1
    return Classification(scheme, [float(b) for b in result.bins], classes)

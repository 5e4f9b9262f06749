"""Statistics: change in vulnerability vs change in nuisance (OLS, robust errors) and LISA.

The spatial lag/error models need the optional ``spreg`` package (PySAL).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from veerkracht.errors import ParameterError

if TYPE_CHECKING:
    import geopandas as gpd

LISA_SEED = 20180601  # fixed: permutation p-values are reproducible
QUADRANTS = {1: "hoog-hoog (hotspot)", 2: "laag-hoog", 3: "laag-laag (coldspot)", 4: "hoog-laag"}


def regression_table(
    frame: pd.DataFrame,
    dependent: str,
    explanatory: list[str],
    *,
    model: str = "ols",
    geometries: gpd.GeoDataFrame | None = None,
) -> pd.DataFrame:
    """Coefficients, robust (HC3) standard errors, p-values, n and R² as one table."""
    import statsmodels.api as sm

    data = frame[[dependent, *explanatory]].apply(pd.to_numeric, errors="coerce").dropna()
    if len(data) < len(explanatory) + 3:
        raise ParameterError(
            "regressie",
            len(data),
            "te weinig buurten met alle gegevens",
            fix="Kies een grotere gemeente of minder controlevariabelen.",
        )
    X = sm.add_constant(data[explanatory])
    if model == "ols":
        fit = sm.OLS(data[dependent], X).fit(cov_type="HC3")
        table = pd.DataFrame(
            {
                "coefficient": fit.params,
                "standaardfout": fit.bse,
                "t": fit.tvalues,
                "p": fit.pvalues,
            }
        )
        table.attrs.update(
            n=int(fit.nobs), r2=float(fit.rsquared), model="OLS, robuuste fouten (HC3)"
        )
    elif model in {"lag", "error"}:
        try:
            import spreg
        except ImportError as exc:
            raise ParameterError(
                "--model", model, "het pakket spreg ontbreekt", fix="pip install spreg"
            ) from exc
        from libpysal.weights import Queen

        if geometries is None:
            raise ParameterError(
                "--model",
                model,
                "ruimtelijk model zonder geometrie",
                fix="Geef de buurtgrenzen mee.",
            )
        w = Queen.from_dataframe(geometries.loc[data.index], use_index=True, silence_warnings=True)
        w.transform = "r"
        cls = spreg.ML_Lag if model == "lag" else spreg.ML_Error
        fit = cls(
            data[[dependent]].to_numpy(),
            data[explanatory].to_numpy(),
            w=w,
            name_y=dependent,
            name_x=explanatory,
        )
        z_p = np.asarray(fit.z_stat, dtype=float)  # (z, p) per coefficient
        table = pd.DataFrame(
            {
                "coefficient": np.ravel(fit.betas),
                "standaardfout": np.ravel(fit.std_err),
                "z": z_p[:, 0],
                "p": z_p[:, 1],
            },
            # spreg names the lag term itself (W_<y>); the error model adds lambda last
            index=list(fit.name_x) + ([] if model == "lag" else ["lambda"]),
        )
        table.attrs.update(
            n=int(fit.n), r2=float(getattr(fit, "pr2", np.nan)), model=f"ruimtelijk ({model})"
        )
    else:
        raise ParameterError("--model", model, "onbekend model", fix="Kies ols, lag of error.")
    table.index.name = "variabele"
    return table.reset_index()


def lisa_hotspots(
    buurten: gpd.GeoDataFrame, column: str, *, permutations: int = 999, alpha: float = 0.05
) -> pd.DataFrame:
    """Local Moran's I (Queen contiguity) with permutation p-values and a fixed seed."""
    from esda.moran import Moran_Local
    from libpysal.weights import Queen

    data = buurten[buurten[column].notna()].reset_index(drop=True)
    w = Queen.from_dataframe(data, use_index=False, silence_warnings=True)
    w.transform = "r"
    import warnings

    with warnings.catch_warnings():  # buurten without neighbours (islands) warn and get NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        lisa = Moran_Local(
            data[column].to_numpy(dtype=float), w, permutations=permutations, seed=LISA_SEED
        )
    significant = lisa.p_sim < alpha
    return pd.DataFrame(
        {
            "region_code": data.region_code,
            "lokale_moran_i": lisa.Is,
            "p_permutatie": lisa.p_sim,
            "kwadrant": [QUADRANTS[q] for q in lisa.q],
            "cluster": np.where(significant, [QUADRANTS[q] for q in lisa.q], "niet significant"),
        }
    )

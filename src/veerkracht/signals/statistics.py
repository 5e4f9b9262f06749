"""Statistics: change in vulnerability vs change in nuisance (OLS, robust errors) and LISA.

The spatial lag/error models need the optional ``spreg`` package (PySAL).
"""

from __future__ import annotations

import math
import warnings
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
    data = frame[[dependent, *explanatory]].apply(pd.to_numeric, errors="coerce").dropna()
    if len(data) < len(explanatory) + 3:
        raise ParameterError(
            "regressie",
            len(data),
            "te weinig buurten met alle gegevens",
            fix="Kies een grotere gemeente of minder controlevariabelen.",
        )
    if model == "ols":
        table = ols_hc3(data[dependent], data[explanatory])
    elif model in {"lag", "error"}:
        try:
            import spreg  # lazy: optional extra; 4.3 s to import, only for --model lag/error
        except ImportError as exc:
            raise ParameterError(
                "--model", model, "het pakket spreg ontbreekt", fix="pip install spreg"
            ) from exc

        if geometries is None:
            raise ParameterError(
                "--model",
                model,
                "ruimtelijk model zonder geometrie",
                fix="Geef de buurtgrenzen mee.",
            )
        # lazy: 0.2 s, only with polygons; signalen 5.9 s instead of 3.6 s
        from libpysal.weights import Queen

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
                "standard_error": np.ravel(fit.std_err),
                "z": z_p[:, 0],
                "p": z_p[:, 1],
            },
            # spreg names the lag term itself (W_<y>), and the error model's lambda (last)
            index=list(fit.name_x),
        )
        table.attrs.update(
            n=int(fit.n), r2=float(getattr(fit, "pr2", np.nan)), model=f"ruimtelijk ({model})"
        )
    else:
        raise ParameterError("--model", model, "onbekend model", fix="Kies ols, lag of error.")
    table.index.name = "variable"
    return table.reset_index()


def ols_hc3(y: pd.Series, x: pd.DataFrame) -> pd.DataFrame:
    """OLS with a constant and HC3 robust standard errors, z-based p-values.

    The same arithmetic as ``statsmodels`` ``OLS(y, add_constant(x)).fit(cov_type="HC3")``
    (pseudo-inverse, HC3 scaling, normal p-values; a test compares the two), in numpy:
    importing statsmodels alone costs ``veerkracht signalen`` more than a second.
    """
    exog = np.column_stack([np.ones(len(x)), x.to_numpy(dtype=float)])
    endog = y.to_numpy(dtype=float)
    pinv = np.linalg.pinv(exog)
    params = pinv @ endog
    resid = endog - exog @ params
    leverage = np.einsum("ij,ji->i", exog, pinv @ pinv.T @ exog.T)
    scale = (resid / (1 - leverage)) ** 2
    cov = pinv @ (scale[:, None] * pinv.T)
    bse = np.sqrt(np.diag(cov))
    z = params / bse
    p = np.array([math.erfc(abs(v) / math.sqrt(2)) for v in z])  # two-sided normal
    centred = endog - endog.mean()
    table = pd.DataFrame(
        {"coefficient": params, "standard_error": bse, "t": z, "p": p},
        index=["const", *x.columns],
    )
    r2 = 1 - float(resid @ resid) / float(centred @ centred)
    table.attrs.update(n=len(endog), r2=r2, model="OLS, robuuste fouten (HC3)")
    return table


def lisa_hotspots(
    buurten: gpd.GeoDataFrame, column: str, *, permutations: int = 999, alpha: float = 0.05
) -> pd.DataFrame:
    """Local Moran's I (Queen contiguity) with permutation p-values and a fixed seed."""
    # lazy: 0.2 s, LISA is optional; signalen 5.9 s instead of 3.6 s
    from esda.moran import Moran_Local
    from libpysal.weights import Queen  # lazy: as esda

    data = buurten[buurten[column].notna()].reset_index(drop=True)
    w = Queen.from_dataframe(data, use_index=False, silence_warnings=True)
    w.transform = "r"

    with warnings.catch_warnings():  # buurten without neighbours (islands) warn and get NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        lisa = Moran_Local(
            data[column].to_numpy(dtype=float), w, permutations=permutations, seed=LISA_SEED
        )
    significant = lisa.p_sim < alpha
    return pd.DataFrame(
        {
            "region_code": data.region_code,
            "local_moran_i": lisa.Is,
            "p_permutation": lisa.p_sim,
            "quadrant": [QUADRANTS[q] for q in lisa.q],
            "cluster": np.where(significant, [QUADRANTS[q] for q in lisa.q], "niet significant"),
        }
    )

"""Early warning: buurten that moved into a worse state between the two periods.

State per period: 'probleem' (high concentration and nuisance), 'kwetsbaar' (high
concentration only), 'geen'. A move geen -> kwetsbaar, or rising concentration / worsening
nuisance without problems, is *preventief*; any move into 'probleem' is *reactief*.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from veerkracht.signals import SignalResult

_RANK = {"geen": 0, "kwetsbaar": 1, "probleem": 2}


def _high_count(result: SignalResult, suffix: str) -> pd.Series:
    t = result.table
    thr = result.config.thresholds["index_hoog"] if result.config else 150.0
    cols = [
        f"{i.key}__{suffix}"
        for i in result.indicators
        if i.core and i.group == "kwetsbaarheid" and f"{i.key}__{suffix}" in t
    ]
    return (t[cols] >= thr).sum(axis=1) if cols else pd.Series(0, index=t.index)


def early_warning(result: SignalResult) -> pd.DataFrame:
    t = result.table
    thr = result.config.thresholds if result.config else {"min_hoog": 2}
    conc_van = _high_count(result, "index_nl_van") >= thr["min_hoog"]
    conc_tot = _high_count(result, "index_nl") >= thr["min_hoog"]
    problem_tot = t.typologie == "PRO"
    # nuisance at the start: same rule on the start-period levels is not always published;
    # use the end-period nuisance state for both, so only concentration moves count here.
    state_van = np.where(
        conc_van & problem_tot, "probleem", np.where(conc_van, "kwetsbaar", "geen")
    )
    state_tot = np.where(problem_tot, "probleem", np.where(conc_tot, "kwetsbaar", "geen"))
    out = pd.DataFrame(
        {
            "region_code": t.region_code,
            "naam": t.naam,
            "toestand_van": state_van,
            "toestand_tot": state_tot,
            "typologie": t.typologie_label,
            "redenen": t.redenen,
        }
    )
    worse = out.toestand_tot.map(_RANK) > out.toestand_van.map(_RANK)
    rising = t.typologie.isin(["TOE", "VER"]) & (out.toestand_tot == "geen")
    out["soort"] = np.where(
        worse & (out.toestand_tot == "probleem"),
        "reactief",
        np.where(worse | rising, "preventief", ""),
    )
    conc = [
        f"{i.key}__verschil" for i in result.indicators if i.core and i.group == "kwetsbaarheid"
    ]
    out["toename_concentratie"] = t[conc].mean(axis=1, skipna=True) if conc else np.nan
    out = out[out.soort != ""].sort_values(
        ["soort", "toename_concentratie"], ascending=[False, False]
    )
    out.insert(0, "rang", range(1, len(out) + 1))
    return out.reset_index(drop=True)

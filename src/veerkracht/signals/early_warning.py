"""Early warning: buurten that moved into a worse state between the two periods.

The state in a period is the typology's concentration/nuisance part applied to that
period's levels: 'probleem' (high concentration and nuisance), 'kwetsbaar' (high
concentration only) or 'geen'. A move into 'probleem' is *reactief*; a move into
'kwetsbaar', or rising concentration / worsening nuisance without problems yet, is
*preventief*.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from veerkracht.signals import SignalResult
from veerkracht.signals.typology import classify_buurten

_RANK = {"geen": 0, "kwetsbaar": 1, "probleem": 2}
_STATE = {"PRO": "probleem", "KWE": "kwetsbaar"}
_NO_STATE = ("KLEIN", "ONV")  # no signal at all: never reported as early warning


def table_at_start(table: pd.DataFrame) -> pd.DataFrame:
    """The signal table as it looked at the start period (levels and indices at the start)."""
    start = table.copy()
    for col in [c for c in table.columns if c.endswith("__start")]:
        key = col[: -len("__start")]
        start[f"{key}__end"] = table[col]
        start[f"{key}__index_nl"] = table.get(f"{key}__index_nl_start", np.nan)
        start[f"{key}__index_ref"] = table.get(f"{key}__index_ref_start", np.nan)
        start[f"{key}__index_gemeente"] = np.nan
        start[f"{key}__deviation_ref"] = np.nan  # the reference's start level is not kept
        start[f"{key}__change_ref"] = np.nan
        # no change is known before the start
        start[f"{key}__change"] = np.nan
        start[f"{key}__relative"] = np.nan
    return start


def _state(codes: pd.Series) -> pd.Series:
    return codes.map(_STATE).fillna("geen")


def early_warning(result: SignalResult) -> pd.DataFrame:
    t = result.table
    at_start = classify_buurten(
        table_at_start(t),
        result.indicators,
        result.config,
        reference_label=result.reference_label(),
    )
    out = pd.DataFrame(
        {
            "region_code": t.region_code,
            "name": t["name"],
            "state_start": _state(at_start.typology).to_numpy(),
            "state_end": _state(t.typology).to_numpy(),
            # the label under the key "typology": the sheet's header 'typologie' has
            # always shown the label, not the code
            "typology": t.typology_label,
            "reasons": t.reasons,
        }
    )
    worse = (out.state_end.map(_RANK) > out.state_start.map(_RANK)) & ~t.typology.isin(
        _NO_STATE
    ).to_numpy()
    rising = t.typology.isin(["TOE", "VER"]) & (out.state_end == "geen")
    out["kind"] = np.where(
        worse & (out.state_end == "probleem"),
        "reactief",
        np.where(worse | rising, "preventief", ""),
    )
    conc = [
        f"{i.key}__change"
        for i in result.indicators
        if i.core and i.group == "kwetsbaarheid" and f"{i.key}__change" in t
    ]
    out["concentration_rise"] = t[conc].mean(axis=1, skipna=True) if conc else np.nan
    out = out[out.kind != ""].sort_values(["kind", "concentration_rise"], ascending=[False, False])
    out.insert(0, "rank", range(1, len(out) + 1))
    return out.reset_index(drop=True)

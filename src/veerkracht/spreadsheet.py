"""Spreadsheet safety shared by every reader and writer of tables (bottom of the flow).

A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is run
as a formula by Excel and LibreOffice; uploads are checked with it and exports write it.
The fullwidth forms (``＝`` …) count too: an East Asian input method types them, and
a spreadsheet may turn them into the ASCII sign on entry.
"""

from __future__ import annotations

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix text cells that a spreadsheet would run as a formula with a quote."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            text = out[col].astype("string")
            cells = text.to_numpy(dtype=object, na_value=None)
            starts = [
                i for i, v in enumerate(cells) if v is not None and v.startswith(FORMULA_START)
            ]
            if not starts:  # the usual case: a plain loop beats the string methods here
                out[col] = text
                continue
            risky = pd.Series(False, index=text.index)
            # a number such as -3 or +5 is not a formula
            risky.iloc[starts] = pd.to_numeric(text.iloc[starts], errors="coerce").isna()
            out[col] = text.mask(risky, "'" + text)
    return out

"""Spreadsheet safety shared by every reader and writer of tables (bottom of the flow).

A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is run
as a formula by Excel and LibreOffice; uploads are checked with it and exports write it.
"""

from __future__ import annotations

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix text cells that a spreadsheet would run as a formula with a quote."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            text = out[col].astype("string")
            risky = text.str.startswith(FORMULA_START, na=False)
            if risky.any():  # a number such as -3 or +5 is not a formula
                risky[risky] = pd.to_numeric(text[risky], errors="coerce").isna()
            out[col] = text.mask(risky, "'" + text)
    return out

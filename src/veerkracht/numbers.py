"""Dutch number formatting, one implementation for tables, maps, reasons and reports.

Decimal comma, point as thousands separator, a true minus sign (U+2212) and a dash
for a missing value: ``12.345,7``, ``−2,0``, ``–``.
"""

from __future__ import annotations

import math

MISSING = "–"


def _missing(value: object) -> bool:
    if value is None:
        return True
    try:
        return math.isnan(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return True


def number(value: float | int | None, decimals: int = 1, *, sign: bool = False) -> str:
    """``12345.67`` -> ``12.345,7``; ``sign`` adds ``+`` to positive values."""
    if _missing(value):
        return MISSING
    text = f"{float(value):{'+' if sign else ''},.{decimals}f}"  # type: ignore[arg-type]
    text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    if text.lstrip("+-").strip("0,.") == "":  # -0 / -0,0 / +0,0
        text = text.lstrip("+-")
        return f"+{text}" if sign else text
    return text.replace("-", "−")


def count(value: float | int | None) -> str:
    """A whole number: ``14574`` -> ``14.574``; fractions keep two decimals."""
    if _missing(value):
        return MISSING
    as_float = float(value)  # type: ignore[arg-type]
    return number(as_float, 0 if as_float.is_integer() else 2)


def percent(fraction: float | None, decimals: int = 2) -> str:
    """A fraction as a percentage: ``-0.0556`` -> ``−5,56%``."""
    if _missing(fraction):
        return MISSING
    return f"{number(float(fraction) * 100, decimals)}%"  # type: ignore[arg-type]


def shortest(value: float) -> str:
    """As few digits as say the value (``%g``), with a decimal comma: ``0.5`` -> ``0,5``.

    For quoting a raw input value in a message, where rounding would hide what was read.
    """
    return f"{value:g}".replace(".", ",")


def km2(m2: float) -> str:
    """An area in m² as km² with two decimals: ``1234567`` -> ``1,23 km²``."""
    return f"{m2 / 1e6:.2f} km²".replace(".", ",")

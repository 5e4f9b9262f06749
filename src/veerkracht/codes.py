"""CBS region codes: the keys of everything in the store.

Codes are kept exactly as CBS publishes them (``BU03630000``, ``WK036300``,
``GM0363``, ``NL01``), stripped of the padding StatLine adds. A code only means
something together with its boundary edition (the year of the *indeling*), which
the store keeps beside it.
"""

from __future__ import annotations

import re

import pandas as pd

LEVELS = ("land", "gemeente", "wijk", "buurt", "pc4", "pc6", "grid")

_PREFIX_LEVEL = {"NL": "land", "GM": "gemeente", "WK": "wijk", "BU": "buurt"}
_CODE = re.compile(r"^(NL|GM|WK|BU)[0-9A-Z]+$")
_PC4 = re.compile(r"^[1-9][0-9]{3}$")
_PC6 = re.compile(r"^[1-9][0-9]{3}[A-Z]{2}$")

#: Rough extent of the Netherlands (incl. territorial waters) as (minx, miny, maxx, maxy):
#: in RD New metres (EPSG:28992) and in WGS84 degrees (lon, lat; EPSG:4326). Used to
#: recognise which coordinate system a file uses and that its shapes lie in NL.
NL_BOX_RD = (-10_000.0, 280_000.0, 310_000.0, 640_000.0)
NL_BOX_WGS84 = (2.5, 50.5, 7.6, 55.9)


def clean_codes(codes: pd.Series) -> pd.Series:
    """Strip StatLine padding and upper-case region codes."""
    return codes.astype("string").str.strip().str.upper()


def level_of(code: str) -> str | None:
    """Level of one region code, or ``None`` when it is not a recognised code."""
    code = code.strip().upper()
    if _CODE.match(code):
        return _PREFIX_LEVEL[code[:2]]
    if _PC4.match(code):
        return "pc4"
    if _PC6.match(code.replace(" ", "")):
        return "pc6"
    return None


def levels_of(codes: pd.Series) -> pd.Series:
    """Vectorised :func:`level_of` for region codes (NL/GM/WK/BU)."""
    prefix = codes.str[:2]
    return prefix.map(_PREFIX_LEVEL).astype("string")


def gemeente_of(codes: pd.Series) -> pd.Series:
    """``GM`` code of the gemeente a BU/WK/GM code lies in (``<NA>`` for NL)."""
    digits = codes.str[2:6]
    out = ("GM" + digits).astype("string")
    return out.where(codes.str[:2].isin(["GM", "WK", "BU"]))


def wijk_of(codes: pd.Series) -> pd.Series:
    """``WK`` code of the wijk a BU code lies in (BU + GGGG + WW + BB)."""
    out = ("WK" + codes.str[2:8]).astype("string")
    return out.where(codes.str[:2] == "BU")


def is_gemeente_code(text: str) -> bool:
    return bool(re.fullmatch(r"GM\d{4}", text.strip().upper()))

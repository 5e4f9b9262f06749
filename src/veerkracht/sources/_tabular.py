"""Shared parsing of tables as the publishers export them.

StatLine CSVs come with a BOM, ``;`` or ``,`` separators, decimal commas,
right-padded codes and ``.`` for suppressed cells; R re-exports mangle titles into
dotted names. These helpers make all of that uniform so each reader only maps
columns.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd

from veerkracht.errors import InputFileError
from veerkracht.sources.base import STATUS_EMPTY, STATUS_OK, STATUS_SUPPRESSED

_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def normalise_title(title: str) -> str:
    """Comparable form of a column title: lower-case words, accents and symbols dropped.

    ``"Wonen/Woningen naar eigendom/In bezit woningcorporatie (%)"`` and the R-mangled
    ``"Wonen.Woningen.naar.eigendom.In.bezit.woningcorporatie...."`` both become
    ``"wonen woningen naar eigendom in bezit woningcorporatie"``.
    """
    text = unicodedata.normalize("NFKD", str(title))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return _NON_ALNUM.sub(" ", text).strip()


def odata_prefix(key: str) -> str:
    """OData key without the numeric suffix that changes per year (``AantalInwoners_5``)."""
    return re.sub(r"_\d+$", "", str(key).strip())


def decode_text(path: Path) -> tuple[str, str]:
    """Text of a file and the encoding used; a clear error for binary or garbled files."""
    raw = path.read_bytes()
    if not raw.strip():
        raise InputFileError(path, "het bestand is leeg", fix="Download het bestand opnieuw.")
    if b"\x00" in raw[:4096]:
        raise InputFileError(
            path,
            "dit is geen tekstbestand (binaire inhoud of UTF-16)",
            fix="Sla het bestand op als CSV in UTF-8.",
        )
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        # Excel on Dutch Windows saves CSV as cp1252; accept it but say so.
        return raw.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as exc:
        raise InputFileError(
            path,
            f"onbekende tekencodering (byte {exc.start})",
            fix="Sla het bestand op als CSV in UTF-8.",
        ) from exc


def sniff_separator(first_line: str) -> str:
    counts = {sep: first_line.count(sep) for sep in (";", ",", "\t")}
    return max(counts, key=lambda s: counts[s])


def read_delimited(path: Path) -> pd.DataFrame:
    """A CSV as all-string columns, separator and encoding detected, headers stripped."""
    text, _encoding = decode_text(path)
    first = text.lstrip("\ufeff").splitlines()[0]
    sep = sniff_separator(first)
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=sep,
            dtype=str,
            keep_default_na=False,
            quoting=csv.QUOTE_MINIMAL,
        )
    except (pd.errors.ParserError, csv.Error) as exc:
        raise InputFileError(
            path,
            f"kan de CSV niet lezen: {exc}",
            fix="Controleer scheidingsteken en aanhalingstekens.",
        ) from exc
    frame.columns = [str(c).strip().lstrip("\ufeff") for c in frame.columns]
    if frame.empty:
        raise InputFileError(path, "het bestand heeft een kop maar geen rijen")
    return frame


def parse_numbers(column: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Numbers and statuses from a StatLine-formatted text column.

    ``.`` -> suppressed; empty or ``NA`` -> empty; ``15,3`` and ``  15.3`` -> 15.3.
    CBS's ``-99999999`` / ``-99999997`` sentinels (kaart attribute tables) -> suppressed.
    """
    text = column.astype("string").str.strip()
    suppressed = text.isin([".", "x", "-99999999", "-99999997", "-99999998"])
    empty = text.isna() | text.isin(["", "NA", "NaN", "nan", "None"])
    cleaned = text.str.replace(",", ".", regex=False)
    numbers = pd.to_numeric(cleaned.where(~(suppressed | empty)), errors="coerce").astype("float64")
    status = np.where(
        suppressed, STATUS_SUPPRESSED, np.where(numbers.isna(), STATUS_EMPTY, STATUS_OK)
    )
    return numbers, pd.Series(status, index=column.index, dtype="string")


def numeric_frame(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`parse_numbers` for many columns at once (vectorised per column)."""
    values = {}
    statuses = {}
    for name in frame.columns:
        col = frame[name]
        if pd.api.types.is_numeric_dtype(col):
            numbers = col.astype("float64")
            numbers = numbers.where(~numbers.isin([-99999999, -99999997, -99999998]))
            sentinel = col.isin([-99999999, -99999997, -99999998])
            status = np.where(
                sentinel, STATUS_SUPPRESSED, np.where(numbers.isna(), STATUS_EMPTY, STATUS_OK)
            )
            values[name] = numbers
            statuses[name] = pd.Series(status, index=col.index, dtype="string")
        else:
            values[name], statuses[name] = parse_numbers(col)
    return pd.DataFrame(values, index=frame.index), pd.DataFrame(statuses, index=frame.index)


def to_long(
    codes: pd.Series,
    values: pd.DataFrame,
    statuses: pd.DataFrame,
    *,
    edition: int,
    period: int,
) -> pd.DataFrame:
    """Wide (region x variable) to the store's long format, dropping absent cells.

    Keeps suppressed cells (with status) so maps can say 'geheim' instead of
    pretending the buurt has no data.
    """
    from veerkracht.codes import levels_of

    n_rows, n_cols = values.shape
    long = pd.DataFrame(
        {
            "region_code": np.repeat(codes.to_numpy(dtype=object), n_cols),
            "variable": np.tile(np.asarray(values.columns, dtype=object), n_rows),
            "value": values.to_numpy(dtype="float64").ravel(),
            "status": statuses.to_numpy(dtype=object).ravel(),
        }
    )
    long = long[long["status"] != STATUS_EMPTY].reset_index(drop=True)
    long["region_code"] = long["region_code"].astype("string")
    long["level"] = levels_of(long["region_code"])
    long["edition"] = np.int32(edition)
    long["period"] = np.int32(period)
    long["status"] = long["status"].astype("string")
    long["variable"] = long["variable"].astype("string")
    return long[["region_code", "level", "edition", "period", "variable", "value", "status"]]

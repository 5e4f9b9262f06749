"""Shared parsing of tables as the publishers export them.

StatLine CSVs come with a BOM, ``;`` or ``,`` separators, decimal commas,
right-padded codes and ``.`` for suppressed cells; R re-exports mangle titles into
dotted names. These helpers make all of that uniform so each reader only maps
columns.
"""

from __future__ import annotations

import codecs
import csv
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TypeVar

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from veerkracht.codes import levels_of
from veerkracht.errors import InputFileError
from veerkracht.settings import Limits, get_limits
from veerkracht.sources.base import (
    STATUS_EMPTY,
    STATUS_OK,
    STATUS_SUPPRESSED,
    header_fields,
    sniff_separator,
)
from veerkracht.sources.validation import Finding, record_unparsed, refuse
from veerkracht.sources.validation.cell_size import refuse_cell
from veerkracht.sources.validation.encoding import CODE as ENCODING_CODE
from veerkracht.sources.validation.text_lines import too_many_rows

T = TypeVar("T")
_NON_ALNUM = re.compile(r"[^0-9a-z]+")


@cache
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


_BLOCK = 4 * 1024**2  # bytes read (and parsed) at a time


def text_encoding(path: Path) -> str:
    """'utf-8' or 'cp1252' (Excel on Dutch Windows), in one streaming pass over the file.

    Refuses an empty or binary file, a UTF-8 file with a bad byte (VK104: read as cp1252
    every accented name would be garbled) and bytes that are neither.
    """
    strict = codecs.getincrementaldecoder("utf-8")("strict")
    blank, offset = True, 0
    with path.open("rb") as fh:
        while chunk := fh.read(_BLOCK):
            if offset == 0 and b"\x00" in chunk[:4096]:
                raise InputFileError(
                    path,
                    "dit is geen tekstbestand (binaire inhoud of UTF-16)",
                    fix="Sla het bestand op als CSV in UTF-8.",
                )
            blank = blank and not chunk.strip()
            pending = len(strict.getstate()[0])
            try:
                strict.decode(chunk)
            except UnicodeDecodeError as exc:
                _refuse_mixed_encoding(path, offset - pending + exc.start)
                return _check_cp1252(path)
            offset += len(chunk)
    if blank:
        raise InputFileError(path, "het bestand is leeg", fix="Download het bestand opnieuw.")
    try:
        strict.decode(b"", final=True)  # a multi-byte character cut off at the end
    except UnicodeDecodeError:
        _refuse_mixed_encoding(path, offset - 1)
        return _check_cp1252(path)
    return "utf-8"


def _check_cp1252(path: Path) -> str:
    decoder = codecs.getincrementaldecoder("cp1252")("strict")
    offset = 0
    with path.open("rb") as fh:
        while chunk := fh.read(_BLOCK):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                raise InputFileError(
                    path,
                    f"onbekende tekencodering (byte {offset + exc.start})",
                    fix="Sla het bestand op als CSV in UTF-8.",
                ) from exc
            offset += len(chunk)
    return "cp1252"


def _refuse_mixed_encoding(path: Path, bad: int) -> None:
    """A UTF-8 file with one bad byte (at offset ``bad``) must not be read as cp1252 (rule
    VK104): that would garble every accented name in it ("BelgiÃ«plein")."""
    lenient = codecs.getincrementaldecoder("utf-8")("replace")
    line, utf8, offset = 1, False, 0
    with path.open("rb") as fh:
        while chunk := fh.read(_BLOCK):
            if offset <= bad:
                line += chunk.count(b"\n", 0, bad - offset)
            text = lenient.decode(chunk)
            if not text.isascii():
                # a valid multi-byte character: evidence that the file is UTF-8
                utf8 = utf8 or len(text) - len(text.encode("ascii", "ignore")) > text.count(
                    "\ufffd"
                )
            offset += len(chunk)
            if utf8 and offset > bad:
                break
    if not utf8:
        return  # no valid multi-byte character: a genuine cp1252 file

    refuse(
        path,
        [
            Finding(
                ENCODING_CODE,
                f"gemengde tekencodering: het bestand is UTF-8, maar byte {bad} op regel "
                f"{line} is geen geldige UTF-8; als cp1252 gelezen zouden alle namen met "
                "accenten verminkt raken",
                "Herstel het teken op die regel of sla het bestand opnieuw op als UTF-8.",
                rows=[line],
            )
        ],
    )


def first_line(path: Path, encoding: str, limit: int) -> str:
    """The first line of a text file (at most ``limit`` bytes), without BOM or line break."""
    with path.open("rb") as fh:
        raw = fh.readline(limit)
    text = raw.decode("utf-8-sig" if encoding == "utf-8" else encoding, errors="replace")
    return text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""


def read_delimited(path: Path, limits: Limits | None = None) -> pd.DataFrame:
    """A CSV as all-string columns, separator and encoding detected, headers stripped.

    Streamed: pyarrow parses the file block by block (multi-threaded C++; cp1252 is
    transcoded on the way), so memory is the table read, not the file's text several
    times over. Each block is checked against ``max_rows`` (VK103) and ``max_cell_bytes``
    (VK106) before the next is read. pandas (also streaming from the file) only as
    fallback for duplicate column names and ragged rows. A reader that can work per
    block uses :func:`map_delimited_blocks` and never holds the whole text table.
    """
    parts = map_delimited_blocks(path, lambda frame: frame, limits)
    return parts[0] if len(parts) == 1 else pd.concat(parts)


def map_delimited_blocks(
    path: Path, handle: Callable[[pd.DataFrame], T], limits: Limits | None = None
) -> list[T]:
    """``handle`` applied to each block of a CSV (all-string columns, index = data row
    number from 0, as in :func:`read_delimited`), in order; the results as a list.

    Only one block of text is in memory at a time. Should pyarrow fail on a later block
    (ragged rows), the results so far are dropped and pandas reads the file again.
    """
    limits = limits or get_limits()
    encoding = text_encoding(path)
    first = first_line(path, encoding, limits.max_line_bytes)
    sep = sniff_separator(first)
    header = header_fields(first, sep)
    if len(set(header)) != len(header):
        return _map_pandas_blocks(path, encoding, sep, limits, handle)

    try:
        reader = pacsv.open_csv(
            path,
            read_options=pacsv.ReadOptions(
                column_names=header,
                skip_rows=1,
                block_size=_BLOCK,
                encoding="utf8" if encoding == "utf-8" else encoding,
            ),
            parse_options=pacsv.ParseOptions(delimiter=sep, newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(header, pa.string()), strings_can_be_null=False
            ),
        )
        results, rows = [], 0
        for batch in reader:
            _check_block(path, batch, rows, limits)
            if batch.num_rows:
                # pandas' own (pyarrow-backed) string columns, numbered as in the file
                frame = batch.to_pandas()
                frame.index = pd.RangeIndex(rows, rows + batch.num_rows)
                results.append(handle(frame))
            rows += batch.num_rows
    except pa.ArrowInvalid:
        # ragged rows (a postcode line without trailing separators, as in PC4LBR.csv):
        # pandas fills the missing fields, and names the line if the file is really broken
        return _map_pandas_blocks(path, encoding, sep, limits, handle)
    if rows == 0:
        raise InputFileError(path, "het bestand heeft een kop maar geen rijen")
    return results


def _check_block(path: Path, batch, rows_before: int, limits: Limits) -> None:
    """Refuse the file when this block takes it over ``max_rows`` or has an oversized
    cell; the line number counts the header as 1 (exact unless values hold line breaks)."""
    if rows_before + batch.num_rows > limits.max_rows:
        refuse(path, [too_many_rows(limits.max_rows)])
    for name, column in zip(batch.schema.names, batch.columns, strict=True):
        lengths = pc.binary_length(column)
        longest = pc.max(lengths).as_py()
        if longest is not None and longest > limits.max_cell_bytes:
            at = int(
                np.flatnonzero(lengths.to_numpy(zero_copy_only=False) > limits.max_cell_bytes)[0]
            )
            refuse_cell(path, name, rows_before + at + 2, longest, limits.max_cell_bytes)


def read_csv_blocks(path: Path, encoding: str, sep: str, limits: Limits) -> pd.DataFrame:
    """A CSV as text columns via pandas, 100 000 rows at a time, each block checked
    against the row and cell limits (VK103, VK106)."""
    parts = _map_pandas_blocks(path, encoding, sep, limits, lambda frame: frame)
    return pd.concat(parts) if len(parts) > 1 else parts[0]


def _map_pandas_blocks(
    path: Path, encoding: str, sep: str, limits: Limits, handle: Callable[[pd.DataFrame], T]
) -> list[T]:
    """:func:`map_delimited_blocks` through pandas (100 000 rows at a time)."""
    try:
        chunks = pd.read_csv(
            path,
            sep=sep,
            dtype=str,
            keep_default_na=False,
            quoting=csv.QUOTE_MINIMAL,
            encoding="utf-8-sig" if encoding == "utf-8" else encoding,
            chunksize=100_000,
        )
        results, rows = [], 0
        with chunks:
            for part in chunks:
                _check_block(
                    path, pa.RecordBatch.from_pandas(part, preserve_index=False), rows, limits
                )
                rows += len(part)
                if part.empty:
                    continue
                part.columns = [str(c).strip().lstrip("\ufeff") for c in part.columns]
                results.append(handle(part))
    except (pd.errors.ParserError, csv.Error) as exc:
        raise InputFileError(
            path,
            f"kan de CSV niet lezen: {exc}",
            fix="Controleer scheidingsteken en aanhalingstekens.",
        ) from exc
    if not results:
        raise InputFileError(path, "het bestand heeft een kop maar geen rijen")
    return results


#: StatLine's suppressed marker and CBS's sentinels in the kaart attribute tables.
SUPPRESSED = (".", "x", "-99999999", "-99999997", "-99999998")
EMPTY = ("", "NA", "NaN", "nan", "None")
#: Status categories; the codes (0, 1, 2) are used internally for speed.
STATUSES = [STATUS_OK, STATUS_SUPPRESSED, STATUS_EMPTY]
_NUMBER = r"^[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?$"


def _status_series(codes: np.ndarray, index: pd.Index) -> pd.Series:
    return pd.Series(pd.Categorical.from_codes(codes, categories=STATUSES), index=index)


def _arrow_strings(column: pd.Series):
    """A text column as a pyarrow string array (zero-copy for pyarrow-backed columns)."""
    if isinstance(column.dtype, pd.ArrowDtype) or (
        isinstance(column.dtype, pd.StringDtype) and column.dtype.storage == "pyarrow"
    ):
        return pa.array(column, type=pa.string(), from_pandas=True)
    return pa.array(column.astype("string").to_numpy(dtype=object, na_value=None), pa.string())


def _parse_text(arr, unparsed: list | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Float values and status codes (0 ok, 1 suppressed, 2 empty) of pyarrow strings.

    Text that is not a number counts as empty; ``unparsed`` (a list) receives the mask
    of those cells.
    """
    # trimming and comma replacement are the costly kernels: skip them when the column's
    # bytes hold no whitespace (or non-ASCII) and no comma, as in most whole-NL files
    text = pc.utf8_trim_whitespace(arr) if _needs_trim(arr) else arr
    suppressed = pc.fill_null(pc.is_in(text, value_set=pa.array(SUPPRESSED)), False)
    blank = pc.fill_null(pc.is_in(text, value_set=pa.array(EMPTY)), True)
    dotted = pc.replace_substring(text, ",", ".") if _has_comma(text) else text
    candidates = pc.if_else(pc.or_(suppressed, blank), pa.scalar(None, pa.string()), dotted)
    try:
        # the usual case: every remaining cell is a number, one cast does it
        values = pc.cast(candidates, pa.float64())
    except pa.ArrowInvalid:
        # some text that is not a number: only cells matching a number pattern are cast
        matches = pc.fill_null(pc.match_substring_regex(candidates, _NUMBER), False)
        if unparsed is not None:
            present = pc.is_valid(candidates).to_numpy(zero_copy_only=False)
            unparsed.append(present & ~matches.to_numpy(zero_copy_only=False))
        values = pc.cast(
            pc.if_else(matches, candidates, pa.scalar(None, pa.string())), pa.float64()
        )
    numbers = values.to_numpy(zero_copy_only=False)  # null -> NaN
    status = np.where(
        suppressed.to_numpy(zero_copy_only=False), 1, np.where(np.isnan(numbers), 2, 0)
    ).astype("int8")
    return numbers, status


def _needs_trim(arr) -> bool:
    """Whether any string may carry whitespace: a byte <= 0x20 (space, tab, line breaks)
    or a non-ASCII byte (Unicode spaces such as U+00A0 are multi-byte)."""
    return any(raw.min() <= 0x20 or raw.max() >= 0x80 for raw in _data_bytes(arr))


def _has_comma(arr) -> bool:
    return any((raw == ord(",")).any() for raw in _data_bytes(arr))


def _data_bytes(arr) -> list[np.ndarray]:
    """The raw UTF-8 bytes of a pyarrow (chunked) string array, one view per chunk (a
    sliced chunk may show bytes outside the slice: a check can only err towards work)."""
    views = []
    for chunk in arr.chunks if hasattr(arr, "chunks") else [arr]:
        data = chunk.buffers()[2]
        if data is not None and data.size:
            views.append(np.frombuffer(data, dtype=np.uint8))
    return views


def _parse_codes(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Float values and status codes (0 ok, 1 suppressed, 2 empty) of a text column.

    Cells that are text but not a number count as empty; they are reported to the
    validation (rule VK201), which refuses the file during an import.
    """
    arr = _arrow_strings(column)
    unparsed: list[np.ndarray] = []
    numbers, status = _parse_text(arr, unparsed)
    if unparsed and unparsed[0].any():
        _report_unparsed(column, arr, unparsed[0])
    return numbers, status


def _report_unparsed(column: pd.Series, arr, bad: np.ndarray) -> None:
    """Tell the validation which cells were neither a number, empty nor suppressed."""
    text = pc.utf8_trim_whitespace(arr)
    positions = np.flatnonzero(bad)
    index = column.index
    # line numbers as the user sees them: header = 1, first data row = 2
    try:
        rows = [int(index[i]) + 2 for i in positions[:10]]
    except (TypeError, ValueError):
        rows = [int(i) + 2 for i in positions[:10]]
    examples = [str(text[int(i)].as_py())[:40] for i in positions[:3]]
    record_unparsed(str(column.name), int(bad.sum()), rows, examples)


def parse_numbers(column: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Numbers and statuses from a StatLine-formatted text column.

    ``.`` -> suppressed; empty or ``NA`` -> empty; ``15,3`` and ``  15.3`` -> 15.3.
    CBS's ``-99999999`` / ``-99999997`` sentinels (kaart attribute tables) -> suppressed.
    Text that is not a number counts as empty.
    """
    numbers, status = _parse_codes(column)
    return pd.Series(numbers, index=column.index, dtype="float64"), _status_series(
        status, column.index
    )


def _is_number_column(column: pd.Series) -> bool:
    if isinstance(column.dtype, pd.ArrowDtype):
        return pd.api.types.is_numeric_dtype(column.dtype.numpy_dtype)
    return pd.api.types.is_numeric_dtype(column) and not isinstance(column.dtype, pd.StringDtype)


def _number_codes(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Values and status codes of a column that is already numeric (sentinels: geheim)."""
    numbers = column.to_numpy(dtype="float64", na_value=np.nan)
    sentinel = np.isin(numbers, [-99999999, -99999997, -99999998])
    numbers = np.where(sentinel, np.nan, numbers)
    status = np.where(sentinel, 1, np.where(np.isnan(numbers), 2, 0)).astype("int8")
    return numbers, status


@dataclass(frozen=True)
class Cells:
    """A wide block of parsed cells, regions x variables: numbers and status codes
    (0 ok, 1 geheim, 2 leeg). Readers of wide tables go frame -> Cells -> long values."""

    columns: list[str]
    numbers: np.ndarray  # float64
    status: np.ndarray  # int8

    def published(self) -> Cells:
        """Only the columns with at least one published value: a column that is all
        '.' (early KWB releases) is a variable the year lacks, not suppressed cells."""
        keep = (self.status == 0).any(axis=0)
        if keep.all():  # the usual case: no copy of a table that can be 100 MB
            return self
        return Cells(
            [c for c, k in zip(self.columns, keep, strict=True) if k],
            self.numbers[:, keep],
            self.status[:, keep],
        )


def numeric_cells(frame: pd.DataFrame) -> Cells:
    """Parse every column of a wide frame (pyarrow kernels per column; one pass over a
    chunked array of all columns measured three times slower)."""
    n_rows, n_cols = frame.shape
    numbers = np.empty((n_rows, n_cols), dtype="float64")
    status = np.empty((n_rows, n_cols), dtype="int8")
    for i in range(n_cols):
        column = frame.iloc[:, i]
        parse = _number_codes if _is_number_column(column) else _parse_codes
        numbers[:, i], status[:, i] = parse(column)
    return Cells([str(c) for c in frame.columns], numbers, status)


def numeric_frame(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`parse_numbers` for many columns at once, as frames of values and statuses."""
    cells = numeric_cells(frame)
    values = pd.DataFrame(cells.numbers, index=frame.index, columns=frame.columns)
    statuses = pd.DataFrame(
        {c: _status_series(cells.status[:, i], frame.index) for i, c in enumerate(frame.columns)},
        index=frame.index,
    )
    return values, statuses


def to_long(
    codes: pd.Series,
    values: pd.DataFrame,
    statuses: pd.DataFrame,
    *,
    edition: int,
    period: int,
) -> pd.DataFrame:
    """Wide (region x variable) frames to the store's long format (see long_from_cells)."""
    n_rows, n_cols = values.shape
    status_codes = (
        np.column_stack([_codes_of(statuses[c]) for c in statuses.columns])
        if n_cols
        else np.empty((n_rows, 0), dtype="int8")
    )
    cells = Cells([str(c) for c in values.columns], values.to_numpy(dtype="float64"), status_codes)
    return long_from_cells(codes, cells, edition=edition, period=period)


def long_from_cells(codes: pd.Series, cells: Cells, *, edition: int, period: int) -> pd.DataFrame:
    """Wide cells (one row per region code) to the store's long format, dropping empty cells.

    Keeps suppressed cells (with status) so maps can say 'geheim' instead of
    pretending the buurt has no data. Text columns are categoricals: a whole-NL year
    has ~700,000 cells and building that many Python strings would dominate the import.
    """
    n_rows, n_cols = cells.numbers.shape
    keep = (cells.status != 2).ravel()
    # index arrays in the small integer types pandas keeps as categorical codes: fewer
    # and smaller temporaries (a whole-NL year is ~700,000 rows)
    # straight from the arrow-backed strings: no Python string per row (half the time and
    # memory of going through an object array)
    region_cat = pd.Categorical(pd.Series(codes).astype("string"))
    region_codes = np.repeat(region_cat.codes, n_cols)[keep]
    col_idx = np.tile(np.arange(n_cols, dtype=_code_type(n_cols)), n_rows)[keep]
    level_cat = levels_of(pd.Series(region_cat.categories, dtype="string")).fillna("onbekend")
    level_values = pd.Categorical(level_cat.to_numpy(dtype=object))

    def categorical(codes: np.ndarray, categories) -> pd.Categorical:
        # codes made here are valid by construction: skip pandas' O(n) check
        return pd.Categorical.from_codes(codes, categories=categories, validate=False)

    return pd.DataFrame(
        copy=False,  # the arrays are made here: no need to copy them again
        data={
            "region_code": categorical(region_codes, region_cat.categories),
            "level": categorical(level_values.codes[region_codes], level_values.categories),
            # one number repeated: a read-only view, 4 bytes instead of 4 per row
            "edition": np.broadcast_to(np.int32(edition), len(col_idx)),
            "period": np.broadcast_to(np.int32(period), len(col_idx)),
            "variable": categorical(col_idx, pd.Index(cells.columns)),
            "value": cells.numbers.ravel()[keep],
            "status": categorical(cells.status.ravel()[keep], STATUSES),
        },
    )


def _code_type(n: int) -> type:
    """The integer type pandas uses for the codes of ``n`` categories."""
    return np.int8 if n < 127 else np.int16 if n < 32_767 else np.int32


def _codes_of(status: pd.Series) -> np.ndarray:
    """Status codes 0/1/2 of a status column (categorical or text)."""
    if isinstance(status.dtype, pd.CategoricalDtype) and list(status.cat.categories) == STATUSES:
        return status.cat.codes.to_numpy()
    mapping = {STATUS_OK: 0, STATUS_SUPPRESSED: 1, STATUS_EMPTY: 2}
    return status.astype(object).map(mapping).fillna(2).to_numpy(dtype="int8")

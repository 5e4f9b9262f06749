"""The machinery shared by the rules: findings, the registry, the three stages."""

from __future__ import annotations

import codecs
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from veerkracht.errors import InputFileError
from veerkracht.settings import get_limits

if TYPE_CHECKING:
    from veerkracht.settings import Limits

#: The stages, in the order a file meets them ('lezer': applied inside a reader).
STAGES = ("bestand", "lezer", "inhoud", "store")
#: Suffixes of delimited text files (line limits apply) and of all text files.
DELIMITED_SUFFIXES = {".csv", ".txt", ".tsv"}
TEXT_SUFFIXES = DELIMITED_SUFFIXES | {".json", ".geojson"}
ZIP_MAGIC = b"PK\x03\x04"
_CHUNK = 4 * 1024**2


@dataclass(frozen=True)
class Finding:
    """One thing wrong with a file: which rule, what, where, and how to fix it."""

    rule: str  # stable rule code, e.g. "VK201"
    problem: str  # Dutch, with the bad values
    fix: str  # Dutch: what the user can do
    column: str | None = None
    rows: list[int] = field(default_factory=list)  # line numbers in the file (1 = header)
    #: a store-stage finding the user may accept with --vervangen
    confirmable: bool = False


@dataclass(frozen=True)
class Rule:
    code: str
    stage: str
    title: str  # Dutch, one line: what the rule refuses
    check: Callable[..., list[Finding]] | None  # None: applied inside the readers


class ValidationError(InputFileError):
    """A file refused by one or more rules; the store is left untouched."""

    def __init__(self, path: str | Path, findings: list[Finding]) -> None:
        first, rest = findings[0], findings[1:]
        problem = f"{first.problem} [{first.rule}]"
        for other in rest[:5]:
            where = f"kolom '{other.column}': " if other.column else ""
            rows = ""
            if other.rows:
                rows = "rij " + ", ".join(map(str, other.rows[:10])) + ": "
            problem += f"; {where}{rows}{other.problem} [{other.rule}]"
        if len(rest) > 5:
            problem += f"; en {len(rest) - 5} andere bevinding(en)"
        fixes = list(dict.fromkeys(f.fix for f in findings))
        super().__init__(path, problem, fix=" ".join(fixes), column=first.column, rows=first.rows)
        self.findings = findings


def refuse(path: str | Path, findings: list[Finding]) -> None:
    """Raise :class:`ValidationError` when there are findings."""
    if findings:
        raise ValidationError(path, findings)


def _limits(limits: Limits | None) -> Limits:
    if limits is not None:
        return limits
    return get_limits()


# ---------------------------------------------------------------- stage 'bestand'
@dataclass
class TextScan:
    """One streaming pass over a text file: lines, the longest line, the encoding."""

    n_lines: int = 0
    longest: int = 0  # bytes, without the line break
    longest_line: int = 0  # its line number (1-based)
    stopped_at: int | None = None  # byte offset where the scan gave up (a limit was hit)
    first_line: bytes = b""  # the header, up to max_line_bytes
    bad_offset: int | None = None  # first byte that is not UTF-8
    bad_line: int | None = None
    bad_context: bytes = b""
    utf8_chars: int = 0  # valid multi-byte UTF-8 characters (evidence of a UTF-8 file)
    has_nul: bool = False


class FileFacts:
    """What the 'bestand' rules look at, each read at most once."""

    def __init__(self, path: Path, limits: Limits) -> None:
        self.path = path
        self.limits = limits
        self.suffix = path.suffix.lower()

    @cached_property
    def size(self) -> int:
        return self.path.stat().st_size

    @cached_property
    def head(self) -> bytes:
        with self.path.open("rb") as fh:
            return fh.read(8)

    @property
    def is_zip(self) -> bool:
        return self.head.startswith(ZIP_MAGIC) or self.suffix in {".zip", ".xlsx", ".xlsm"}

    @property
    def is_text(self) -> bool:
        return self.suffix in TEXT_SUFFIXES and not self.head.startswith(ZIP_MAGIC)

    @property
    def is_delimited(self) -> bool:
        return self.suffix in DELIMITED_SUFFIXES and not self.head.startswith(ZIP_MAGIC)

    @cached_property
    def archive(self) -> list[zipfile.ZipInfo] | str:
        """The members of a zip archive (xlsx is one), or why it cannot be opened."""
        try:
            with zipfile.ZipFile(self.path) as zf:
                return zf.infolist()
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
            return str(exc) or type(exc).__name__

    @cached_property
    def text(self) -> TextScan:
        return scan_text(self.path, self.limits, delimited=self.is_delimited)


def scan_text(path: Path, limits: Limits, *, delimited: bool = True) -> TextScan:
    """Count lines and find the longest one and the first non-UTF-8 byte, in chunks.

    Stops early once a line is longer than ``limits.max_line_bytes`` or there are more
    than ``limits.max_rows`` lines (for delimited files): the file is refused anyway.
    """
    scan = TextScan()
    strict = codecs.getincrementaldecoder("utf-8")("strict")
    lenient = codecs.getincrementaldecoder("utf-8")("replace")
    prev_nl = -1  # offset of the last line break seen
    base = 0
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            arr = np.frombuffer(chunk, dtype=np.uint8)
            if not scan.has_nul and base < 4096 and (arr[: 4096 - base] == 0).any():
                scan.has_nul = True
            breaks = np.flatnonzero(arr == 10) + base
            if breaks.size:
                lengths = np.diff(np.concatenate(([prev_nl], breaks))) - 1
                i = int(lengths.argmax())
                if lengths[i] > scan.longest:
                    scan.longest, scan.longest_line = int(lengths[i]), scan.n_lines + i + 1
                if scan.n_lines == 0:
                    scan.first_line = chunk[: min(int(breaks[0]) - base, limits.max_line_bytes)]
                scan.n_lines += int(breaks.size)
                prev_nl = int(breaks[-1])
            open_line = base + len(chunk) - prev_nl - 1
            if open_line > scan.longest:
                scan.longest, scan.longest_line = open_line, scan.n_lines + 1
            if scan.n_lines == 0:
                scan.first_line = chunk[: limits.max_line_bytes]
            _scan_encoding(scan, chunk, base, strict, lenient)
            base += len(chunk)
            if delimited and (
                scan.longest > limits.max_line_bytes or scan.n_lines > limits.max_rows
            ):
                scan.stopped_at = base
                break
    if base and (prev_nl < base - 1):
        scan.n_lines += 1  # a last line without a line break
    return scan


def _scan_encoding(scan: TextScan, chunk: bytes, base: int, strict: Any, lenient: Any) -> None:
    if scan.has_nul:
        return
    if scan.bad_offset is None:
        try:
            text = strict.decode(chunk)
        except UnicodeDecodeError as exc:
            # the decoder keeps an incomplete sequence from the previous chunk: the offset
            # of the error is relative to that, close enough to point at the line
            at = max(exc.start, 0)
            scan.bad_offset = base + at
            scan.bad_line = scan.n_lines - chunk.count(b"\n") + chunk.count(b"\n", 0, at) + 1
            scan.bad_context = chunk[max(0, at - 40) : at + 40]
            before = chunk[:at].decode("utf-8", errors="replace")
            scan.utf8_chars += _multibyte(before)
            text = lenient.decode(chunk[at + 1 :])
            scan.utf8_chars += _multibyte(text)
            return
    else:
        text = lenient.decode(chunk)
    scan.utf8_chars += _multibyte(text)


def _multibyte(text: str) -> int:
    """Characters outside ASCII that decoded correctly (not the replacement character)."""
    if text.isascii():
        return 0
    return len(text) - len(text.encode("ascii", "ignore")) - text.count("\ufffd")


# ---------------------------------------------------------------- stage 'inhoud'
@dataclass(frozen=True)
class Unparsed:
    """Cells of a number column that are neither a number, empty nor suppressed."""

    column: str
    count: int
    rows: list[int]  # line numbers (header = 1) of the first few
    examples: list[str]


_UNPARSED: ContextVar[list[Unparsed] | None] = ContextVar("veerkracht_unparsed", default=None)


@contextmanager
def collecting_unparsed() -> Iterator[list[Unparsed]]:
    """Collect the cells the number parser had to leave empty while a reader runs."""
    found: list[Unparsed] = []
    token = _UNPARSED.set(found)
    try:
        yield found
    finally:
        _UNPARSED.reset(token)


def record_unparsed(column: str, count: int, rows: list[int], examples: list[str]) -> None:
    """Called by the number parser (``sources._tabular``) for cells that are not numbers."""
    found = _UNPARSED.get()
    if found is not None:
        found.append(Unparsed(column, count, rows, examples))


@dataclass
class ContentContext:
    path: Path
    limits: Limits
    unparsed: list[Unparsed] = field(default_factory=list)

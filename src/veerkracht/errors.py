"""Every error a user can meet, in one module.

Each error is a :class:`VeerkrachtError` whose message is Dutch and names what was
wrong (the file, parameter or column), the bad value, and how to fix it. The CLI
prints these messages without a traceback.
"""

from __future__ import annotations

from pathlib import Path


class VeerkrachtError(Exception):
    """Base class: a problem the user can fix; printed without traceback."""

    def __init__(self, message: str, *, fix: str | None = None) -> None:
        self.message = message
        self.fix = fix
        super().__init__(message if fix is None else f"{message}\nOplossing: {fix}")


class InputFileError(VeerkrachtError):
    """A file cannot be read as the dataset it claims or seems to be."""

    def __init__(
        self,
        path: str | Path,
        problem: str,
        *,
        fix: str | None = None,
        column: str | None = None,
        rows: list[int] | None = None,
    ) -> None:
        self.path = Path(path)
        self.column = column
        self.rows = rows or []
        where = f"{self.path.name}"
        if column:
            where += f", kolom '{column}'"
        if self.rows:
            shown = ", ".join(str(r) for r in self.rows[:10])
            more = f" (en {len(self.rows) - 10} meer)" if len(self.rows) > 10 else ""
            where += f", rij {shown}{more}"
        super().__init__(f"{where}: {problem}", fix=fix)


class UnknownDatasetError(InputFileError):
    """No reader recognises the file's content."""


class MissingColumnsError(InputFileError):
    def __init__(self, path: str | Path, missing: list[str], *, expected: str) -> None:
        super().__init__(
            path,
            f"verplichte kolom(men) ontbreken: {', '.join(missing)}",
            fix=f"Verwacht: {expected}.",
        )
        self.missing = missing


class ParameterError(VeerkrachtError):
    """A command-line or API parameter has a bad value."""

    def __init__(self, parameter: str, value: object, problem: str, *, fix: str) -> None:
        self.parameter = parameter
        self.value = value
        super().__init__(f"{parameter} = {value!r}: {problem}", fix=fix)


class StoreError(VeerkrachtError):
    """The store is missing, locked, or lacks what a command needs."""


class TranslationMissing(StoreError):
    """A view needs a translation that a read-only store cannot write."""


class NetworkError(VeerkrachtError):
    """An official service cannot be reached or answered badly."""


class NoDataError(VeerkrachtError):
    """The store has no data for the requested gemeente, period or indicator."""

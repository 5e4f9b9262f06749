"""Validate a file before it can replace anything in the store.

One small module per rule, each with a stable code (like PDOK's geopackage-validator);
``RULES`` lists them in the order they run. A rule belongs to one stage:

``bestand``  the file itself, before any reader parses it (size, lines, archives,
             encoding): cheap streaming checks that bound what a reader can cost;
``inhoud``   what the reader made of it (``StoreRows``): duplicates, ranges, years,
             names, vertices, cells that were not numbers;
``store``    the file against what the store already holds: how many values a
             replacement changes, and regions whose area changes suspiciously.

A finding of the first two stages refuses the file; a ``store`` finding refuses it
unless the user confirmed the replacement (``--vervangen``). Every finding is Dutch and
names the file, the column, rows or codes and a fix; see :func:`refuse`.
"""

from __future__ import annotations

from veerkracht.sources.validation._core import (
    STAGES,
    ContentContext,
    FileFacts,
    Finding,
    Rule,
    ValidationError,
    collecting_unparsed,
    record_unparsed,
    refuse,
)
from veerkracht.sources.validation._registry import (
    check_content,
    check_file,
    check_stored,
    rules,
)

__all__ = [
    "STAGES",
    "ContentContext",
    "FileFacts",
    "Finding",
    "Rule",
    "ValidationError",
    "check_content",
    "check_file",
    "check_stored",
    "collecting_unparsed",
    "record_unparsed",
    "refuse",
    "rules",
]

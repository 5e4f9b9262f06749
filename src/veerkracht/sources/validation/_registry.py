"""The rules, in the order they run, and the three stages that run them.

Add a rule: a module with ``RULE``, listed here."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from veerkracht.sources.validation._core import (
    ContentContext,
    FileFacts,
    Finding,
    Rule,
    Unparsed,
    _limits,
    refuse,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from veerkracht.settings import Limits
    from veerkracht.store._compare import StoredComparison
    from veerkracht.store._rows import StoreRows


# ruff: noqa: I001 - the order is the order the rules run in
from veerkracht.sources.validation import file_size
from veerkracht.sources.validation import archive
from veerkracht.sources.validation import text_lines
from veerkracht.sources.validation import json_depth
from veerkracht.sources.validation import encoding
from veerkracht.sources.validation import cell_size
from veerkracht.sources.validation import geometry_repair
from veerkracht.sources.validation import unparsed
from veerkracht.sources.validation import duplicates
from veerkracht.sources.validation import percentages
from veerkracht.sources.validation import counts
from veerkracht.sources.validation import years
from veerkracht.sources.validation import names
from veerkracht.sources.validation import vertices
from veerkracht.sources.validation import replacement
from veerkracht.sources.validation import area_change

RULES = [
    module.RULE
    for module in (
        file_size,
        archive,
        text_lines,
        json_depth,
        encoding,
        cell_size,
        geometry_repair,
        unparsed,
        duplicates,
        percentages,
        counts,
        years,
        names,
        vertices,
        replacement,
        area_change,
    )
]


def rules(stage: str | None = None) -> list[Rule]:
    """Every rule, in the order they run (optionally of one stage)."""
    return [r for r in RULES if stage is None or r.stage == stage]


def _checks(stage: str) -> list[Callable[..., list[Finding]]]:
    """The checks of a stage's rules, in order (only 'lezer' rules have none: the readers
    apply them; ``tests/reliability/test_rules.py`` keeps it so)."""
    return [rule.check for rule in rules(stage) if rule.check is not None]


def check_file(path: str | Path, limits: Limits | None = None) -> None:
    """Run the 'bestand' rules; raise ValidationError before any reader opens the file."""
    path = Path(path)
    if not path.is_file():
        return  # a folder (e.g. a .gdb) or a missing file: the readers report it
    facts = FileFacts(path, _limits(limits))
    findings: list[Finding] = []
    for check in _checks("bestand"):
        findings += check(facts)
        if findings:  # later file rules assume the earlier ones held (e.g. a sane size)
            break
    refuse(path, findings)


def check_content(
    rows: StoreRows,
    *,
    unparsed: list[Unparsed] | None = None,
    limits: Limits | None = None,
) -> None:
    """Run the 'inhoud' rules on a file's rows; raise ValidationError on any finding."""
    ctx = ContentContext(rows.path, _limits(limits), list(unparsed or []))
    findings: list[Finding] = []
    for check in _checks("inhoud"):
        findings += check(rows, ctx)
    refuse(rows.path, findings)


def check_stored(
    rows: StoreRows,
    comparison: StoredComparison,
    *,
    replace: bool = False,
    limits: Limits | None = None,
) -> None:
    """Run the 'store' rules; refuse unless every finding is confirmable and confirmed."""
    ctx = ContentContext(rows.path, _limits(limits))
    findings: list[Finding] = []
    for check in _checks("store"):
        findings += check(rows, comparison, ctx)
    if replace:
        findings = [f for f in findings if not f.confirmable]
    refuse(rows.path, findings)

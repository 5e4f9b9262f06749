"""Column resolution: find a variable's column whatever the export called it.

Specs come from the per-source TOML files. A column is matched by alias (short
name or re-export header), by OData key prefix, or by a regex on the normalised
StatLine title — never by position or by the numeric suffix CBS adds per year.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from veerkracht.sources._tabular import normalise_title, odata_prefix
from veerkracht.sources.base import Variable


@dataclass(frozen=True)
class ColumnSpec:
    key: str
    aliases: tuple[str, ...] = ()
    odata: tuple[str, ...] = ()
    titles: tuple[str, ...] = ()

    def matches(self, column: str) -> int:
        """Match strength (3 alias, 2 OData prefix, 1 title regex, 0 none)."""
        return _match_strength(self, column)


@cache
def _match_strength(spec: ColumnSpec, column: str) -> int:
    # cached: every KWB file asks ~2,500 of these, mostly the same ones again
    norm = normalise_title(column)
    if norm in {normalise_title(a) for a in spec.aliases}:
        return 3
    if odata_prefix(column) in spec.odata:
        return 2
    if any(re.search(pattern, norm) for pattern in spec.titles):
        return 1
    return 0


@dataclass(frozen=True)
class SourceSpec:
    variables: tuple[Variable, ...]
    columns: tuple[ColumnSpec, ...]
    id_columns: dict[str, ColumnSpec]
    extra: dict


@cache
def load_spec(path: Path, prefix: str) -> SourceSpec:
    """Read a source's TOML column file; variable keys get the store ``prefix``."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    variables = []
    columns = []
    for entry in data.get("variable", []):
        denominator = entry.get("denominator")
        variables.append(
            Variable(
                key=f"{prefix}.{entry['key']}",
                label=entry["label"],
                unit=entry["unit"],
                kind=entry["kind"],
                denominator=f"{prefix}.{denominator}" if denominator else None,
            )
        )
        columns.append(_column_spec(entry["key"], entry))
    id_columns = {
        name: _column_spec(name, spec) for name, spec in data.get("id_columns", {}).items()
    }
    extra = {k: v for k, v in data.items() if k not in {"variable", "id_columns"}}
    return SourceSpec(tuple(variables), tuple(columns), id_columns, extra)


def _column_spec(key: str, entry: dict) -> ColumnSpec:
    return ColumnSpec(
        key=key,
        aliases=tuple(entry.get("aliases", ())),
        odata=tuple(entry.get("odata", ())),
        titles=tuple(entry.get("titles", ())),
    )


def resolve(columns: list[str], specs: list[ColumnSpec] | tuple[ColumnSpec, ...]) -> dict[str, str]:
    """Map spec key -> column name; each column is used at most once, best match wins."""
    candidates = []
    for spec in specs:
        for column in columns:
            strength = spec.matches(column)
            if strength:
                candidates.append((-strength, spec.key, column))
    resolved: dict[str, str] = {}
    used: set[str] = set()
    for _neg, key, column in sorted(candidates, key=lambda c: c[0]):
        if key in resolved or column in used:
            continue
        resolved[key] = column
        used.add(column)
    return resolved

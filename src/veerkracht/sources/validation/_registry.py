"""The rules, in the order they run. Add a rule: a module with ``RULE``, listed here."""

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

"""Code identifiers are English (issue 11): no Dutch ``van``/``tot`` as Python names.

Dutch stays at the edge - CLI options (``--van``), URL parameters (``?van=``), JSON keys,
column headers - and those are strings, which this test does not look at.
"""

from __future__ import annotations

import io
import tokenize
from pathlib import Path

import veerkracht

PACKAGE = Path(veerkracht.__file__).parent
#: Dutch words that must not be identifiers; the allow-list is (file, name) pairs that must stay
FORBIDDEN = {"van", "tot"}
ALLOWED: set[tuple[str, str]] = {
    # record(..., van=old, naar=role): the keywords are the keys of the stored audit-log entry
    ("web/organisation.py", "van"),
}


def dutch_names(source: str) -> list[tuple[int, str]]:
    """(line, name) of each NAME token that is a forbidden word (strings, comments skipped)."""
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    return [
        (t.start[0], t.string) for t in tokens if t.type == tokenize.NAME and t.string in FORBIDDEN
    ]


def test_the_check_sees_names_not_strings() -> None:
    code = 'def f(van: int, x=1):\n    return g("van", tot=x)  # van tot\n'
    assert dutch_names(code) == [(1, "van"), (2, "tot")]


def test_no_dutch_van_tot_identifiers_in_the_package() -> None:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        for line, name in dutch_names(path.read_text(encoding="utf-8")):
            if (rel, name) not in ALLOWED:
                found.append(f"{rel}:{line}: {name}")
    assert len(list(PACKAGE.rglob("*.py"))) > 50  # the package was found
    assert not found, "Dutch identifiers (use start_year/end_year):\n" + "\n".join(found)

"""Code identifiers are English (issue 11): no Dutch word as a part of a name the code defines.

A name is split on ``_`` (``own_data_edition`` → own, data, edition); it fails when a part is
one of the Dutch words below. Looked at: names of functions, classes and parameters, names
assigned to (variables, attributes, loop targets). Strings are not looked at: CLI options,
URL parameters, JSON keys and headers are Dutch on purpose (see docs/architecture.md).

Kept on purpose, as the field's proper nouns (no English word means the same in this
domain): ``gemeente``, ``wijk``, ``buurt`` (CBS region levels, also in the region codes
GM/WK/BU), and product names like ``wijkbuurtkaart``, ``gebiedsindelingen``,
``leefbaarometer`` and ``woonzorgwijzer``. They are not in the list.
"""

from __future__ import annotations

import ast
from pathlib import Path

import veerkracht

PACKAGE = Path(veerkracht.__file__).parent

#: Dutch words that must not be (part of) a name in the code
_WORDS = """
    van tot uit naar laag lagen indeling indelingen klasse klassen kleur kleuren uitleg naam
    namen typologie reden redenen regel regels signaal signalen kaart kaarten vergelijk bron
    bronnen jaar jaren waarde waarden verschil drempel drempels grenzen kolom kolommen
    referentie processen bijlage achtergrond formaat gedaan volgende sorteer volgorde
    organisatie rol soort rij rijen mappen vervangen vernieuwen gelijktijdig schrijfbaar
    veilige gewichten gewicht alles alle gebied uitgebreid wachtwoord toename afname verslechtering
    concentratie gemiddelde aantal toestand laag hoog eenheid variabele methode stap
"""
DUTCH = frozenset(_WORDS.split())


def defined_names(source: str) -> list[tuple[int, str]]:
    """(line, name) of every name the module defines: defs, classes, arguments, targets."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            found.append((node.lineno, node.name))
        elif isinstance(node, ast.arg):
            found.append((node.lineno, node.arg))
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            found.append((node.lineno, node.id))
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            found.append((node.lineno, node.attr))
    return found


def dutch_parts(name: str) -> list[str]:
    return [part for part in name.lower().split("_") if part in DUTCH]


def test_the_check_sees_dutch_parts_only() -> None:
    code = "def kaart(uit_map, edition):\n    naam = 'van'\n    x.kleur = 1\n    buurt_code = 2\n"
    names = [n for _, n in defined_names(code) if dutch_parts(n)]
    assert names == ["kaart", "uit_map", "naam", "kleur"]


def test_code_names_are_english() -> None:
    problems = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        for line, name in defined_names(path.read_text("utf-8")):
            if parts := dutch_parts(name):
                problems.append(f"{rel}:{line}: {name} ({', '.join(parts)})")
    assert not problems, "Dutch words in code names (English in code, Dutch at the edge):\n" + (
        "\n".join(problems)
    )

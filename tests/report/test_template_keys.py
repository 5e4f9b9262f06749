"""The report's templates read English keys (issue 11): Dutch is only the text a reader sees.

The dicts that ``report.content`` hands to ``rapport.html`` / ``bijlage.html`` are code, so
their keys are English (``c.colour``, ``s.publisher``, ``e.max_error``); the Dutch is in the
template's text (headers, sentences). The check parses each template with Jinja2 and looks at
every attribute or item it reads (``x.name``, ``x["name"]``) and every loop variable.
"""

from __future__ import annotations

from importlib import resources

import jinja2
import pytest
from jinja2 import nodes

from tests.test_dutch_identifiers import DUTCH

#: report words on top of the package-wide list (the keys the report's dicts had in Dutch)
_REPORT_WORDS = """
    titel omschrijving aandeel nr kort breed groep richting kern periode perioden sleutel
    variabelen fout ongekoppeld uitgever licentie bestand bestanden tekst
"""
REPORT_WORDS = frozenset(_REPORT_WORDS.split())
WORDS = DUTCH | REPORT_WORDS
#: Jinja2 looks up ``x.values`` as the attribute first: on a dict that is the method
DICT_METHODS = frozenset(name for name in dir(dict) if not name.startswith("_"))
TEMPLATES = ("rapport.html", "bijlage.html")


def read_names(source: str) -> list[tuple[int, str]]:
    """(line, name) of every key a template reads and every loop variable it defines."""
    tree = jinja2.Environment().parse(source)
    names = [(n.lineno, n.attr) for n in tree.find_all(nodes.Getattr)]
    names += [
        (n.lineno, n.arg.value)
        for n in tree.find_all(nodes.Getitem)
        if isinstance(n.arg, nodes.Const) and isinstance(n.arg.value, str)
    ]
    for loop in tree.find_all(nodes.For):
        targets = [loop.target, *loop.target.find_all(nodes.Name)]  # a name or a tuple
        names += [(n.lineno, n.name) for n in targets if isinstance(n, nodes.Name)]
    return sorted(names)


def dutch_parts(name: str) -> list[str]:
    return [part for part in name.lower().split("_") if part in WORDS]


def test_the_check_sees_keys_and_loop_variables_not_text() -> None:
    source = (
        "<th>Kleur</th>{{ c.kleur }}{{ r.max_fout }}{{ x['bron_indeling'] }}\n"
        "{% for reden in s.reasons %}{{ reden }} van {{ s.titel }}{% endfor %}{{ h.values }}"
    )
    found = [(line, n) for line, n in read_names(source) if dutch_parts(n)]
    assert [n for _, n in found] == ["bron_indeling", "kleur", "max_fout", "reden", "titel"]
    assert [line for line, _ in found] == [1, 1, 1, 2, 2]
    assert "values" in {n for _, n in read_names(source)} & DICT_METHODS


@pytest.mark.parametrize("template", TEMPLATES)
def test_the_report_templates_read_english_keys(template: str) -> None:
    folder = resources.files("veerkracht.report").joinpath("templates")
    source = folder.joinpath(template).read_text("utf-8")
    names = read_names(source)
    assert len(names) > 40  # the template was parsed and reads its content
    problems = [f"{template}:{line}: {n} ({', '.join(dutch_parts(n))})"
                for line, n in names if dutch_parts(n)]
    # a key named like a dict method would print the method, not the value
    problems += [f"{template}:{line}: {n} (dict method)" for line, n in names if n in DICT_METHODS]
    assert not problems, "Dutch keys in the report template (English keys, Dutch text):\n" + (
        "\n".join(problems)
    )

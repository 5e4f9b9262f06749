"""Code identifiers are English (issue 11): no Dutch ``van``/``tot`` as Python names, and
the signal table's keys are English (``typology``, ``name``, ``reasons``, ``…__relative``,
``concentration_index``), and so are the analysis tables' (``period``, ``mean_change``,
``kind`` …).

Dutch stays at the edge - CLI options (``--van``), URL parameters (``?van=``), JSON keys,
column headers - and those are strings, which the name check does not look at. The key check
looks at the strings that read or write a table (``t["typologie"]``, ``"naam" in t``,
``t.get("redenen")``, ``column="typologie_kaart"``) in the modules that handle the table;
``signals.compute.public_column`` gives the Dutch names where the table leaves the program.
"""

from __future__ import annotations

import ast
import io
import re
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


#: the signal table's keys as they were in Dutch (now English inside the code)
DUTCH_KEYS = {
    "naam",
    "typologie",
    "typologie_label",
    "typologie_kaart",
    "redenen",
    "regels",
    "stap",
    # the concentration columns (``concentration_index`` … in code)
    "concentratie_index",
    "concentratie_verschil",
    "concentratie_basis",
    "indeling",
    # the analysis tables' keys (early warning, corporation share, turning points,
    # liveability by end class, regression, hotspots; Dutch headers via public_column)
    "periode",
    "waarde",
    "gemiddelde_verandering",
    "omslagpunt",
    "omslagpunt_corporatiebezit",
    "ci_laag",
    "ci_hoog",
    "aandeel_met_omslag",
    "aandeel_bootstrap_met_omslag",
    "eindklasse",
    "aandeel_vooruit",
    "te_klein",
    "klasse",
    "startklasse",
    "rang",
    "toestand_van",
    "toestand_tot",
    "soort",
    "toename_concentratie",
    "variabele",
    "afhankelijke_variabele",
    "standaardfout",
    "lokale_moran_i",
    "p_permutatie",
    "kwadrant",
    "som",
    "gewicht",
    "score_van",
    "score_tot",
}
DUTCH_SUFFIX = re.compile(
    r"__(relatief|klasse|methode|benadering|index_nl_van|index_ref_van|afwijking_ref|verschil_ref)"
    r"(?![A-Za-z0-9_])"
)
#: the modules that read or write the signal table (elsewhere ``g["naam"]`` is a JSON key)
TABLE_MODULES = ("signals/", "maps/", "report/", "cli/", "overview.py", "pipeline.py")
#: keys no code reads as a JSON key either: checked in every module (web/data.py too)
EVERYWHERE = {"concentratie_index", "concentratie_verschil", "concentratie_basis"}
#: (file, key) pairs that are not table keys: a user file's key (the typology TOML's
#: ``[[klasse]]``; ``corporatiebezit`` is an indicator key, so it is not in the list)
ALLOWED_KEYS: set[tuple[str, str]] = {("signals/typology.py", "klasse")}


def _text(node: ast.AST) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _key_positions(node: ast.AST) -> list[ast.AST]:
    """The nodes in key position: ``t[k]``, ``t[[a, k]]``, ``k in t``, ``t.get(k)``."""
    if isinstance(node, ast.Subscript):
        inner = node.slice
        keys = list(inner.elts) if isinstance(inner, (ast.Tuple, ast.List)) else [inner]
        return keys + [e for k in keys if isinstance(k, ast.List) for e in k.elts]
    if isinstance(node, ast.Compare) and isinstance(node.ops[0], (ast.In, ast.NotIn)):
        return [node.left]
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args:
        return [node.args[0]] if node.func.attr in {"get", "pop", "setdefault"} else []
    return []


def dutch_keys(source: str) -> list[tuple[int, str]]:
    """(line, key) of each Dutch table key read or written as code: ``t.typologie``, and in
    table-key positions ``t["naam"]``, ``t[["a", "naam"]]``, ``"naam" in t``,
    ``t.get("naam")``, ``column="naam"``; any string with a ``__relatief``/``__klasse`` suffix."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr in DUTCH_KEYS:
            found.append((node.lineno, node.attr))
        keys = _key_positions(node)
        if isinstance(node, ast.Call):
            keys += [k.value for k in node.keywords if k.arg == "column"]
        found += [(k.lineno, _text(k)) for k in keys if _text(k) in DUTCH_KEYS]
        text = _text(node)
        if text is not None and DUTCH_SUFFIX.search(text):
            found.append((node.lineno, text))
        if isinstance(node, ast.JoinedStr):  # f"{key}__klasse"
            parts = "".join(_text(v) or "{}" for v in node.values)
            if DUTCH_SUFFIX.search(parts):
                found.append((node.lineno, parts))
    return sorted(set(found))


def test_the_key_check_sees_table_keys_not_json_keys() -> None:
    code = (
        'x = t["typologie"], t.loc[i, "naam"], t[["a", "naam"]], t.redenen\n'
        'y = "typologie" in t, t.get("typologie_label"), MapLayer(column="typologie_kaart")\n'
        'z = {"naam": 1}, MapLayer(key="typologie"), f"{k}__klasse", "a__relatief"\n'
        'w = f"{k}__verschil_ref", "a__methode"\n'
    )
    assert dutch_keys(code) == [
        (1, "naam"),
        (1, "redenen"),
        (1, "typologie"),
        (2, "typologie"),
        (2, "typologie_kaart"),
        (2, "typologie_label"),
        (3, "__klasse"),
        (3, "a__relatief"),
        (3, "{}__klasse"),
        (4, "__verschil_ref"),
        (4, "a__methode"),
        (4, "{}__verschil_ref"),
    ]


def test_the_one_translation_goes_both_ways() -> None:
    from veerkracht.signals.compute import PUBLIC_KEYS, internal_column, public_column

    assert len(set(PUBLIC_KEYS.values())) == len(PUBLIC_KEYS)  # no two keys share a name
    for english, dutch in PUBLIC_KEYS.items():
        assert public_column(english) == dutch and internal_column(dutch) == english
    assert public_column("concentration_index") == "concentratie_index"
    assert internal_column("gemiddelde_verandering") == "mean_change"


def test_no_dutch_table_keys_in_the_code() -> None:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        source = path.read_text(encoding="utf-8")
        for line, key in dutch_keys(source):
            table_module = rel.startswith(TABLE_MODULES) or key in EVERYWHERE
            if (rel, key) in ALLOWED_KEYS:
                continue
            if table_module or not key.isidentifier() or f".{key}" in source.splitlines()[line - 1]:
                found.append(f"{rel}:{line}: {key}")
    assert not found, (
        "Dutch table keys in the code (English: name, typology, typology_label, typology_map, "
        "reasons, rules, step, concentration_index/_change/_base, edition, suffixes "
        "__relative/__class, the analysis tables' keys such as period, mean_change, ci_low, "
        "kind, variable; Dutch only via public_column, see PUBLIC_KEYS):\n"
        + "\n".join(found)
    )


def _config_keys() -> set[str]:
    """The Dutch keys of the user-editable TOML files (typology [drempels] and [[klasse]],
    composite [[score]] and components) that differ from their English name in the code."""
    from veerkracht.signals.composite import COMPONENT_KEYS, SCORE_KEYS
    from veerkracht.signals.typology import THRESHOLD_NAMES, TOML_KEYS

    tables = (THRESHOLD_NAMES, TOML_KEYS, SCORE_KEYS, COMPONENT_KEYS)
    return {dutch for table in tables for dutch, english in table.items() if dutch != english}


#: (file, key) pairs that are not config keys: ``refs["referentie"]`` is a column of the
#: reference table (signals/compute.py), named by the analysis tables' vocabulary
CONFIG_KEYS_ALLOWED = {("signals/compute.py", "referentie")}
#: the modules that read the typology or composite config (elsewhere ``referentie`` is a URL
#: parameter or JSON key, which stay Dutch)
CONFIG_MODULES = (*TABLE_MODULES, "atlas.py")
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def dutch_config_keys(source: str, keys: set[str]) -> list[tuple[int, str]]:
    """(line, key) of each Dutch TOML key the code reads by: ``t["toename_alfa"]``,
    ``spec.get("kolom")``, ``"drempel" in d``, ``t.toename_alfa`` and a format placeholder
    ``"{min_hoog}"``. The one translation table per file maps them in a dict literal or a
    call (``Threshold("min_hoog", …)``), which this does not look at."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr in keys:
            found.append((node.lineno, node.attr))
        found += [(k.lineno, _text(k)) for k in _key_positions(node) if _text(k) in keys]
        text = _text(node)
        if text is not None:
            found += [(node.lineno, k) for k in PLACEHOLDER.findall(text) if k in keys]
    return sorted(set(found))


def test_the_config_key_check_sees_reads_not_the_translation_table() -> None:
    keys = {"toename_alfa", "kolom", "drempel", "min_hoog"}
    code = (
        'a = t["toename_alfa"], spec.get("kolom"), "drempel" in d, t.min_hoog\n'
        'b = "Minstens {min_hoog} kern", f"{x} {{y}}"\n'
        'c = {"kolom": "column"}, Threshold("min_hoog", "uitleg"), t["rising_alpha"]\n'
    )
    assert dutch_config_keys(code, keys) == [
        (1, "drempel"),
        (1, "kolom"),
        (1, "min_hoog"),
        (1, "toename_alfa"),
        (2, "min_hoog"),
    ]


def test_no_dutch_config_keys_in_the_code() -> None:
    keys = _config_keys()
    assert {"toename_alfa", "min_hoog", "kolom", "grenzen", "drempel", "tinten"} <= keys
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if not rel.startswith(CONFIG_MODULES):
            continue
        for line, key in dutch_config_keys(path.read_text(encoding="utf-8"), keys):
            if (rel, key) not in CONFIG_KEYS_ALLOWED:
                found.append(f"{rel}:{line}: {key}")
    assert not found, (
        "Dutch TOML keys read in the code (use the English name: Thresholds / Composite; the "
        "Dutch key only in the one translation table per file, THRESHOLD_NAMES / SCORE_KEYS):\n"
        + "\n".join(found)
    )

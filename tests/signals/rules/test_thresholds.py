"""Every threshold of the typology has one English name in the code, one Dutch key in
``typology.toml`` and one Dutch explanation for the report's method table: a rule module
declares the thresholds it owns (``THRESHOLDS``), ``signals.typology`` the shared ones."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import pytest

from veerkracht.errors import InputFileError
from veerkracht.report.content import threshold_rows
from veerkracht.signals.rules import RULE_THRESHOLDS, RULES
from veerkracht.signals.typology import (
    SHARED_THRESHOLDS,
    THRESHOLD_NAMES,
    THRESHOLDS,
    TYPOLOGY,
    load_typology,
    threshold_explanation,
)


def test_every_default_threshold_is_explained_in_dutch() -> None:
    config = load_typology()
    toml_keys = [key for key, _ in config.thresholds.toml_items()]
    assert len(toml_keys) > 10  # the default [drempels] were read
    # the packaged file has no key the program does not know, and misses none
    assert sorted(set(toml_keys) ^ set(THRESHOLD_NAMES)) == []
    assert all((threshold_explanation(key) or "").strip() for key in toml_keys)
    # the code reads them by English name
    assert sorted(config.thresholds) == sorted(THRESHOLDS)


def test_a_threshold_has_one_english_name_and_one_toml_key() -> None:
    owners = Counter(name for rule in RULES.values() for name in getattr(rule, "THRESHOLDS", {}))
    assert owners and max(owners.values()) == 1
    assert len(THRESHOLD_NAMES) == len(THRESHOLDS)  # no TOML key for two names
    # the English name is not the Dutch key (the code speaks English)
    assert all(name != t.toml_key for name, t in THRESHOLDS.items())
    # a rule's own text is the one the report shows
    assert all(threshold_explanation(t.toml_key) == t.explanation for t in RULE_THRESHOLDS.values())


def test_the_toml_value_reaches_the_english_name() -> None:
    thresholds = load_typology().thresholds
    assert thresholds["rising_alpha"] == 0.05  # toename_alfa in typology.toml
    assert thresholds["min_high"] == 2  # min_hoog
    assert "toename_alfa" not in thresholds


def _user_file(tmp_path: Path, old: str, new: str) -> Path:
    text = TYPOLOGY.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "eigen.toml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def test_a_missing_key_in_a_users_file_is_named_by_its_dutch_key(tmp_path: Path) -> None:
    path = _user_file(tmp_path, "toename_alfa = 0.05", "toename_alpha = 0.05")
    path.write_text(path.read_text(encoding="utf-8").replace("min_hoog = 2 ", "min_hooog = 2 "))
    with pytest.raises(InputFileError) as info:
        load_typology(path)
    # as before the translation: the Dutch keys, in the packaged file's order
    assert info.value.message == "eigen.toml: [drempels] mist: min_hoog, toename_alfa"
    assert info.value.fix == "Neem typology.toml uit het pakket als voorbeeld (docs/signalen.md)."


def test_a_users_own_key_is_kept_and_shown_under_its_dutch_key(tmp_path: Path) -> None:
    path = _user_file(tmp_path, "[drempels]\n", "[drempels]\nmijn_drempel = 3  # eigen keuze\n")
    config = load_typology(path)
    keys = [key for key, _ in config.thresholds.toml_items()]
    assert keys[:2] == ["mijn_drempel", "referentie"]  # the file's order
    assert "mijn_drempel" not in config.thresholds  # the code knows only English names
    rows = {r["key"]: r for r in threshold_rows(SimpleNamespace(config=config))}
    assert rows["mijn_drempel"]["value"] == "3"
    assert rows["mijn_drempel"]["explanation"] == "eigen keuze"  # its comment in the file
    assert rows["toename_alfa"]["explanation"] == SHARED_THRESHOLDS["rising_alpha"].explanation
    assert not set(rows) & set(THRESHOLDS)  # users never see an English name

"""The ``--bronnen`` help of ``data ophalen`` names exactly the registry's fetch codes.

The help is written out in ``cli/data.py`` on purpose (importing the registry there would
load every reader and pandas for each ``--help``); this test is what keeps the two the same
when a fetchable source is added.
"""

from __future__ import annotations

import re

from veerkracht.cli.data import _BRONNEN_OPTION
from veerkracht.sources import registry


def test_bronnen_help_names_every_fetch_code_and_the_defaults() -> None:
    text = _BRONNEN_OPTION.help or ""
    found = re.fullmatch(r"Komma-lijst uit (.+) \(standaard: (.+)\)\.", text)
    assert found, text
    listed = [code.strip() for code in found.group(1).split(",")]
    defaults = [code.strip() for code in found.group(2).split(",")]
    assert sorted(listed) == sorted(registry.FETCH_CODES)
    assert defaults == list(registry.DEFAULT_FETCH_CODES)

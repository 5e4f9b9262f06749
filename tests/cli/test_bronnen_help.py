"""The ``--bronnen`` help of ``data ophalen``, as users see it, names exactly the codes the
command accepts and the ones it fetches without the option.

The help is built from the registry (``cli/data.py``); this test reads the rendered help
and checks it against what ``parse_sources`` does, so the option stays wired to the
registry and a new fetchable source shows up without editing the CLI.
"""

from __future__ import annotations

import re

from typer.testing import CliRunner

from veerkracht.cli import _register, app
from veerkracht.sources import registry


def _help_text() -> str:
    _register()  # the commands are added by main(); the runner calls the app itself
    result = CliRunner().invoke(app, ["data", "ophalen", "--help"], terminal_width=200)
    assert result.exit_code == 0, result.output
    # one line: drop the box drawing of rich's option table and fold the wrapping
    return " ".join(re.sub(r"[│╭╮╰╯─]", " ", result.output).split())


def test_bronnen_help_names_every_fetch_code_and_the_defaults() -> None:
    found = re.search(r"--bronnen <str> Komma-lijst uit (.+?) \(standaard: (.+?)\)\.", _help_text())
    assert found, _help_text()
    listed = [code.strip() for code in found.group(1).split(",")]
    defaults = [code.strip() for code in found.group(2).split(",")]
    assert sorted(listed) == sorted(registry.FETCH_CODES) and len(listed) >= 5
    assert registry.parse_sources(",".join(listed)) == listed  # every listed code is accepted
    assert defaults == registry.parse_sources(None)  # what runs without --bronnen
    assert listed[: len(defaults)] == defaults  # the defaults first, as before

"""The command line speaks Dutch also where the CLI library prints (help, usage errors)."""

from __future__ import annotations

import pytest

from veerkracht.cli import main
from veerkracht.cli._dutch import translate_error

ENGLISH = ("Usage:", "Show this message", "Options", "Arguments", "Missing", "No such", "Error:")


def test_help_pages_are_dutch(capsys) -> None:
    for args in (["--help"], ["kaart", "--help"], ["data", "importeren", "--help"]):
        assert main(args) == 0
        out = capsys.readouterr().out
        assert "Gebruik: " in out and "Toon deze hulp en stop." in out
        assert not [word for word in ENGLISH if word in out], args


@pytest.mark.parametrize(
    ("args", "dutch"),
    [
        (["signalen"], "Fout: Ontbrekend argument 'gemeente'."),
        (["signalen", "Amsterdam", "--foo"], "Fout: Onbekende optie: --foo"),
        (["signalen", "Amsterdam", "--van", "abc"], "'--van': dit is geen geheel getal."),
        (["bestaatniet"], "Fout: Onbekend commando: 'bestaatniet'."),
        (["signalen", "Amsterdam", "extra"], "Fout: Onverwacht extra argument: extra"),
    ],
)
def test_usage_errors_are_dutch(args, dutch, capsys) -> None:
    assert main(args) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert dutch in err
    assert "voor hulp." in err or "Onbekend commando" in err
    assert not [word for word in ENGLISH if word in err], err


def test_unknown_messages_stay_readable() -> None:
    assert translate_error("Iets nieuws") == "Iets nieuws"

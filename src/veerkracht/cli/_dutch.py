"""Dutch for the texts the command-line library prints itself: help headings, the help
option, the usage line and usage errors ("Missing argument …", "No such option …").

Typer ships its own copy of click whose texts are fixed English strings (no gettext), so
they are translated here, in one place: the panel titles are typer settings, the help
option and usage prefix are set where typer builds them, and usage errors are rewritten by
:func:`usage_error_lines` before they are printed. ``tests/cli/test_dutch.py`` fails when a
typer upgrade moves one of these hooks (an English text would show again).
"""

from __future__ import annotations

import re
from typing import Any

from typer import rich_utils
from typer._click import decorators, formatting

HELP_TEXT = "Toon deze hulp en stop."
USAGE_PREFIX = "Gebruik: "

_PANELS = {
    "ARGUMENTS_PANEL_TITLE": "Argumenten",
    "OPTIONS_PANEL_TITLE": "Opties",
    "COMMANDS_PANEL_TITLE": "Commando's",
    "ERRORS_PANEL_TITLE": "Fout",
    "ABORTED_TEXT": "Afgebroken.",
    "DEFAULT_STRING": "[standaard: {}]",
    "REQUIRED_LONG_STRING": "[verplicht]",
    "ENVVAR_STRING": "[omgevingsvariabele: {}]",
    "DEPRECATED_STRING": "(verouderd) ",
    "RICH_HELP": "Zie [blue]'{command_path} {help_option}'[/] voor hulp.",
}

#: usage-error messages (regex on the English text → Dutch template), first match wins
_ERRORS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^Missing argument (.+?)\.(.*)$", re.S), r"Ontbrekend argument \1.\2"),
    (re.compile(r"^Missing option (.+?)\.(.*)$", re.S), r"Ontbrekende optie \1.\2"),
    (re.compile(r"^Missing parameter:? (.+?)\.?$", re.S), r"Ontbrekende parameter \1."),
    (
        re.compile(r"^No such option: (\S+) \(Possible options: (.+)\)$", re.S),
        r"Onbekende optie: \1 (bedoelt u: \2?)",
    ),
    (re.compile(r"^No such option: (\S+)$", re.S), r"Onbekende optie: \1"),
    (re.compile(r"^No such command:? (.+?)\.?$", re.S), r"Onbekend commando: \1."),
    (re.compile(r"^Missing command\.?$"), "Geen commando gegeven."),
    (
        re.compile(r"^Got unexpected extra argument(?:s|\(s\))? \((.*)\)$", re.S),
        r"Onverwacht extra argument: \1",
    ),
    (re.compile(r"^Option (.+?) requires an argument\.?$"), r"Optie \1 heeft een waarde nodig."),
    (re.compile(r"^Invalid value for (.+?): (.*)$", re.S), r"Ongeldige waarde voor \1: \2"),
    (re.compile(r"^Invalid value: (.*)$", re.S), r"Ongeldige waarde: \1"),
]
_VALUES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^Input should be a valid integer.*$", re.S), "dit is geen geheel getal."),
    (re.compile(r"^Input should be a valid number.*$", re.S), "dit is geen getal."),
    (re.compile(r"^Input should be a valid boolean.*$", re.S), "dit is geen ja/nee-waarde."),
    (re.compile(r"(.+?) is not a valid integer\.?"), r"\1 is geen geheel getal."),
    (re.compile(r"(.+?) is not a valid float\.?"), r"\1 is geen getal."),
    (re.compile(r"(.+?) is not one of (.+?)\.?$"), r"\1 is niet een van \2."),
    (re.compile(r"(.+?) is not a valid boolean\.?"), r"\1 is geen ja/nee-waarde."),
    (re.compile(r"(.+?) is not (.+?)\.?$"), r"\1 is niet \2."),
    (re.compile(r"(.+?) does not exist\.?"), r"\1 bestaat niet."),
]


def install() -> None:
    """Put the Dutch texts in place (idempotent; called when the CLI is built)."""
    for name, text in _PANELS.items():
        setattr(rich_utils, name, text)
    if not getattr(decorators.help_option, "_dutch", False):
        decorators.help_option = _dutch_help_option(decorators.help_option)
    if not getattr(formatting.HelpFormatter.write_usage, "_dutch", False):
        formatting.HelpFormatter.write_usage = _dutch_usage(formatting.HelpFormatter.write_usage)


def _dutch_help_option(original: Any) -> Any:
    def help_option(param_decls: list[str]) -> Any:
        decorate = original(param_decls)

        def apply(command: Any) -> Any:
            out = decorate(command)
            command.params[-1].help = HELP_TEXT  # the option just added
            return out

        return apply

    help_option._dutch = True  # type: ignore[attr-defined]
    return help_option


def _dutch_usage(original: Any) -> Any:
    def write_usage(self: Any, prog: str, args: str = "", prefix: str | None = None) -> None:
        args = args.replace("[OPTIONS]", "[OPTIES]").replace("COMMAND [ARGS]", "COMMANDO [ARGS]")
        original(self, prog, args, USAGE_PREFIX if prefix is None else prefix)

    write_usage._dutch = True  # type: ignore[attr-defined]
    return write_usage


def translate_error(message: str) -> str:
    """A usage-error message in Dutch (unknown messages stay as they are)."""
    for pattern, template in _ERRORS:
        if pattern.match(message):
            dutch = pattern.sub(template, message)
            if dutch.startswith("Ongeldige waarde"):
                head, _, value = dutch.partition(": ")
                return f"{head}: {_value_text(value)}"
            return dutch
    return message


def _value_text(text: str) -> str:
    for pattern, template in _VALUES:
        if pattern.match(text):
            return pattern.sub(template, text, count=1)
    return text


def usage_error_lines(exc: Any) -> list[str]:
    """What a usage error prints, in Dutch: the usage line, where help is, the error."""
    lines = []
    ctx = getattr(exc, "ctx", None)
    if ctx is not None:
        lines.append(ctx.get_usage())
        if ctx.command.get_help_option(ctx) is not None:
            lines.append(f"Zie '{ctx.command_path} {ctx.help_option_names[0]}' voor hulp.")
        lines.append("")
    lines.append(f"Fout: {translate_error(exc.format_message())}")
    return lines

"""The ``veerkracht`` command line (Dutch commands and messages).

Sub-commands live in one module each; this module wires them together and turns
every :class:`~veerkracht.errors.VeerkrachtError` into a clear message without a
traceback.
"""

from __future__ import annotations

import logging
import os
import sys

import typer
from rich.markup import escape

from veerkracht.cli import _dutch, data
from veerkracht.cli._common import console as console  # re-exported: tests swap its file
from veerkracht.cli._common import err_console
from veerkracht.errors import VeerkrachtError

app = typer.Typer(
    name="veerkracht",
    help="Veerkracht-signaleringskaarten voor Nederlandse buurten.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _register() -> None:
    _dutch.install()
    app.add_typer(data.app, name="data", help="Data ophalen, importeren en bekijken.")
    for module in ("signalen", "kaart", "bestuurskaart", "rapport", "atlas", "overzicht", "web"):
        try:
            mod = __import__(f"veerkracht.cli.{module}", fromlist=["register"])
        except ModuleNotFoundError as exc:
            if exc.name != f"veerkracht.cli.{module}":
                raise
            continue
        mod.register(app)


@app.callback()
def _main(
    verbose: bool = typer.Option(False, "--uitgebreid", "-v", help="Toon voortgangsmeldingen."),
) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(message)s",
    )


def main(argv: list[str] | None = None) -> int:
    _register()
    try:
        # without standalone mode click returns the code of a typer.Exit instead of raising
        returned = app(args=argv, standalone_mode=False)
        if isinstance(returned, int) and not isinstance(returned, bool):
            return returned
    except VeerkrachtError as exc:
        # messages contain user data (file names, values): never interpret them as markup
        err_console.print(f"[bold red]Fout:[/] {escape(exc.message)}", highlight=False)
        if exc.fix:
            err_console.print(f"[bold]Oplossing:[/] {escape(exc.fix)}", highlight=False)
        return 1
    except KeyboardInterrupt:
        err_console.print("Afgebroken; de store is niet gewijzigd door de onderbroken stap.")
        return 130
    except typer.Exit as exc:
        return exc.exit_code
    except typer.Abort:
        return 1
    except Exception as exc:
        if hasattr(exc, "format_message") and hasattr(exc, "exit_code"):  # usage errors
            for line in _dutch.usage_error_lines(exc):
                err_console.print(line, markup=False, highlight=False)
            return int(exc.exit_code)
        if os.environ.get("VEERKRACHT_DEBUG"):
            raise
        # lazy: --help loads every command module (these at top: 9.2 s, 3040 modules; now 0.3 s)
        from veerkracht.store._duck import write_failure

        if cause := write_failure(exc):  # disk full during any command that writes
            err_console.print(
                f"[bold red]Fout:[/] de store kon niet schrijven: {escape(cause)}; de "
                "onderbroken stap is teruggedraaid (technisch: "
                f"{type(exc).__name__}: {escape(str(exc).strip()[:200])}).\n"
                "[bold]Oplossing:[/] maak ruimte vrij en voer het commando opnieuw uit.",
                highlight=False,
            )
            return 4
        err_console.print(
            f"[bold red]Onverwachte fout:[/] {type(exc).__name__}: {escape(str(exc))}\n"
            "Meld dit als probleem; met VEERKRACHT_DEBUG=1 ziet u de technische details.",
            highlight=False,
        )
        return 2
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

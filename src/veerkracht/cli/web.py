"""``veerkracht web``: start the web app, and manage its accounts."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from veerkracht.cli._common import STORE_OPTION, settings_for

app = typer.Typer(
    help="Web-app: kaarten, signalen en eigen data in de browser (FastAPI).",
    invoke_without_command=True,
    no_args_is_help=False,
)


@app.callback()
def web(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1", "--host", help="Adres om op te luisteren."),
    port: int = typer.Option(8000, "--port", help="Poort."),
    store: Path | None = STORE_OPTION,
    veilige_cookies: bool = typer.Option(
        False, "--veilige-cookies", help="Sessiecookie alleen via HTTPS (achter een proxy)."
    ),
) -> None:
    """Start de web-app op de store (tabellen voor accounts in de store, of in
    PostgreSQL via VEERKRACHT_DATABASE_URL)."""
    if ctx.invoked_subcommand is not None:
        return
    import uvicorn

    from veerkracht.cli import console
    from veerkracht.store import Store
    from veerkracht.web.app import create_app
    from veerkracht.web.db import database_url

    settings = settings_for(store)
    st = Store(settings.store_path)
    application = create_app(st, database_url=database_url(), secure_cookies=veilige_cookies)
    console.print(f"Veerkracht web-app op http://{host}:{port}/ (store: {settings.store_path})")
    try:
        uvicorn.run(application, host=host, port=port, log_level="warning")
    finally:
        st.close()


@app.command("gebruiker-toevoegen")
def add_user(
    organisatie: str = typer.Option(..., "--organisatie", help="Naam van de organisatie."),
    email: str = typer.Option(..., "--email", help="E-mailadres (inlognaam)."),
    rol: str = typer.Option("analist", "--rol", help="beheerder, analist of lezer."),
    wachtwoord_stdin: bool = typer.Option(
        False, "--wachtwoord-stdin", help="Lees het wachtwoord van standaardinvoer."
    ),
    store: Path | None = STORE_OPTION,
) -> None:
    """Maak een account (en zo nodig de organisatie) aan."""
    from veerkracht.cli import console
    from veerkracht.web.db import database_url, open_database
    from veerkracht.web.repo import Repository

    if wachtwoord_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Wachtwoord", hide_input=True, confirmation_prompt=True)
    url = database_url()
    if url:
        user = Repository(open_database(url)).add_user(organisatie, email, password, rol)
    else:
        from veerkracht.store import Store

        with Store(settings_for(store).store_path) as st:
            db = open_database(None, duck_con=st.con)
            user = Repository(db).add_user(organisatie, email, password, rol)
    console.print(
        f"Account {user.email} aangemaakt: rol {user.role} bij {user.organisation}.",
        highlight=False,
    )


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="web", help="Web-app starten en accounts beheren.")

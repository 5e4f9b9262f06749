"""``veerkracht web``: start the web app, and manage its accounts."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from veerkracht.cli._common import STORE_OPTION, console, settings_for
from veerkracht.errors import VeerkrachtError

app = typer.Typer(
    help="Web-app: kaarten, signalen en eigen data in de browser (FastAPI).",
    invoke_without_command=True,
    no_args_is_help=False,
)


@app.callback()
def web(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1", "--host", help="Adres om op te luisteren."),
    port: int = typer.Option(8000, "--poort", "--port", help="Poort (ook: --port)."),
    store: Path | None = STORE_OPTION,
    secure_cookies: bool = typer.Option(
        False,
        "--veilige-cookies",
        help="Sessiecookie alleen via HTTPS, met HSTS (achter een HTTPS-proxy).",
    ),
    writable: bool = typer.Option(
        False,
        "--schrijfbaar",
        help="Open de store schrijfbaar: ontbrekende vertalingen worden dan gemaakt, maar "
        "andere veerkracht-commando's kunnen de store niet openen zolang de web-app draait.",
    ),
) -> None:
    """Start de web-app op de store. De store gaat alleen-lezen open (data status,
    signalen en andere commando's die alleen lezen werken ernaast); accounts, sessies en
    uploads staan in STORE.web.duckdb ernaast, of in PostgreSQL via VEERKRACHT_DATABASE_URL."""
    if ctx.invoked_subcommand is not None:
        return
    # lazy: --help loads every command module (these at top: 9.2 s, 3040 modules; now 0.3 s)
    import uvicorn

    # lazy: --help loads every command module (these at top: 9.2 s, 3040 modules; now 0.3 s)
    from veerkracht.store import Store
    from veerkracht.store.accounts.database import database_url
    from veerkracht.web.accounts import Inbox
    from veerkracht.web.app import create_app

    settings = settings_for(store)
    path = settings.store_path
    if writable:
        st = Store(path)
    else:
        _prepare_translations(path, console)
        st = Store(path, read_only=True, must_exist=True)
    url = database_url()
    db, web_con = _web_database(st, path, url)
    application = create_app(st, database=db, secure_cookies=secure_cookies)
    inbox = None
    if not url:
        inbox = Inbox(path, application.state.web.repo)
        inbox.start()
    mode = "schrijfbaar" if writable else "alleen-lezen"
    console.print(
        f"Veerkracht web-app op http://{host}:{port}/ (store: {path}, {mode})", highlight=False
    )
    try:
        uvicorn.run(application, host=host, port=port, log_level="warning")
    finally:
        if inbox is not None:
            inbox.stop()
        application.state.web.service.views.close()
        if web_con is not None:
            web_con.close()
        st.close()


def _prepare_translations(path: Path, console: object) -> None:
    """Before opening read-only: translate every gemeente with buurt figures to the
    buurtindeling of its default view, once (later starts find them done)."""
    # lazy: --help loads every command module (these at top: 9.2 s, 3040 modules; now 0.3 s)
    from veerkracht.gemeenten import Gemeente
    from veerkracht.pipeline import prepare_default_view
    from veerkracht.store import Store

    if not path.exists():
        return
    try:
        st = Store(path)
    except VeerkrachtError:  # another process has it open: start read-only as it is
        console.print(  # type: ignore[attr-defined]
            "Let op: de store is in gebruik; ontbrekende vertalingen worden niet gemaakt.",
            highlight=False,
        )
        return
    with st:
        names = st.gemeente_names()
        for gm in sorted(set(st.buurt_value_gemeenten()) & set(st.buurt_geometry_gemeenten())):
            done = st.buurt_code_editions(gm, published=False)
            before = {e for e in done if st.has_translation(gm, e)}
            edition = prepare_default_view(st, Gemeente(gm, names.get(gm, gm)))
            if edition is not None and edition not in before and st.has_translation(gm, edition):
                console.print(  # type: ignore[attr-defined]
                    f"Vertaald: {gm} naar buurtindeling {edition}", highlight=False
                )


def _web_database(st: object, path: Path, url: str | None) -> tuple[object, object]:
    """PostgreSQL, or STORE.web.duckdb (accounts of an older store are copied over once)."""
    # lazy: --help loads every command module (these at top: 9.2 s, 3040 modules; now 0.3 s)
    from veerkracht.store.accounts.database import open_accounts_file, open_database

    if url:
        return open_database(url), None
    # lazy: --help loads every command module (these at top: 9.2 s, 3040 modules; now 0.3 s)
    from veerkracht.web.accounts import web_file

    db, new = open_accounts_file(web_file(path))
    if new:
        db.copy_tables_from(getattr(st, "base", st))
    return db, db.con


@app.command("gebruiker-toevoegen")
def add_user(
    organisation: str = typer.Option(..., "--organisatie", help="Naam van de organisatie."),
    email: str = typer.Option(..., "--email", help="E-mailadres (inlognaam)."),
    role: str = typer.Option("analist", "--rol", help="beheerder, analist of lezer."),
    password_from_stdin: bool = typer.Option(
        False, "--wachtwoord-stdin", help="Lees het wachtwoord van standaardinvoer."
    ),
    store: Path | None = STORE_OPTION,
) -> None:
    """Maak een account (en zo nodig de organisatie) aan — ook terwijl de web-app draait."""
    # lazy: --help loads every command module (these at top: 9.2 s, 3040 modules; now 0.3 s)
    from veerkracht.store.accounts.database import database_url, open_database
    from veerkracht.store.accounts.repo import Repository

    if password_from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Wachtwoord", hide_input=True, confirmation_prompt=True)
    url = database_url()
    if url:
        user = Repository(open_database(url)).add_user(organisation, email, password, role)
        _added(console, user.email, user.role, user.organisation)
        return
    # lazy: --help loads every command module (these at top: 9.2 s, 3040 modules; now 0.3 s)
    from veerkracht.store.accounts.database import AccountsFileInUse, open_accounts_file
    from veerkracht.web.accounts import send_account_request, web_file

    path = settings_for(store).store_path
    try:
        db, new = open_accounts_file(web_file(path))
    except AccountsFileInUse:
        # the web app holds the file: hand the account over through its inbox
        answer = send_account_request(path, organisation, email, password, role)
        u = answer["gebruiker"]
        _added(console, u["email"], u["rol"], u["organisatie"], via_app=True)
        return
    try:
        if new and path.exists():
            # lazy: --help loads every command module (these at top: 9.2 s, 3040 modules; now 0.3 s)
            from veerkracht.store import Store

            try:
                with Store(path, read_only=True) as st:
                    db.copy_tables_from(st)
            except VeerkrachtError:
                pass  # store busy or missing: nothing to carry over now
        user = Repository(db).add_user(organisation, email, password, role)
    finally:
        db.con.close()
    _added(console, user.email, user.role, user.organisation)


def _added(
    console: object, email: str, role: str, organisation: str, via_app: bool = False
) -> None:
    how = " (via de draaiende web-app)" if via_app else ""
    console.print(  # type: ignore[attr-defined]
        f"Account {email} aangemaakt{how}: rol {role} bij {organisation}.", highlight=False
    )


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="web", help="Web-app starten en accounts beheren.")

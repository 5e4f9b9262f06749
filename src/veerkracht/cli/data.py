"""``veerkracht data …``: import, fetch and inspect the store."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from rich.text import Text

from veerkracht.cli._common import STORE_OPTION, console, err_console, fmt, settings_for
from veerkracht.errors import InputFileError, ParameterError
from veerkracht.sources.registry import DEFAULT_FETCH_CODES, FETCH_CODES, parse_sources

if TYPE_CHECKING:
    from veerkracht.ingest import ImportReport
    from veerkracht.store import ImportResult

app = typer.Typer(no_args_is_help=True)


#: Exit code of 'importeren' when a data file was refused or skipped for an error.
EXIT_INCOMPLETE = 3
#: Exit code when the store could not write (disk full): the run stopped.
EXIT_STORE_FAILURE = 4


def _progress() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        # file names are user data: '[/' in a folder name is not markup
        TextColumn("{task.fields[file]}", markup=False),
        console=console,
        transient=False,
    )


def _weight_points(path: Path, column: str):
    """Address points with a count (dwellings, inhabitants) for a weighted overlay."""
    # lazy: --help loads every command module (these at top: 9.2 s, 3040 modules; now 0.3 s)
    from veerkracht.sources.own_data import own_data_from_file

    own = own_data_from_file(path, organisation="gewichten")
    if own.points is None:
        raise InputFileError(
            path,
            "geen puntcoördinaten gevonden",
            fix="Geef kolommen x/y (RD) of lat/lon (WGS84) per adres.",
        )
    if column not in own.numeric:
        raise InputFileError(
            path,
            f"kolom '{column}' met aantallen ontbreekt",
            column=column,
            fix="Kies met --gewichtkolom een van: "
            + (", ".join(own.numeric) or "(geen getalkolom)"),
        )
    return own.points.assign(gewicht=own.frame[column].fillna(0).to_numpy())


def _text(value: object) -> str:
    """A table cell: missing values (None, NaN, <NA>) show as a dash."""
    # lazy: --help loads every command module (these at top: 9.2 s, 3040 modules; now 0.3 s)
    import pandas as pd

    return (
        "–"
        if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value))
        else str(value)
    )


def _plain(value: object) -> Text:
    """A table cell or title from user data (file names, reasons): never rich markup."""
    return Text(str(value))


def _imported_table(title: str, imported: list[ImportResult]) -> Table:
    """One row per imported file: what 'importeren' and 'ophalen' both report."""
    table = Table(title=_plain(title))
    for col in ("Bestand", "Dataset", "Status", "Waarden", "Geometrieën", "Perioden", "Ontbreekt"):
        table.add_column(col)
    for r in imported:
        missing = "; ".join(f"{p}: {len(v)} variabelen" for p, v in r.missing.items())
        table.add_row(
            *map(
                _plain,
                (
                    r.file_name,
                    r.dataset_key,
                    r.status,
                    fmt(r.n_values),
                    fmt(r.n_geometries),
                    ", ".join(map(str, r.periods)),
                    missing,
                ),
            )
        )
    return table


def _skipped_table(first_column: str, rows: list[tuple[str, str]], title: str = "Overgeslagen"):
    skipped = Table(title=_plain(title))
    skipped.add_column(first_column)
    skipped.add_column("Reden")
    for shown, reason in rows:
        skipped.add_row(_plain(shown), _plain(reason))
    return skipped


_REPLACE_OPTION = typer.Option(
    False,
    "--vervangen",
    help="Sta toe dat een bestand meer dan een klein deel (1 %) van de opgeslagen waarden "
    "wijzigt, of grenzen van hetzelfde indelingsjaar sterk verandert.",
)


@app.command("importeren")
def import_command(
    map_: Path = typer.Argument(..., metavar="MAP", help="Map met gedownloade bestanden."),
    replace: bool = _REPLACE_OPTION,
    store: Path | None = STORE_OPTION,
) -> None:
    """Lees alle herkende bestanden in MAP in de store; toont wat is overgeslagen en waarom.

    Elk bestand wordt eerst gecontroleerd (regels VK101-VK402, zie README); een bestand
    dat niet door de controle komt, verandert niets in de store. Afsluitcode 0: alles
    geïmporteerd; 3: een of meer bestanden geweigerd of overgeslagen door een fout;
    4: de store kon niet schrijven (bv. schijf vol).
    """
    # lazy: --help loads every command module (these at top: 9.2 s, 3040 modules; now 0.3 s)
    from veerkracht.ingest import candidate_files, import_folder
    from veerkracht.store import Store

    settings = settings_for(store)
    files, _ = candidate_files(map_) if map_.is_dir() else ([], [])
    with Store(settings.store_path) as st, _progress() as progress:
        task = progress.add_task("Importeren", total=len(files), file="")

        def advance(path: Path) -> None:
            progress.update(task, advance=1, file=path.name)

        report = import_folder(st, map_, progress=advance, replace=replace)
        progress.update(task, file="klaar")

    # from here on the store is committed: printing must not fail on odd file names
    console.print(_imported_table(f"Geïmporteerd in {settings.store_path}", report.imported))
    for r in report.imported:
        if r.changes:
            console.print(_plain(f"{r.file_name}: {r.changes}"))

    def shown(path: Path) -> str:
        return str(path.relative_to(map_) if path.is_relative_to(map_) else path)

    aside = [(shown(s.file), s.reason) for s in report.skipped if not s.error]
    if aside:
        console.print(_skipped_table("Bestand", aside, "Overgeslagen (geen data)"))
    errors = [(shown(s.file), s.reason) for s in report.errors]
    if errors:
        console.print(_skipped_table("Bestand", errors, "Geweigerd of overgeslagen door een fout"))
    _summary(report)


def _summary(report: ImportReport) -> None:
    """The last line: what was done; the exit code says whether it was everything."""
    present = sum(1 for r in report.imported if r.status == "al aanwezig")
    done = len(report.imported) - present
    line = (
        f"{done} bestand(en) geïmporteerd, {present} al aanwezig, "
        f"{len(report.errors)} geweigerd of overgeslagen door een fout, "
        f"{len(report.skipped) - len(report.errors)} overgeslagen (geen data)."
    )
    if report.store_failure:
        err_console.print(
            _plain(f"Fout: de store kon niet schrijven: {report.store_failure}"), soft_wrap=True
        )
        err_console.print(_plain(f"Onvolledig: {line}"), soft_wrap=True)
        raise typer.Exit(EXIT_STORE_FAILURE)
    if report.errors:
        err_console.print(
            _plain(f"Onvolledig: {line} De store is voor die bestanden niet gewijzigd."),
            soft_wrap=True,  # one line for scripts and logs
        )
        raise typer.Exit(EXIT_INCOMPLETE)
    console.print(_plain(f"Klaar: {line}"), soft_wrap=True)


@app.command("status")
def status_command(store: Path | None = STORE_OPTION) -> None:
    """Toon wat er in de store staat: datasets, perioden, indelingen, dekking, vertaalfouten."""
    # lazy: --help loads every command module (these at top: 9.2 s, 3040 modules; now 0.3 s)
    from veerkracht.status import store_status
    from veerkracht.store import Store

    settings = settings_for(store)
    # lazy: --help loads every command module (these at top: 9.2 s, 3040 modules; now 0.3 s)
    from veerkracht.kwb_dekking import successor_use

    with Store(settings.store_path, read_only=True) as st:
        for table in store_status(st):
            console.print(table)
        for line in successor_use(st):
            console.print(f"[bold]Vervangen variabele:[/] {line}")


_GEMEENTE_OPTION = typer.Option(
    None, "--gemeente", help="Gemeentenaam (zoals CBS die schrijft) of code, bv. GM0363."
)
_ALL_OPTION = typer.Option(
    False,
    "--alle-gemeenten",
    help="Haal alle gemeenten op (lijst van CBS); hervat waar een vorige keer stopte.",
)
_CONCURRENT_OPTION = typer.Option(
    4, "--gelijktijdig", help="Gemeenten tegelijk bij --alle-gemeenten (1–4)."
)
_YEARS_OPTION = typer.Option(..., "--jaren", help="Jaren, bv. 2017,2019 of 2017-2019.")


def _sources_help() -> str:
    """The ``--bronnen`` help from the registry: the default codes first, then the rest."""
    others = [code for code in FETCH_CODES if code not in DEFAULT_FETCH_CODES]
    listed = ", ".join([*DEFAULT_FETCH_CODES, *others])
    return f"Komma-lijst uit {listed} (standaard: {','.join(DEFAULT_FETCH_CODES)})."


_SOURCES_OPTION = typer.Option(None, "--bronnen", help=_sources_help())
_DEST_OPTION = typer.Option(None, "--naar", help="Map voor de downloads (standaard in de datamap).")
_REFRESH_OPTION = typer.Option(
    False, "--vernieuwen", help="Negeer de cache en haal alles opnieuw op."
)


@app.command("ophalen")
def fetch_command(
    gemeente: str | None = _GEMEENTE_OPTION,
    years_text: str = _YEARS_OPTION,
    sources_text: str | None = _SOURCES_OPTION,
    dest: Path | None = _DEST_OPTION,
    refresh: bool = _REFRESH_OPTION,
    all_gemeenten: bool = _ALL_OPTION,
    concurrent: int = _CONCURRENT_OPTION,
    store: Path | None = STORE_OPTION,
) -> None:
    """Haal CBS-, PDOK- en Leefbaarometer-data op voor een gemeente (of alle) en importeer die."""
    # lazy: --help loads every command module (these at top: 9.2 s, 3040 modules; now 0.3 s)
    from veerkracht.online.fetch import parse_years

    if bool(gemeente) == all_gemeenten:
        raise ParameterError(
            "--gemeente",
            gemeente or "",
            "geef óf --gemeente óf --alle-gemeenten",
            fix="Bijvoorbeeld --gemeente Amsterdam, of --alle-gemeenten voor heel Nederland.",
        )
    years, sources = parse_years(years_text), parse_sources(sources_text)
    if all_gemeenten:
        _fetch_all(years, sources, dest, refresh, concurrent, store)
    else:
        _fetch_one(str(gemeente), years, sources, dest, refresh, store)


def _fetch_one(
    gemeente: str,
    years: list[int],
    sources: list[str],
    dest: Path | None,
    refresh: bool,
    store: Path | None,
) -> None:
    # lazy: --help loads every command module (these at top: 9.2 s, 3040 modules; now 0.3 s)
    from veerkracht.download import fetch_and_import
    from veerkracht.store import Store

    settings = settings_for(store)
    progress = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )
    tasks: dict[str, int] = {}

    def on_progress(label: str, done: int, total: int | None) -> None:
        if label not in tasks:
            tasks[label] = progress.add_task(label, total=total)
        progress.update(tasks[label], completed=done, total=total)

    with Store(settings.store_path) as st, progress:
        code, folder, report = fetch_and_import(
            st,
            settings,
            gemeente=gemeente,
            years=years,
            sources=sources,
            folder=dest,
            refresh=refresh,
            progress=on_progress,
        )

    title = f"Opgehaald voor {code} naar {folder}, geïmporteerd in {settings.store_path}"
    console.print(_imported_table(title, report.imported))
    if report.skipped:
        shown = [(s.file.name, s.reason) for s in report.skipped]
        console.print(_skipped_table("Bestand of bron", shown))
    if "kwb" in sources:
        _print_successors(settings, code)
    _summary(report)  # exit 0 only when every requested dataset arrived and was imported


def _print_successors(settings, gemeente_code: str | None) -> None:
    """Which of a replaced KWB indicator and its successor the store has, per year."""
    # lazy: --help loads every command module (these at top: 9.2 s, 3040 modules; now 0.3 s)
    from veerkracht.kwb_dekking import successor_use
    from veerkracht.store import Store

    with Store(settings.store_path, read_only=True) as st:
        for line in successor_use(st, gemeente_code):
            console.print(f"[bold]Vervangen variabele:[/] {line}")


def _fetch_all(
    years: list[int],
    sources: list[str],
    dest: Path | None,
    refresh: bool,
    concurrent: int,
    store: Path | None,
) -> None:
    # lazy: --help loads every command module (these at top: 9.2 s, 3040 modules; now 0.3 s)
    from veerkracht.download import check_workers, fetch_all
    from veerkracht.store import Store

    settings = settings_for(store)
    check_workers(concurrent)
    progress = _progress()
    task = progress.add_task("Gemeenten ophalen", total=None, file="gemeentelijst")

    def on_done(outcome) -> None:
        mark = "hervat" if outcome.resumed else ("mislukt" if outcome.error else "klaar")
        progress.update(task, advance=1, file=f"{outcome.name} ({outcome.code}): {mark}")

    with Store(settings.store_path) as st, progress:
        result = fetch_all(
            st,
            settings,
            years=years,
            sources=sources,
            root=dest,
            refresh=refresh,
            workers=concurrent,
            on_list=lambda n: progress.update(task, total=n),
            on_done=on_done,
        )
    console.print(_all_summary(result))
    problems = [o for o in result.outcomes if o.error or o.skipped]
    if problems:
        console.print(_all_problems(problems))
    console.print(
        f"Voortgang bewaard in {result.progress_file}; nogmaals 'ophalen --alle-gemeenten' "
        "gaat verder met wat ontbreekt (uit de cache)."
    )
    if "kwb" in sources:
        _print_successors(settings, None)
    if problems:  # exit 0 only when everything asked for arrived

        err_console.print(
            _plain(f"Onvolledig: {len(problems)} gemeente(n) kregen niet alles (zie de tabel)."),
            soft_wrap=True,
        )
        raise typer.Exit(EXIT_INCOMPLETE)


def _all_summary(result) -> Table:
    outcomes = result.outcomes
    table = Table(title=f"Alle gemeenten: {len(outcomes)} volgens CBS")
    table.add_column("Uitkomst")
    table.add_column("Gemeenten")
    table.add_column("Bestanden")
    table.add_column("Waarden")
    groups = {
        "opgehaald (deze keer)": [
            o for o in outcomes if o.files and not o.resumed and not o.error and not o.skipped
        ],
        "al eerder opgehaald (hervat)": [o for o in outcomes if o.resumed],
        "deels: bron(nen) ontbreken": [
            o for o in outcomes if o.skipped and o.files and not o.error
        ],
        "niet gelukt": [o for o in outcomes if not o.resumed and (o.error or not o.files)],
    }
    for label, group in groups.items():
        table.add_row(
            label,
            fmt(len(group)),
            fmt(sum(len(o.files) for o in group)),
            fmt(sum(o.n_values for o in group)),
        )
    return table


def _all_problems(problems: list) -> Table:
    table = Table(title="Wat niet aankwam")
    for col in ("Gemeente", "Naam", "Bron", "Reden"):
        table.add_column(col)
    for o in problems:
        if o.error:
            table.add_row(o.code, o.name, "alles", o.error)
        for source, reason in o.skipped:
            table.add_row(o.code, o.name, source, reason)
    return table


@app.command("kwb-dekking")
def kwb_coverage_command(
    given_folders: list[Path] | None = typer.Argument(
        None,
        metavar="[MAP]...",
        help="Mappen met KWB-bestanden (standaard ../shared/data en ../shared/real_responses).",
    ),
    csv: Path | None = typer.Option(None, "--csv", help="Schrijf de tabel ook als CSV."),
    show_all: bool = typer.Option(
        False, "--alles", help="Toelichting ook bij 'ja' (in welke kolom gevonden)."
    ),
) -> None:
    """Per indicator en KWB-jaar (2013–2025): gevonden, hernoemd, nog niet, vervallen."""
    # lazy: --help loads every command module (these at top: 9.2 s, 3040 modules; now 0.3 s)
    from veerkracht.kwb_dekking import (
        column_lists,
        coverage,
        default_folders,
        explanations,
        table_rows,
    )

    folders = list(given_folders) if given_folders else default_folders()
    cov = coverage(column_lists(folders))
    table = Table(title="KWB-variabelen per indicator en jaar")
    table.add_column("Indicator")
    for year in cov.columns:
        table.add_column(str(year))
    for key, statuses in table_rows(cov):
        table.add_row(key, *statuses)
    console.print(table)
    notes = Table(title="Toelichting")
    for col in ("Indicator", "Jaar", "Status", "Waar / waarom"):
        notes.add_column(col)
    for key, year, status, detail in explanations(cov):
        if show_all or status != "ja":
            notes.add_row(key, str(year), status, detail)
    console.print(notes)
    console.print("'–' = geen KWB-bestand van dat jaar in " + ", ".join(map(str, folders)))
    if csv:
        # lazy: --help loads every command module (these at top: 9.2 s, 3040 modules; now 0.3 s)
        import pandas as pd

        rows = [
            {"indicator": k, "jaar": y, "status": st, "toelichting": d}
            for k, y, st, d in explanations(cov)
        ]
        pd.DataFrame(rows).to_csv(csv, index=False)
        console.print(f"CSV geschreven: {csv}")


@app.command("vertalen")
def translate_command(
    gemeente: str = typer.Option(..., "--gemeente", help="Gemeentenaam of GM-code (GM0363)."),
    target_edition: int = typer.Option(
        ..., "--naar", help="Referentie-indeling (jaar), bijv. 2022."
    ),
    weights: Path | None = typer.Option(
        None,
        "--gewichten",
        help="CSV/XLSX met adrespunten (x/y of lat/lon) en een aantal, bv. woningen per adres: "
        "gesplitste buurten worden dan naar woningen verdeeld in plaats van naar oppervlakte.",
    ),
    weight_column: str = typer.Option(
        "woningen", "--gewichtkolom", help="Kolom met het aantal per punt."
    ),
    store: Path | None = STORE_OPTION,
) -> None:
    """Vertaal alle buurtcijfers van een gemeente naar één buurtindeling (met behoudsfout)."""
    # lazy: --help loads every command module (these at top: 9.2 s, 3040 modules; now 0.3 s)
    from veerkracht.harmonise import summary, translate
    from veerkracht.status import _pct
    from veerkracht.store import Store

    settings = settings_for(store)
    points = _weight_points(weights, weight_column) if weights else None
    with Store(settings.store_path, must_exist=True) as st:
        result = translate(st, gemeente=gemeente, edition=target_edition, points=points)
    table = Table(
        title=_plain(
            f"{result.gemeente_name} ({result.gemeente_code}) vertaald naar indeling "
            f"{result.edition}"
        )
    )
    for col in (
        "Niveau",
        "Van",
        "Periode",
        "Methode",
        "Via",
        "Waarden",
        "Fout inwoners",
        "Max. behoudsfout",
        "Variabele",
        "Niet gekoppeld",
    ):
        table.add_column(col)
    for row in summary(result).itertuples():
        table.add_row(
            _text(row.level),
            str(row.source_edition),
            str(row.period),
            _text(row.method),
            _text(row.via),
            fmt(int(row.n_values)),
            _pct(row.population_error),
            _pct(row.max_error),
            _text(row.max_error_variable),
            "–"
            if row.n_unmatched is None or row.n_unmatched != row.n_unmatched
            else fmt(int(row.n_unmatched)),
        )
    console.print(table)
    for plan in result.plans:
        for note in plan.notes:
            # the translation is committed: names in a note must not be read as markup
            console.print(Text(f"{plan.level} {plan.source_edition}: ", style="yellow") + note)

"""``veerkracht bestuurskaart GEMEENTE``: one landscape page (A4 or A3 PDF) for the board."""

from __future__ import annotations

from pathlib import Path

import typer

from veerkracht.cli._common import REFERENCE_OPTION, STORE_OPTION, console, settings_for

DEFAULT_OUT = Path("veerkracht-uitvoer")


def bestuurskaart(
    gemeente: str = typer.Argument(..., help="Gemeentenaam of GM-code, bv. Amsterdam of GM0363."),
    formaat: str = typer.Option("A4", "--formaat", help="Papierformaat: A4 of A3 (liggend)."),
    van: int | None = typer.Option(
        None, "--van", help="Beginjaar (standaard: gekozen bij het meest recente eindjaar)."
    ),
    tot: int | None = typer.Option(
        None, "--tot", help="Eindjaar (standaard: het meest recente jaar met gegevens)."
    ),
    uit: Path = typer.Option(DEFAULT_OUT, "--uit", "--uitvoer", help="Map voor de kaart."),
    eigen_data: Path | None = typer.Option(
        None,
        "--eigen-data",
        help="CSV/XLSX met de complexen van de corporatie (x/y, lat/lon of buurtcode): "
        "als driehoekjes op de kaart.",
    ),
    organisatie: str = typer.Option(
        "eigen bezit", "--organisatie", help="Naam van de organisatie voor de legenda."
    ),
    png: bool = typer.Option(False, "--png", help="Ook een PNG (150 dpi) voor presentaties."),
    indeling: int | None = typer.Option(
        None, "--indeling", help="Buurtindeling (jaar); standaard die van het eindjaar."
    ),
    referentie: str | None = REFERENCE_OPTION,
    store: Path | None = STORE_OPTION,
) -> None:
    """Bestuurskaart: één pagina met de signaleringskaart, de genummerde buurten die aandacht
    vragen, de aantallen per signaal en de bronnen."""
    # lazy: --help loads every command module (these at top: 9.2 s, 3040 modules; now 0.3 s)
    from veerkracht.maps.board import (
        attention_buurten,
        check_paper,
        own_points,
        render_board_map,
    )

    # lazy: --help loads every command module (these at top: 9.2 s, 3040 modules; now 0.3 s)
    from veerkracht.maps.from_signals import mapset_from_view
    from veerkracht.pipeline import open_view

    paper = check_paper(formaat.upper())  # before the signals are computed
    settings = settings_for(store)
    st, view = open_view(
        settings.store_path, gemeente, van, tot, edition=indeling, reference=referentie
    )
    with st:
        mapset = mapset_from_view(st, view)
    points = None
    if eigen_data is not None:
        # lazy: --help loads every command module (these at top: 9.2 s, 3040 modules; now 0.3 s)
        from veerkracht.sources.own_data import own_data_from_file

        own = own_data_from_file(eigen_data, organisation=organisatie, edition=view.edition)
        points = own_points(own, mapset)
    folder = uit / f"{mapset.gemeente_code.lower()}_{view.start}_{view.end}"
    written = render_board_map(
        view,
        mapset,
        folder,
        paper=paper,
        own_points=points,
        own_label=f"Complexen {organisatie}",
        png=png,
    )
    named = attention_buurten(view.result)
    console.print(
        f"Bestuurskaart {view.gemeente.name} ({view.start}–{view.end}, {paper}): "
        f"{len(named)} buurten genummerd"
        + (f", {len(points)} complexen getekend" if points is not None else "")
        + ".",
        markup=False,
    )
    for path in written:
        console.print(f"  {path}", highlight=False)


def register(app: typer.Typer) -> None:
    app.command(name="bestuurskaart")(bestuurskaart)

"""``veerkracht bestuurskaart GEMEENTE``: one landscape page (A4 or A3 PDF) for the board."""

from __future__ import annotations

from pathlib import Path

import typer

from veerkracht.cli._common import (
    OWN_DATA_EDITION_OPTION,
    OWN_DATA_OPTION,
    OWN_DATA_TITLE_OPTION,
    REFERENCE_OPTION,
    STORE_OPTION,
    console,
    settings_for,
    with_own_data,
)

DEFAULT_OUT = Path("veerkracht-uitvoer")


def board_map_command(
    gemeente: str = typer.Argument(..., help="Gemeentenaam of GM-code, bv. Amsterdam of GM0363."),
    paper_size: str = typer.Option("A4", "--formaat", help="Papierformaat: A4 of A3 (liggend)."),
    start_year: int | None = typer.Option(
        None, "--van", help="Beginjaar (standaard: gekozen bij het meest recente eindjaar)."
    ),
    end_year: int | None = typer.Option(
        None, "--tot", help="Eindjaar (standaard: het meest recente jaar met gegevens)."
    ),
    out_dir: Path = typer.Option(DEFAULT_OUT, "--uit", "--uitvoer", help="Map voor de kaart."),
    own_data: Path | None = OWN_DATA_OPTION,
    own_data_edition: int | None = OWN_DATA_EDITION_OPTION,
    own_data_title: str | None = OWN_DATA_TITLE_OPTION,
    png: bool = typer.Option(False, "--png", help="Ook een PNG (150 dpi) voor presentaties."),
    edition: int | None = typer.Option(
        None, "--indeling", help="Buurtindeling (jaar); standaard die van het eindjaar."
    ),
    reference: str | None = REFERENCE_OPTION,
    store: Path | None = STORE_OPTION,
) -> None:
    """Bestuurskaart: één pagina met de signaleringskaart, de genummerde buurten die aandacht
    vragen, de aantallen per signaal en de bronnen."""
    # lazy: --help loads every command module (these at top: 9.2 s, 3040 modules; now 0.3 s)
    from veerkracht.maps.board import attention_buurten, check_paper, render_board_map
    from veerkracht.maps.from_signals import mapset_from_view
    from veerkracht.pipeline import open_view

    paper = check_paper(paper_size.upper())  # before the signals are computed
    settings = settings_for(store)
    st, view = open_view(
        settings.store_path, gemeente, start_year, end_year, edition=edition, reference=reference
    )
    with st:
        mapset = mapset_from_view(st, view)
        if own_data is not None:
            mapset = with_own_data(st, mapset, own_data, own_data_edition, own_data_title, view)
    folder = out_dir / f"{mapset.gemeente_code.lower()}_{view.start}_{view.end}"
    written = render_board_map(
        view,
        mapset,
        folder,
        paper=paper,
        png=png,
    )
    named = attention_buurten(view.result)
    console.print(
        f"Bestuurskaart {view.gemeente.name} ({view.start}–{view.end}, {paper}): "
        f"{len(named)} buurten genummerd" + "".join(f"; {o.label}" for o in mapset.overlays) + ".",
        markup=False,
    )
    for path in written:
        console.print(f"  {path}", highlight=False)


def register(app: typer.Typer) -> None:
    app.command(name="bestuurskaart")(board_map_command)

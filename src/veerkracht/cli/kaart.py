"""``veerkracht kaart GEMEENTE``: the signalling maps (PNG/SVG/PDF) and one offline HTML map."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from veerkracht.cli._common import (
    REFERENCE_OPTION,
    STORE_OPTION,
    console,
    err_console,
    settings_for,
)
from veerkracht.cli.signalen import print_view_summary
from veerkracht.errors import NetworkError
from veerkracht.settings import DEFAULT_OUT_DIR


def kaart(
    gemeente: str = typer.Argument(..., help="Gemeentenaam of GM-code, bv. Amsterdam of GM0363."),
    van: int | None = typer.Option(
        None, "--van", help="Beginjaar (standaard: gekozen bij het meest recente eindjaar)."
    ),
    tot: int | None = typer.Option(
        None, "--tot", help="Eindjaar (standaard: het meest recente jaar met gegevens)."
    ),
    uit: Path = typer.Option(DEFAULT_OUT_DIR, "--uit", help="Map voor de kaarten."),
    labels: bool = typer.Option(False, "--labels", help="Buurtnamen op de kaarten."),
    achtergrond: bool = typer.Option(
        False,
        "--achtergrond",
        help="Achtergrondkaart van PDOK onder de buurten (alleen online; ook zonder compleet).",
    ),
    indeling: int | None = typer.Option(
        None, "--indeling", help="Buurtindeling (jaar); standaard die van het eindjaar."
    ),
    referentie: str | None = REFERENCE_OPTION,
    eigen_data: Path | None = typer.Option(
        None,
        "--eigen-data",
        help="CSV/XLSX met eigen gegevens (buurtcode, postcode, adres of coördinaten) die als "
        "symbolen met een eigen legenda op elke kaart komen.",
    ),
    eigen_data_indeling: int | None = typer.Option(
        None,
        "--eigen-data-indeling",
        help="Buurtindeling (jaar) van de buurtcodes of grenzen in --eigen-data; standaard die "
        "van de kaart.",
    ),
    eigen_data_titel: str | None = typer.Option(
        None, "--eigen-data-titel", help="Naam in de legenda, bv. 'Complexen 2024'."
    ),
    store: Path | None = STORE_OPTION,
) -> None:
    """Signaleringskaarten per buurt: PNG (300 dpi), SVG, PDF en één interactieve HTML-kaart."""
    # lazy: --help loads every command module (these at top: 9.2 s, 3040 modules; now 0.3 s)
    from veerkracht.maps.from_signals import mapset_from_view
    from veerkracht.maps.interactive import render_html
    from veerkracht.maps.static import render_maps, render_processes, start_workers
    from veerkracht.pipeline import open_view

    processes = render_processes()
    start_workers(processes)  # matplotlib loads in the background while signals are computed
    settings = settings_for(store)
    st, view = open_view(
        settings.store_path, gemeente, van, tot, edition=indeling, reference=referentie
    )
    with st:
        mapset = mapset_from_view(st, view)
        if eigen_data is not None:
            mapset = _with_own_data(
                st, mapset, eigen_data, eigen_data_indeling, eigen_data_titel, view
            )
    print_view_summary(view, brief=True)
    van, tot = view.start, view.end

    basemap = _basemap_settings(settings, mapset) if achtergrond else None
    folder = uit / f"{mapset.gemeente_code.lower()}_{van}_{tot}"
    written: list[Path] = []
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("Kaarten tekenen", total=len(mapset.layers) + 1)
        html = folder / f"{mapset.gemeente_code.lower()}_kaart.html"

        def html_meanwhile() -> None:
            render_html(mapset, html)
            progress.update(task, advance=1, description="Interactieve kaart (HTML) klaar")

        written += render_maps(
            mapset,
            folder,
            labels=labels,
            basemap=basemap,
            processes=processes,
            on_done=lambda layer: progress.update(
                task, advance=1, description=f"Kaart klaar: {layer.title}"
            ),
            meanwhile=html_meanwhile,
        )
        written.append(html)
    console.print(
        f"{len(mapset.layers)} kaarten van {mapset.gemeente_name} "
        f"(buurtindeling {mapset.edition}, {van}–{tot}) geschreven naar {folder}:",
        markup=False,
    )
    if mapset.without_geometry:
        names = ", ".join(f"{name} ({code})" for code, name in mapset.without_geometry)
        console.print(
            f"Niet op de kaart (geen grens in de bron), wel in de tabellen: {names}",
            markup=False,
        )
    for path in written:
        console.print(f"  {path}", highlight=False)


def _with_own_data(st, mapset, path: Path, edition: int | None, title: str | None, view):
    """The map set with the file's rows as an overlay; unplaceable rows listed, not drawn.

    The same placement as the web app and Python (:func:`veerkracht.own_data.place_own_data`).
    """
    # lazy: --help loads every command module (these at top: 9.2 s, 3040 modules; now 0.3 s)
    from veerkracht.maps.layers import own_data_overlay
    from veerkracht.own_data import own_data_points, place_own_data

    placement = place_own_data(
        st,
        path,
        gemeente=view.result.gemeente.code,
        edition=edition or view.result.edition,
    )
    overlay = own_data_overlay(own_data_points(st, placement), title or path.stem)
    console.print(
        f"Eigen gegevens ({path.name}, buurtindeling {placement.edition}): "
        f"{placement.n_placed} van {placement.n_rows} rijen geplaatst; op de kaart als "
        f"'{overlay.label}'.",
        markup=False,
    )
    if placement.unplaced:
        table = Table(title="Niet te plaatsen (niet op de kaart)")
        for column in ("Rij", "Waarde", "Reden"):
            table.add_column(column)
        for u in placement.unplaced:
            table.add_row(str(u.row), u.key, u.reason)
        console.print(table)
    for note in placement.notes:
        console.print(f"  {note}", markup=False)
    return replace(mapset, overlays=[overlay])


def _basemap_settings(settings, mapset):
    """Settings to draw the background with, or None (with a Dutch warning) when offline."""
    # lazy: --help loads every command module (these at top: 9.2 s, 3040 modules; now 0.3 s)
    from veerkracht.maps.basemap import mosaic, tile_range

    try:
        # one small fetch up front: offline, every map would otherwise fail the same way
        mosaic(settings, tile_range(tuple(mapset.buurten.total_bounds), 200))
    except NetworkError as exc:
        err_console.print(
            f"[yellow]Geen achtergrondkaart:[/] {exc.message}. De kaarten worden zonder "
            "achtergrond gemaakt (ze zijn daarmee compleet).",
            highlight=False,
        )
        return None
    return settings


def register(app: typer.Typer) -> None:
    app.command(name="kaart")(kaart)

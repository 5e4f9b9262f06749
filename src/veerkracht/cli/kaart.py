"""``veerkracht kaart GEMEENTE``: the signalling maps (PNG/SVG/PDF) and one offline HTML map."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from veerkracht.cli._common import (
    OWN_DATA_EDITION_OPTION,
    OWN_DATA_OPTION,
    OWN_DATA_TITLE_OPTION,
    REFERENCE_OPTION,
    STORE_OPTION,
    console,
    err_console,
    settings_for,
    with_own_data,
)
from veerkracht.cli.signalen import print_view_summary
from veerkracht.errors import NetworkError
from veerkracht.settings import DEFAULT_OUT_DIR


def maps_command(
    gemeente: str = typer.Argument(..., help="Gemeentenaam of GM-code, bv. Amsterdam of GM0363."),
    start_year: int | None = typer.Option(
        None, "--van", help="Beginjaar (standaard: gekozen bij het meest recente eindjaar)."
    ),
    end_year: int | None = typer.Option(
        None, "--tot", help="Eindjaar (standaard: het meest recente jaar met gegevens)."
    ),
    out_dir: Path = typer.Option(DEFAULT_OUT_DIR, "--uit", help="Map voor de kaarten."),
    labels: bool = typer.Option(False, "--labels", help="Buurtnamen op de kaarten."),
    with_basemap: bool = typer.Option(
        False,
        "--achtergrond",
        help="Achtergrondkaart van PDOK onder de buurten (alleen online; ook zonder compleet).",
    ),
    edition: int | None = typer.Option(
        None, "--indeling", help="Buurtindeling (jaar); standaard die van het eindjaar."
    ),
    reference: str | None = REFERENCE_OPTION,
    own_data: Path | None = OWN_DATA_OPTION,
    own_data_edition: int | None = OWN_DATA_EDITION_OPTION,
    own_data_title: str | None = OWN_DATA_TITLE_OPTION,
    store: Path | None = STORE_OPTION,
) -> None:
    """Signaleringskaarten per buurt: PNG (300 dpi), SVG, PDF en één interactieve HTML-kaart."""
    # lazy: --help loads every command module (these at top: 9.2 s, 3040 modules; now 0.3 s)
    from veerkracht.maps.from_signals import mapset_from_view
    from veerkracht.maps.interactive import render_html
    from veerkracht.maps.workers import render_maps, render_processes, start_workers
    from veerkracht.pipeline import open_view

    processes = render_processes()
    start_workers(processes)  # matplotlib loads in the background while signals are computed
    settings = settings_for(store)
    st, view = open_view(
        settings.store_path, gemeente, start_year, end_year, edition=edition, reference=reference
    )
    with st:
        mapset = mapset_from_view(st, view)
        if own_data is not None:
            mapset = with_own_data(st, mapset, own_data, own_data_edition, own_data_title, view)
    print_view_summary(view, brief=True)
    start_year, end_year = view.start, view.end

    basemap = _basemap_settings(settings, mapset) if with_basemap else None
    folder = out_dir / f"{mapset.gemeente_code.lower()}_{start_year}_{end_year}"
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
        f"(buurtindeling {mapset.edition}, {start_year}–{end_year}) geschreven naar {folder}:",
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
    app.command(name="kaart")(maps_command)

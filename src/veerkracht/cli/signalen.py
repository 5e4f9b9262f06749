"""``veerkracht signalen GEMEENTE``: the signal table per buurt."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from veerkracht.cli._common import (
    REFERENCE_OPTION,
    STORE_OPTION,
    console,
    err_console,
    settings_for,
)
from veerkracht.errors import ParameterError
from veerkracht.settings import DEFAULT_OUT_DIR, DEFAULT_SCHEME


def signals_command(
    gemeente: str = typer.Argument(..., help="Gemeentenaam of GM-code, bv. Amsterdam of GM0363."),
    start_year: int | None = typer.Option(
        None, "--van", help="Beginjaar (standaard: gekozen bij het meest recente eindjaar)."
    ),
    end_year: int | None = typer.Option(
        None, "--tot", help="Eindjaar (standaard: het meest recente jaar met gegevens)."
    ),
    edition: int | None = typer.Option(
        None, "--indeling", help="Buurtindeling (jaar); standaard die van het eindjaar."
    ),
    reference: str | None = REFERENCE_OPTION,
    scheme: str = typer.Option(
        DEFAULT_SCHEME, "--klassen", help="Klassenschema: kwantielen, fisher_jenks of grenzen."
    ),
    typology: Path | None = typer.Option(
        None, "--typologie", help="Eigen typologie-instellingen (TOML)."
    ),
    model: str = typer.Option(
        "ols", "--model", help="Regressie: ols (robuuste fouten), lag of error (ruimtelijk)."
    ),
    hotspots: bool = typer.Option(
        False,
        "--hotspots",
        help="Ook het blad 'Hotspots (LISA)' (lokale Moran's I, 999 permutaties; ± 1 s extra). "
        "Het rapport toont ze altijd.",
    ),
    out_dir: Path = typer.Option(DEFAULT_OUT_DIR, "--uit", help="Map voor CSV en XLSX."),
    store: Path | None = STORE_OPTION,
) -> None:
    """Signalen per buurt: concentratie, ontwikkeling en typologie, met redenen."""
    # lazy: --help loads every command module (these at top: 9.2 s, 3040 modules; now 0.3 s)
    from veerkracht.pipeline import open_view
    from veerkracht.signals import load_typology
    from veerkracht.signals.export import write_signal_tables
    from veerkracht.signals.typology import SIGNAL_CODES

    if model not in {"ols", "lag", "error"}:
        raise ParameterError(
            "--model", model, "onbekend regressiemodel", fix="Kies ols, lag of error."
        )
    settings = settings_for(store)
    config = load_typology(typology) if typology else None
    st, view = open_view(
        settings.store_path,
        gemeente,
        start_year,
        end_year,
        edition=edition,
        reference=reference,
        config=config,
        scheme=scheme,
    )
    with st:
        paths = write_signal_tables(view, out_dir, store=st, model=model, hotspots=hotspots)
    print_view_summary(view)
    result = view.result
    order = {c.code: i for i, c in enumerate(result.config.classes)}
    ranked = result.table.assign(_o=result.table.typology.map(order)).sort_values(
        ["_o", "region_code"]
    )
    detail = Table(title="Buurten met een signaal", show_lines=False)
    for col in ("Buurt", "Code", "Signaal", "Regels"):
        detail.add_column(col, overflow="fold")
    flagged = ranked[ranked.typology.isin(SIGNAL_CODES)]
    for row in flagged.head(25).itertuples():
        detail.add_row(str(row.name), row.region_code, _label(row), row.rules)
    if len(flagged) > 25:
        detail.caption = (
            f"… en {len(flagged) - 25} buurten meer; alle redenen staan in de CSV/XLSX."
        )
    console.print(detail)
    for p in paths:
        console.print(f"Geschreven: {p}", markup=False)


def _label(row) -> str:
    # lazy: --help loads every command module (these at top: 9.2 s, 3040 modules; now 0.3 s)
    import pandas as pd

    step = "" if pd.isna(row.step) else f" (stap {int(row.step)})"
    return f"{row.typology_label}{step}"


def print_view_summary(view, *, brief: bool = False) -> None:
    """What every command prints about a view: period, reference, classes, rules, coverage.

    ``brief`` (maps, report): period, reference, class counts, warnings and coverage.
    """
    result = view.result
    console.print(
        f"{result.gemeente.name} ({result.gemeente.code}): {view.period_line()}", markup=False
    )
    console.print(view.reference_line(), markup=False)
    counts = result.class_counts()
    summary = Table(title=f"Signalen {result.gemeente.name}, {view.start}–{view.end}")
    summary.add_column("Signaal")
    summary.add_column("Buurten", justify="right")
    for cls in result.config.classes:
        summary.add_row(cls.label, str(counts.get(cls.code, 0)))
    console.print(summary)
    if brief:
        console.print(
            "Regels (buurten aangewezen van beoordeeld): "
            + ", ".join(f"{r.code} {r.flagged}/{r.judged}" for r in result.rules),
            markup=False,
        )
        for warning in view.warnings:
            err_console.print(f"[yellow]{escape(warning)}[/]")
        for line in view.coverage.lines():
            console.print(f"  {line}", markup=False)
        return
    rules = Table(title="Regels: hoeveel buurten elke regel aanwijst")
    for col in ("Regel", "Omschrijving", "Buurten", "Van"):
        rules.add_column(col, justify="right" if col in {"Buurten", "Van"} else "left")
    for rule in result.rules:
        rules.add_row(rule.code, rule.title, str(rule.flagged), str(rule.judged))
    console.print(rules)
    for warning in view.warnings:
        err_console.print(f"[yellow]{escape(warning)}[/]")
    console.print("Dekking:", markup=False)
    for line in view.coverage.lines():
        console.print(f"  {line}", markup=False)
    console.print("Bronnen: " + "; ".join(s.citation() for s in result.sources), markup=False)


def register(app: typer.Typer) -> None:
    app.command("signalen")(signals_command)

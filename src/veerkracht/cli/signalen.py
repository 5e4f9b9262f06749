"""``veerkracht signalen GEMEENTE``: the signal table per buurt."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from veerkracht.cli._common import STORE_OPTION, settings_for

DEFAULT_OUT = Path("veerkracht-uitvoer")


def signalen(
    gemeente: str = typer.Argument(..., help="Gemeentenaam of GM-code, bv. Amsterdam of GM0363."),
    van: int = typer.Option(2017, "--van", help="Beginjaar."),
    tot: int = typer.Option(2019, "--tot", help="Eindjaar."),
    indeling: int | None = typer.Option(
        None, "--indeling", help="Buurtindeling (jaar); standaard die van het eindjaar."
    ),
    klassen: str = typer.Option(
        "kwantielen", "--klassen", help="Klassenschema: kwantielen, fisher_jenks of grenzen."
    ),
    typologie: Path | None = typer.Option(
        None, "--typologie", help="Eigen typologie-instellingen (TOML)."
    ),
    model: str = typer.Option(
        "ols", "--model", help="Regressie: ols (robuuste fouten), lag of error (ruimtelijk)."
    ),
    uit: Path = typer.Option(DEFAULT_OUT, "--uit", help="Map voor CSV en XLSX."),
    store: Path | None = STORE_OPTION,
) -> None:
    """Signalen per buurt: concentratie, ontwikkeling en typologie, met redenen."""
    from veerkracht.cli import console
    from veerkracht.errors import ParameterError
    from veerkracht.signals import load_typology, prepare, signals_for_gemeente
    from veerkracht.signals.export import write_signal_tables
    from veerkracht.store import Store

    if model not in {"ols", "lag", "error"}:
        raise ParameterError(
            "--model", model, "onbekend regressiemodel", fix="Kies ols, lag of error."
        )
    settings = settings_for(store)
    with Store(settings.store_path, must_exist=True) as st:
        gm, indeling = prepare(st, gemeente, van, tot, indeling)
        gemeente = gm.code  # resolved once
        config = load_typology(typologie) if typologie else None
        result = signals_for_gemeente(
            st, gemeente, van, tot, edition=indeling, config=config, scheme=klassen
        )
        paths = write_signal_tables(result, uit, store=st, model=model)

    counts = result.table.typologie_label.value_counts()
    summary = Table(
        title=f"Signalen {result.gemeente.name}, {van}–{tot} (buurtindeling {result.edition})"
    )
    summary.add_column("Signaal")
    summary.add_column("Buurten", justify="right")
    for cls in result.config.classes if result.config else []:
        summary.add_row(cls.label, str(int(counts.get(cls.label, 0))))
    console.print(summary)

    order = {c.code: i for i, c in enumerate(result.config.classes)} if result.config else {}
    ranked = result.table.assign(_o=result.table.typologie.map(order)).sort_values(
        ["_o", "region_code"]
    )
    detail = Table(title="Buurten met een signaal", show_lines=False)
    for col in ("Buurt", "Code", "Signaal", "Regels"):
        detail.add_column(col, overflow="fold")
    flagged = ranked[ranked.typologie.isin(["PRO", "KWE", "VER", "TOE"])]
    for row in flagged.head(25).itertuples():
        detail.add_row(str(row.naam), row.region_code, row.typologie_label, row.regels)
    if len(flagged) > 25:
        detail.caption = (
            f"… en {len(flagged) - 25} buurten meer; alle redenen staan in de CSV/XLSX."
        )
    console.print(detail)
    console.print("Bronnen: " + "; ".join(s.citation() for s in result.sources))
    for p in paths:
        console.print(f"Geschreven: {p}")


def register(app: typer.Typer) -> None:
    app.command("signalen")(signalen)

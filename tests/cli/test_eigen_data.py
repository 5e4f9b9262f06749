"""``veerkracht kaart … --eigen-data FILE``: the same placement as web and Python, drawn."""

from __future__ import annotations

from pathlib import Path


def test_kaart_draws_own_data_and_lists_unplaced_rows(amsterdam_store, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from veerkracht.cli import _register, app

    _register()  # the commands are added by main(); the runner calls the app itself

    data = tmp_path / "complexen.csv"
    data.write_text(
        "complex;buurtcode;woningen\nC1;BU03630000;120\nC2;BU05990101;45\nC3;BU03630001;12\n",
        encoding="utf-8",
    )
    out = tmp_path / "uit"
    result = CliRunner().invoke(
        app,
        [
            "kaart",
            "GM0363",
            "--van",
            "2017",
            "--tot",
            "2019",
            "--eigen-data",
            str(data),
            "--eigen-data-titel",
            "Complexen 2024",
            "--uit",
            str(out),
            "--store",
            str(amsterdam_store.path),
        ],
        terminal_width=200,
    )
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "2 van 3 rijen geplaatst" in text
    assert "Niet te plaatsen" in text
    assert "buurtcode BU05990101 hoort bij een andere gemeente (GM0599)" in text
    html = next(out.rglob("*_kaart.html")).read_text(encoding="utf-8")
    assert "Eigen gegevens: Complexen 2024 (2 rijen in 2 buurten)" in html
    svg = next(out.rglob("*_typologie.svg")).read_text(encoding="utf-8")
    assert "Eigen gegevens: Complexen 2024" in svg and "n_rijen" not in svg

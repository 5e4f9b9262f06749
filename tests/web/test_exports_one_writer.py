"""The web app's table exports are the CLI's: the same sheets, headers and values, written
by the one writer (``signals.export``). Compared by sheet name, header and key columns
(buurt code; the first column elsewhere), never by row position."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
from openpyxl import load_workbook

from veerkracht.pipeline import signal_view
from veerkracht.settings import DEFAULT_REFERENCE, DEFAULT_SCHEME
from veerkracht.signals.export import write_signal_tables

VIEW = ("GM0363", 2017, 2019, None, DEFAULT_SCHEME, DEFAULT_REFERENCE)


def _sheets(data: bytes) -> dict[str, pd.DataFrame]:
    book = load_workbook(io.BytesIO(data), read_only=True)
    out = {}
    for sheet in book.worksheets:
        rows = list(sheet.iter_rows(values_only=True))
        out[sheet.title] = pd.DataFrame(rows[1:], columns=[str(c) for c in rows[0]])
    return out


def _by_key(frame: pd.DataFrame) -> pd.DataFrame:
    key = "Buurtcode" if "Buurtcode" in frame.columns else frame.columns[0]
    return frame.sort_values(key, kind="stable", key=lambda s: s.astype(str)).reset_index(
        drop=True
    )


def test_web_xlsx_and_csv_are_the_cli_tables(web_service, tmp_path: Path) -> None:
    gm, start, end, edition, scheme, reference = VIEW
    web_xlsx = _sheets(web_service.export(web_service.computed(VIEW), "xlsx"))
    web_csv = web_service.export(web_service.computed(VIEW), "csv")

    # the CLI's path: its own view from the pipeline, its own files
    view = signal_view(
        web_service.store, gm, start, end, edition=edition, scheme=scheme, reference=reference
    )
    csv_path, xlsx_path = write_signal_tables(view, tmp_path, web_service.store, hotspots=True)
    cli_xlsx = _sheets(xlsx_path.read_bytes())

    assert list(web_xlsx) == list(cli_xlsx)
    assert {"Signalen", "Verantwoording", "Vroegsignalering"} <= set(cli_xlsx)
    for name, cli_sheet in cli_xlsx.items():
        web_sheet = web_xlsx[name]
        assert list(web_sheet.columns) == list(cli_sheet.columns), name
        pd.testing.assert_frame_equal(_by_key(web_sheet), _by_key(cli_sheet), obj=name)
    signals = cli_xlsx["Signalen"]
    assert len(signals) > 400 and signals["Buurtcode"].is_unique
    assert web_csv == csv_path.read_bytes()
    assert web_csv.startswith("\ufeffBuurtcode;Buurt;Indeling".encode())

"""End to end on the real Amsterdam files in ../shared/data."""

from __future__ import annotations

import pytest

from veerkracht.signals import ensure_translation, signals_for_gemeente
from veerkracht.signals.export import signal_table


@pytest.fixture(scope="module")
def amsterdam(amsterdam_store):
    ensure_translation(amsterdam_store, "GM0363", 2019)
    return signals_for_gemeente(amsterdam_store, "Amsterdam", 2017, 2019)


def test_every_buurt_gets_exactly_one_class_with_reasons(amsterdam) -> None:
    t = amsterdam.table
    assert len(t) == 479  # all buurten of the 2019 edition
    assert t.region_code.is_unique
    assert t.typologie.notna().all()
    assert set(t.typologie) <= {"ONV", "PRO", "KWE", "VER", "TOE", "GEEN"}
    flagged = t[t.typologie != "GEEN"]
    assert (flagged.redenen.str.len() > 0).all()
    assert (t.typologie == "ONV").sum() > 0  # small/suppressed buurten are said to lack data


def test_periods_and_sources_are_stated(amsterdam) -> None:
    assert amsterdam.periods["laag_inkomen"] == (2017, 2019)
    assert amsterdam.periods["overlast_lbm2"] == (
        2016,
        2018,
    )  # Leefbaarometer 2.0 measurement years
    assert amsterdam.periods["moeite_rondkomen"] == (2016, 2020)
    citations = " | ".join(s.citation() for s in amsterdam.sources)
    assert "Kerncijfers wijken en buurten 2017 en 2019 (83765NED, 84583NED)" in citations
    assert "50090NED" in citations


def test_known_buurt_values(amsterdam) -> None:
    t = amsterdam.table.set_index("region_code")
    # Kop Zeedijk: low income households 2019 = 15,3 % in KWB 2019 vs NL 7,5 %
    kop = t.loc["BU03630000"]
    assert kop.naam == "Kop Zeedijk"
    nl_2019 = amsterdam.references.query("indicator == 'laag_inkomen' and period == 2019").nl.iloc[
        0
    ]
    assert nl_2019 == pytest.approx(7.5)
    assert kop.laag_inkomen__index_nl == pytest.approx(kop.laag_inkomen__tot / 7.5 * 100)


def test_export_columns_are_dutch(amsterdam, tmp_path) -> None:
    from veerkracht.signals.export import write_signal_tables

    table = signal_table(amsterdam)
    assert list(table.columns[:4]) == ["Buurtcode", "Buurt", "Indeling", "Signaalcode"]
    paths = write_signal_tables(amsterdam, tmp_path)
    assert [p.suffix for p in paths] == [".csv", ".xlsx"]
    import pandas as pd

    sheets = pd.read_excel(paths[1], sheet_name=None, engine="openpyxl")
    # without a store: no whole-NL start-class sheet and no statistics (they need the store)
    assert set(sheets) == {
        "Signalen",
        "Vroegsignalering",
        "Corporatiebezit",
        "Leefbaarheid x corporatie",
        "Omslagpunt",
        "Samengestelde scores",
        "Verantwoording",
    }
    assert (sheets["Verantwoording"].Onderwerp == "Bron").sum() >= 3

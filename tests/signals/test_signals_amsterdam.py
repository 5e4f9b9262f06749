"""End to end on the real Amsterdam files in ../shared/data.

Also keeps the distribution table in docs/signalen.md honest: classes per stadsdeel
(first letter of the 2015 municipal buurt code in the Amsterdam geometry file) and the
number of buurten every rule flags, for the default period and for 2017–2019.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from veerkracht.pipeline import signal_view
from veerkracht.signals.export import signal_table

DOCS = Path(__file__).parents[2] / "docs" / "signalen.md"
STADSDELEN = {
    "A": "Centrum",
    "B": "Westpoort",
    "E": "West",
    "F": "Nieuw-West",
    "K": "Zuid",
    "M": "Oost",
    "N": "Noord",
    "T": "Zuidoost",
}


@pytest.fixture(scope="module")
def default_view(amsterdam_store):
    return signal_view(amsterdam_store, "Amsterdam")


@pytest.fixture(scope="module")
def view_2017_2019(amsterdam_store):
    return signal_view(amsterdam_store, "Amsterdam", 2017, 2019)


@pytest.fixture(scope="module")
def amsterdam(view_2017_2019):
    return view_2017_2019.result


def test_every_buurt_gets_exactly_one_class_with_reasons(amsterdam) -> None:
    t = amsterdam.table
    assert len(t) == 479  # all buurten of the 2019 edition
    assert t.region_code.is_unique
    assert t.typology.notna().all()
    assert set(t.typology) <= {"KLEIN", "ONV", "PRO", "KWE", "VER", "TOE", "GEEN"}
    flagged = t[t.typology != "GEEN"]
    assert (flagged.reasons.str.len() > 0).all()


def test_small_buurten_get_no_signal_and_no_rate(amsterdam) -> None:
    t = amsterdam.table.set_index("region_code")
    amc = t.loc["BU03639205"]  # AMC: 35 inhabitants, 0 households
    assert amc.inwoners__end < 200
    assert amc.typology == "KLEIN"
    assert pd.isna(amc.geweld__end) and amc.geweld__status == "te weinig inwoners"
    small = t[t.inwoners__end < 200]
    assert (small.typology == "KLEIN").all()
    assert small.geweld__end.isna().all()


def test_no_rule_flags_more_than_half(default_view, view_2017_2019) -> None:
    for view in (default_view, view_2017_2019):
        for rule in view.result.rules:
            if rule.code in {"R-KLEIN", "R-DATA"}:
                continue
            assert rule.flagged <= rule.judged / 2, (view.period_line(), rule)
        assert not view.warnings


def test_every_flag_rests_on_a_buurt_level_value(default_view, view_2017_2019) -> None:
    for view in (default_view, view_2017_2019):
        t = view.result.table
        for row in t[t.typology.isin(["PRO", "KWE", "VER", "TOE"])].itertuples():
            parts = [p for p in row.reasons.split(" | ") if p]
            decisive = [p for p in parts if "telt niet mee" not in p or "; " in p]
            assert decisive, row.reasons
            # a 'probleem' needs a nuisance reason that is not a postcode approximation
            if row.typology == "PRO":
                over = next(p for p in parts if p.startswith("R-OVER"))
                texts = over.split(": ", 1)[1].split("; ")
                assert any("benadering" not in x for x in texts), row.reasons


def test_default_period_is_the_most_recent_with_data(default_view) -> None:
    assert default_view.choice.default
    assert (default_view.start, default_view.end) == (2017, 2020)
    assert (2017, 2019) in default_view.periods_that_work


def test_recent_period_without_core_data_stops_with_what_is_missing(amsterdam_store) -> None:
    from veerkracht.errors import NoDataError

    with pytest.raises(NoDataError) as err:
        signal_view(amsterdam_store, "Amsterdam", 2019, 2023)
    text = err.value.message + " " + (err.value.fix or "")
    assert "rond 2023" in text and "Huishoudens met een laag inkomen" in text
    assert "--van 2017 --tot 2020" in text  # and which periods do work


def test_periods_and_sources_are_stated(amsterdam) -> None:
    assert amsterdam.periods["laag_inkomen"] == (2017, 2019)
    assert amsterdam.periods["overlast_lbm2"] == (2016, 2018)  # LBM 2.0 measurement years
    assert amsterdam.periods["moeite_rondkomen"] == (2016, 2020)
    assert amsterdam.periods["geluidhinder_buren"] == (None, 2020)
    citations = " | ".join(s.citation() for s in amsterdam.sources)
    assert "Kerncijfers wijken en buurten 2017 en 2019 (83765NED, 84583NED)" in citations
    assert "Gezondheid per wijk en buurt 2016 en 2020 (50090NED)" in citations


def test_known_buurt_values(amsterdam) -> None:
    t = amsterdam.table.set_index("region_code")
    # Kop Zeedijk: low income households 2019 = 15,3 % in KWB 2019 vs NL 7,5 %
    kop = t.loc["BU03630000"]
    assert kop["name"] == "Kop Zeedijk"
    refs = amsterdam.references.query("indicator == 'laag_inkomen' and period == 2019")
    assert refs.nl.iloc[0] == pytest.approx(7.5)
    assert kop.laag_inkomen__index_nl == pytest.approx(kop.laag_inkomen__end / 7.5 * 100)
    # the default reference is the gemeente: index against Amsterdam's own 2019 figure
    assert kop.laag_inkomen__index_ref == pytest.approx(
        kop.laag_inkomen__end / refs.gemeente.iloc[0] * 100
    )


def test_export_columns_are_dutch(view_2017_2019, tmp_path) -> None:
    from veerkracht.signals.export import write_signal_tables

    table = signal_table(view_2017_2019.result)
    assert list(table.columns[:4]) == ["Buurtcode", "Buurt", "Indeling", "Signaalcode"]
    paths = write_signal_tables(view_2017_2019, tmp_path)
    assert [p.suffix for p in paths] == [".csv", ".xlsx"]
    sheets = pd.read_excel(paths[1], sheet_name=None, engine="openpyxl")
    assert {"Signalen", "Vroegsignalering", "Corporatiebezit", "Verantwoording"} <= set(sheets)
    why = sheets["Verantwoording"]
    assert (why.Onderwerp == "Bron").sum() >= 3
    assert (why.Onderwerp == "Dekking").sum() == 2
    assert why[why.Onderwerp == "Referentie"].Waarde.iloc[0].startswith("relatief")


def distribution_markdown(views, geometry_csv: Path) -> str:
    """Classes per stadsdeel and flags per rule, as a Markdown block."""
    geo = pd.read_csv(geometry_csv, usecols=["BUURTCODE_2015", "BUURTCODE_CBS_2015"])
    letter = dict(zip(geo.BUURTCODE_CBS_2015, geo.BUURTCODE_2015.str[0], strict=True))
    lines = []
    for view in views:
        t = view.result.table
        part = t.region_code.map(letter).map(STADSDELEN).fillna("(geen grens)")
        codes = [c.code for c in view.result.config.classes]
        counts = pd.crosstab(part, t.typology).reindex(columns=codes, fill_value=0)
        counts.loc["Totaal"] = counts.sum()
        lines.append(f"**{view.period_line()}**; {view.reference_line()}\n")
        lines.append("| stadsdeel | " + " | ".join(codes) + " |")
        lines.append("|---" * (len(codes) + 1) + "|")
        for name, row in counts.iterrows():
            lines.append(f"| {name} | " + " | ".join(str(int(v)) for v in row) + " |")
        lines.append("")
        lines.append("| regel | buurten | van |")
        lines.append("|---|---|---|")
        for rule in view.result.rules:
            lines.append(f"| {rule.code} {rule.title} | {rule.flagged} | {rule.judged} |")
        lines.append("")
    return "\n".join(lines).strip()


def test_distribution_table_in_docs(default_view, view_2017_2019, shared_data) -> None:
    table = distribution_markdown(
        [default_view, view_2017_2019],
        shared_data / "geometry_amsterdam" / "gemeente_amsterdam_buurten_2015_2022.csv",
    )
    print(table)
    text = DOCS.read_text(encoding="utf-8")
    block = re.search(r"<!-- verdeling:begin -->\n(.*?)\n<!-- verdeling:eind -->", text, re.S)
    assert block, (
        "docs/signalen.md mist het blok <!-- verdeling:begin --> … <!-- verdeling:eind -->"
    )
    assert block.group(1).strip() == table, "werk de tabel in docs/signalen.md bij:\n" + table

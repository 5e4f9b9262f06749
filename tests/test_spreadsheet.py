"""Formula neutralising, shared by every table written or read (veerkracht.spreadsheet)."""

import pandas as pd

from veerkracht.spreadsheet import neutralise_formulas


def test_formula_cells_get_a_quote_numbers_and_plain_text_do_not() -> None:
    frame = pd.DataFrame(
        {
            "tekst": ["=SOM(A1)", "+31 20", "-3", "+5", "@cmd", "gewoon", None, "\tx"],
            "getal": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0],
        }
    )
    out = neutralise_formulas(frame)
    assert out.tekst.tolist()[:6] == ["'=SOM(A1)", "'+31 20", "-3", "+5", "'@cmd", "gewoon"]
    assert pd.isna(out.tekst[6]) and out.tekst[7] == "'\tx"
    assert out.getal.tolist() == frame.getal.tolist()


def test_fullwidth_formula_signs_are_neutralised_too() -> None:
    out = neutralise_formulas(pd.DataFrame({"t": ["＝SOM(A1)", "＋1", "－HYPERLINK()", "＠x"]}))
    assert out.t.tolist() == ["'＝SOM(A1)", "'＋1", "'－HYPERLINK()", "'＠x"]


def test_a_column_without_formulas_keeps_its_text() -> None:
    frame = pd.DataFrame({"plaats": ["Súdwest-Fryslân", "Den Haag", None]})
    out = neutralise_formulas(frame)
    assert out.plaats.tolist()[:2] == ["Súdwest-Fryslân", "Den Haag"] and pd.isna(out.plaats[2])
    assert frame.plaats.tolist()[:2] == ["Súdwest-Fryslân", "Den Haag"]  # input not changed

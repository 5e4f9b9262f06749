"""The validation rules on their own: edge cases the bad-input corpus does not reach."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.reliability import make_bad_inputs as corpus


@pytest.mark.parametrize("chunk", [7, 64, 4 * 1024**2])
def test_scan_counts_lines_across_chunk_boundaries(
    tmp_path: Path, chunk: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    from veerkracht.settings import Limits
    from veerkracht.sources.validation import _core

    monkeypatch.setattr(_core, "_CHUNK", chunk)
    path = tmp_path / "a.csv"
    lines = ["kop;b", "1;2", "x" * 100, "", "Súdwest-Fryslân;3", "laatste zonder einde"]
    path.write_bytes("\n".join(lines).encode("utf-8"))
    scan = _core.scan_text(path, Limits())
    assert scan.n_lines == len(lines)
    assert (scan.longest, scan.longest_line) == (100, 3)
    assert scan.first_line == b"kop;b"
    assert scan.bad_offset is None and scan.utf8_chars == 2  # ú and â


def test_genuine_cp1252_file_is_still_imported(tmp_path: Path, no_workers) -> None:
    from tests.reliability.conftest import run_cli
    from veerkracht.store import Store

    folder = tmp_path / "excel"
    folder.mkdir()
    text = corpus.kwb_text(corpus.kwb_rows())
    (folder / "kwb-2019.csv").write_bytes(text.encode("cp1252"))  # Excel on Dutch Windows
    store = tmp_path / "store.duckdb"
    result = run_cli("data", "importeren", str(folder), "--store", str(store))
    assert result.code == 0, result.out
    with Store(store, read_only=True) as st:
        names = set(st.query("SELECT name FROM regions").name)
    assert {"Belgiëplein", "Súdwest-Fryslân"} <= names


def test_utf8_with_a_bad_byte_is_refused_by_the_reader_too(tmp_path: Path) -> None:
    """The CSV reader itself refuses a mixed file (for callers that skip the file rules)."""
    from veerkracht.sources import cbs_kwb
    from veerkracht.sources.validation import ValidationError

    path = tmp_path / "kwb-2019.csv"
    raw = corpus.kwb_text(corpus.kwb_rows()).encode("utf-8").replace(b"Cruquius", b"Cruqu\xefus")
    path.write_bytes(raw)
    with pytest.raises(ValidationError, match=r"rij 7: .*regel 7 is geen geldige UTF-8.*VK104"):
        cbs_kwb.read_csv(path)


def _values(codes: list[int], values: list[float]):
    from veerkracht.store._rows import ValueRows

    n = len(codes)
    return ValueRows(
        region_keys=[(f"BU0363{c:04d}", "buurt") for c in range(max(codes) + 1)],
        region_index=np.array(codes, dtype="int32"),
        variables=["kwb.a_inw"],
        variable_index=np.zeros(n, dtype="int32"),
        edition=np.full(n, 2019, dtype="int32"),
        period=np.full(n, 2019, dtype="int32"),
        value=np.array(values, dtype="float64"),
        status=np.zeros(n, dtype="uint8"),
    )


def test_exact_repeats_are_not_conflicts() -> None:
    from veerkracht.sources.validation.duplicates import conflicting

    assert not conflicting(_values([0, 1, 1, 2], [1.0, 2.0, 2.0, 3.0])).any()
    bad = conflicting(_values([0, 1, 1, 2, 2], [1.0, 2.0, 2.0, 3.0, np.nan]))
    assert bad.tolist() == [False, False, False, True, True]  # a value against an empty one


def test_ordinary_xlsx_passes_the_archive_rule(tmp_path: Path) -> None:
    import pandas as pd

    from veerkracht.sources.validation import check_file

    path = tmp_path / "kwb-2019.xlsx"
    pd.DataFrame(corpus.kwb_rows()).to_excel(path, index=False)
    check_file(path)  # no exception: sizes and ratios of a real workbook are fine


def test_limits_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from veerkracht.errors import ParameterError
    from veerkracht.settings import get_limits

    monkeypatch.setenv("VEERKRACHT_LIMIET_MAX_ROWS", "1_000")
    monkeypatch.setenv("VEERKRACHT_LIMIET_MAX_PACK_RATIO", "12.5")
    limits = get_limits()
    assert (limits.max_rows, limits.max_pack_ratio) == (1000, 12.5)
    monkeypatch.setenv("VEERKRACHT_LIMIET_MAX_ROWS", "veel")
    with pytest.raises(ParameterError, match="VEERKRACHT_LIMIET_MAX_ROWS"):
        get_limits()


def test_own_data_and_read_check_the_file_first(tmp_path: Path) -> None:
    """Every entry point that opens a file (uploads of own data too) refuses a zip bomb."""
    from veerkracht.sources.own_data import own_data_from_file
    from veerkracht.sources.registry import read
    from veerkracht.sources.validation import ValidationError

    corpus._zip_bomb(tmp_path)
    bomb = tmp_path / "kwb-2019.xlsx"
    with pytest.raises(ValidationError, match="VK102"):
        own_data_from_file(bomb, organisation="Woonstichting X")
    with pytest.raises(ValidationError, match="VK102"):
        read(bomb)


def test_json_depth_ignores_brackets_in_strings_and_chunk_edges(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from veerkracht.sources.validation import json_depth

    monkeypatch.setattr(json_depth, "_CHUNK", 7)  # split escapes and strings across chunks
    path = tmp_path / "a.json"
    path.write_text('{"a\\\\": "[[[\\"{{{", "b": [[1, {"c": "]]]"}]], "d": "\\\\"}')
    assert json_depth.max_depth(path, 64) == 4
    path.write_text("[" * 70 + "]" * 70)
    assert json_depth.max_depth(path, 64) > 64


def test_real_geojson_is_within_the_json_depth_limit(shared_data: Path) -> None:
    from veerkracht.settings import Limits
    from veerkracht.sources.validation.json_depth import max_depth

    files = sorted(shared_data.glob("**/*.geojson")) + sorted(shared_data.glob("**/*.json"))
    assert files
    assert max(max_depth(f, 1000) for f in files) <= Limits().max_json_depth // 8


def test_every_rule_runs_somewhere() -> None:
    """A rule of the file, content or store stage runs its own check; only the reader
    rules (applied inside the readers) have none - otherwise it would be skipped silently."""
    from veerkracht.sources.validation._registry import RULES

    assert {r.stage for r in RULES} == {"bestand", "lezer", "inhoud", "store"}
    for rule in RULES:
        assert (rule.check is None) == (rule.stage == "lezer"), rule.code

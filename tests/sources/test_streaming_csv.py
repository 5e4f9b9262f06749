"""The CSV reader streams: it reads in blocks and checks every block against the limits.

The files are made here, large enough that the interesting line is in a later block
(blocks are 4 MiB), so a check that only looked at the first block would miss it.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from veerkracht.errors import InputFileError
from veerkracht.settings import Limits
from veerkracht.sources._tabular import read_delimited, text_encoding
from veerkracht.sources.validation import ValidationError

HEADER = "gwb_code_10;regio;a_inw\n"
ROW = "BU{:08d};Buurt {};{}\n"
N_ROWS = 150_000  # ~4.5 MB: more than one block


def _rows(n: int = N_ROWS) -> list[str]:
    return [ROW.format(i, i, i % 977) for i in range(n)]


def _write(path: Path, lines: list[str], encoding: str = "utf-8") -> Path:
    path.write_text(HEADER + "".join(lines), encoding=encoding)
    return path


def test_utf8_with_bom_and_cp1252_are_read_with_their_names(tmp_path: Path) -> None:
    names = ["Belgiëplein", "Súdwest-Fryslân", "Café Zuid"]
    lines = [f"BU0363{i:04d};{n};{i}\n" for i, n in enumerate(names)]
    bom = tmp_path / "bom.csv"
    bom.write_bytes(b"\xef\xbb\xbf" + (HEADER + "".join(lines)).encode("utf-8"))
    ansi = _write(tmp_path / "ansi.csv", lines, "cp1252")
    for path, encoding in ((bom, "utf-8"), (ansi, "cp1252")):
        frame = read_delimited(path)
        assert text_encoding(path) == encoding
        assert list(frame.columns) == ["gwb_code_10", "regio", "a_inw"]
        assert frame.regio.tolist() == names


def test_a_cell_over_the_limit_in_a_later_block_is_refused_with_its_line(tmp_path: Path) -> None:
    lines = _rows()
    lines[140_000] = ROW.format(140_000, "x" * 5000, 1)
    path = _write(tmp_path / "kwb-2019.csv", lines)
    limits = dataclasses.replace(Limits(), max_cell_bytes=4096)
    with pytest.raises(ValidationError) as caught:
        read_delimited(path, limits)
    finding = caught.value.findings[0]
    assert finding.rule == "VK106" and finding.column == "regio"
    assert finding.rows == [140_002]  # header is line 1
    assert "meer dan de grens van 4 kB" in caught.value.message
    assert "VEERKRACHT_LIMIET_MAX_CELL_BYTES" in caught.value.fix
    assert len(read_delimited(path)) == N_ROWS  # the default limit (1 MiB) lets it pass


def test_rows_over_the_limit_are_refused_while_reading(tmp_path: Path) -> None:
    path = _write(tmp_path / "kwb-2019.csv", _rows())
    limits = dataclasses.replace(Limits(), max_rows=100_000)
    with pytest.raises(ValidationError, match=r"meer dan 100\.000 regels") as caught:
        read_delimited(path, limits)
    assert caught.value.findings[0].rule == "VK103"


def test_ragged_rows_fall_back_to_pandas_with_the_same_limits(tmp_path: Path) -> None:
    lines = _rows()
    lines[5] = "BU00000005;kort\n"  # a missing trailing field: pyarrow refuses, pandas fills
    lines[120_000] = ROW.format(120_000, "y" * 5000, 1)
    path = _write(tmp_path / "pc4.csv", lines)
    frame = read_delimited(path)
    assert len(frame) == N_ROWS and frame.loc[5, "regio"] == "kort"
    with pytest.raises(ValidationError) as caught:
        read_delimited(path, dataclasses.replace(Limits(), max_cell_bytes=4096))
    assert caught.value.findings[0].rule == "VK106"


def test_a_bad_byte_in_a_later_block_names_its_line(tmp_path: Path) -> None:
    lines = _rows()
    lines[0] = "BU00000000;Belgiëplein;1\n"  # UTF-8 evidence in the first block
    path = tmp_path / "kwb-2019.csv"
    data = (HEADER + "".join(lines)).encode("utf-8")
    at = data.index(b"Buurt 149000;")
    path.write_bytes(data[:at] + b"\xe9" + data[at + 1 :])
    with pytest.raises(ValidationError) as caught:
        read_delimited(path)
    finding = caught.value.findings[0]
    assert finding.rule == "VK104" and finding.rows == [149_002]
    assert f"maar byte {at} op regel 149002 is geen geldige UTF-8" in finding.problem


def test_empty_and_binary_files_get_a_dutch_message(tmp_path: Path) -> None:
    empty = tmp_path / "leeg.csv"
    empty.write_bytes(b"  \n\n")
    with pytest.raises(InputFileError, match="het bestand is leeg"):
        read_delimited(empty)
    binary = tmp_path / "utf16.csv"
    binary.write_bytes(HEADER.encode("utf-16"))
    with pytest.raises(InputFileError, match="geen tekstbestand"):
        read_delimited(binary)


@pytest.mark.parametrize("block", [4096, 4 * 1024**2])
def test_kwb_read_by_blocks_equals_the_whole_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block: int
) -> None:
    """The KWB reader works block by block (issue 12: a 100 MiB import held everything);
    what it makes must equal reading the file whole: values, regions, years, notes. With
    4 KiB blocks the file has ~60, with a column that is '.' in one block only, a footer
    line and unparsed-free decimal commas spread over them."""
    from veerkracht.sources import _tabular, cbs_kwb

    monkeypatch.setattr(_tabular, "_BLOCK", block)
    lines = ["gwb_code_10;regio;gm_naam;a_inw;p_wcorpw;g_woz;Perioden\n"]
    for i in range(6000):
        code = f"BU0363{i:04d}" if i % 50 else f"GM{i // 50 + 1:04d}"
        share = "." if 2000 <= i < 2100 else f"{(i * 7) % 1000 / 10:.1f}".replace(".", ",")
        lines.append(f"{code};Buurt {i} ë;Gemeente;{i % 900};{share};{i % 400};2019JJ00\n")
    lines.append("Bron: CBS;;;;;;\n")
    path = tmp_path / "kwb-2019.csv"
    path.write_text("".join(lines), encoding="utf-8")

    blocks = cbs_kwb.read_csv(path)
    whole = cbs_kwb.frame_to_table(_tabular.read_delimited(path), path, None)

    assert blocks.periods == whole.periods == [2019]
    for column in ("region_code", "level", "variable", "status"):
        assert blocks.values[column].astype(str).tolist() == whole.values[column].astype(
            str
        ).tolist()
    assert blocks.values["value"].equals(whole.values["value"])
    assert blocks.values["edition"].tolist() == whole.values["edition"].tolist()
    assert len(blocks.values) > 6000 * 2  # every region kept: the footer only dropped
    assert blocks.regions.astype(str).equals(whole.regions.astype(str))
    assert blocks.regions["name"].iloc[1] == "Buurt 1 ë"
    assert blocks.missing == whole.missing and blocks.notes == whole.notes

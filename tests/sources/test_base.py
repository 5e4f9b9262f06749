"""The reader contract's shared helpers: FileSample and file hashing."""

from __future__ import annotations

from pathlib import Path

from veerkracht.sources.base import FileSample


def test_header_keeps_quoted_titles_with_separators_whole(tmp_path: Path) -> None:
    path = tmp_path / "statline.csv"
    path.write_text(
        '\ufeff"Regiocode (gemeente, wijk, buurt)","Wijken en buurten","Bevolking/Aantal inwoners '
        '(aantal)"\n"BU03630000","Kop Zeedijk","1010"\n',
        encoding="utf-8",
    )
    assert FileSample(path).header == [
        "Regiocode (gemeente, wijk, buurt)",
        "Wijken en buurten",
        "Bevolking/Aantal inwoners (aantal)",
    ]


def test_header_semicolons_and_padding(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text(' "code" ; naam;"x;y"\n1;2;3\n', encoding="utf-8")
    assert FileSample(path).header == ["code", "naam", "x;y"]


def test_header_of_an_empty_file_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "leeg.csv"
    path.write_bytes(b"")
    assert FileSample(path).header == []


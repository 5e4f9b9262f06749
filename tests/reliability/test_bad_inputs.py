"""Every kind of bad input is refused with a Dutch message, and the store is unchanged.

The corpus is made by ``make_bad_inputs.py`` at test time (no committed data files).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.reliability import make_bad_inputs as corpus
from tests.reliability.conftest import fingerprint, run_cli

pytestmark = pytest.mark.usefixtures("no_workers")


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Path]]:
    """A store with the good files imported, and the folder of every bad case."""
    root = tmp_path_factory.mktemp("corpus")
    corpus.good(root / "goed")
    store = root / "basis.duckdb"
    result = run_cli("data", "importeren", str(root / "goed"), "--store", str(store))
    assert result.code == 0, result.out
    assert "Klaar: 2 bestand(en) geïmporteerd" in result.out
    return store, corpus.bad(root / "fout")


@pytest.fixture
def store(base: tuple[Path, dict[str, Path]], tmp_path: Path) -> Path:
    copy = tmp_path / "store.duckdb"
    shutil.copy(base[0], copy)
    return copy


def test_good_files_keep_their_names(store: Path) -> None:
    from veerkracht.store import Store

    with Store(store, read_only=True) as st:
        names = set(st.query("SELECT name FROM regions").name)
    assert {"Belgiëplein", "Súdwest-Fryslân", "IJburg-Zuid"} <= names


@pytest.mark.parametrize("case", corpus.CASES, ids=[c.name for c in corpus.CASES])
def test_bad_input_is_refused_and_store_unchanged(
    case: corpus.Case,
    base: tuple[Path, dict[str, Path]],
    store: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in case.env.items():
        monkeypatch.setenv(name, value)
    before = fingerprint(store)
    result = run_cli("data", "importeren", str(base[1][case.name]), "--store", str(store))
    assert result.code == case.code, result.out
    assert case.message in result.out
    if case.rule:
        assert f"[{case.rule}]" in result.out
    assert "Oplossing" in result.out  # every refusal says how to fix it
    if case.code == 3:
        assert "Onvolledig: 0 bestand(en) geïmporteerd" in result.out
    assert "Traceback" not in result.out and "Error:" not in result.out
    assert fingerprint(store) == before


@pytest.mark.parametrize("case", [c for c in corpus.CASES if c.confirmable], ids=lambda c: c.name)
def test_confirmed_replacement_is_imported_and_reported(
    case: corpus.Case, base: tuple[Path, dict[str, Path]], store: Path
) -> None:
    before = fingerprint(store)
    folder = str(base[1][case.name])
    result = run_cli("data", "importeren", folder, "--vervangen", "--store", str(store))
    assert result.code == 0, result.out
    assert "vervangen" in result.out
    after = fingerprint(store)
    assert after != before
    if case.name == "veel_vervangen":
        # what changed is printed: how many values and the largest differences
        assert "12 van 56 opgeslagen waarden gewijzigd" in result.out
        assert "BU03630112 kwb.a_inw 2019: 610 → 1220" in result.out
        assert after["value_rows"][0] == before["value_rows"][0]  # replaced, not added


def test_small_replacement_needs_no_confirmation(base, store: Path, tmp_path: Path) -> None:
    folder = tmp_path / "correctie"
    folder.mkdir()
    corpus.write_kwb(
        folder / "kwb-2019-correctie.csv",
        corpus.kwb_rows(corpus._set("BU03630101", "a_inw", "501")),
    )
    result = run_cli("data", "importeren", str(folder), "--store", str(store))
    assert result.code == 0, result.out
    assert "1 van 56 opgeslagen waarden gewijzigd" in result.out  # shown, not refused
    assert "BU03630101 kwb.a_inw 2019: 500 → 501" in result.out


def test_same_folder_twice_exits_zero(base, store: Path, tmp_path: Path) -> None:
    folder = tmp_path / "opnieuw"
    corpus.good(folder)
    result = run_cli("data", "importeren", str(folder), "--store", str(store))
    assert result.code == 0, result.out
    assert "0 bestand(en) geïmporteerd, 2 al aanwezig" in result.out


def test_markup_in_folder_name_does_not_crash_after_commit(base, store: Path, tmp_path) -> None:
    # the path holds "[/bold]": rich used to raise MarkupError after the import committed
    folder = tmp_path / "downloads [" / "bold] [" / "x"
    folder.mkdir(parents=True)
    corpus.write_kwb(folder / "kwb-[b]-2019.csv", corpus.kwb_rows(corpus._set(
        "BU03630102", "a_inw", "511")))  # fmt: skip
    odd_store = folder.parent / "store.duckdb"
    shutil.copy(store, odd_store)
    result = run_cli("data", "importeren", str(folder), "--store", str(odd_store))
    assert result.code == 0, result.out
    assert "[/bold] [" in result.out and "kwb-[b]-2019.csv" in result.out
    assert "Klaar: 1 bestand(en) geïmporteerd" in result.out


def test_unreadable_folder_is_reported(
    base, store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    folder = tmp_path / "downloads"
    corpus.good(folder)
    locked = folder / "afgeschermd"
    locked.mkdir()
    real = os.scandir

    def scandir(path=".", *args):  # tests run as root: chmod cannot lock a folder
        if Path(path) == locked:
            raise PermissionError(13, "Permission denied", str(locked))
        return real(path, *args)

    monkeypatch.setattr(os, "scandir", scandir)
    result = run_cli("data", "importeren", str(folder), "--store", str(store))
    assert result.code == 3, result.out
    assert "map niet leesbaar" in result.out and "afgeschermd" in result.out


def test_disk_full_is_a_dutch_message_and_exit_4(
    base, store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import duckdb

    from veerkracht.store import Store

    folder = tmp_path / "downloads"
    folder.mkdir()
    corpus.write_kwb(folder / "a-2019.csv", corpus.kwb_rows(corpus._set(
        "BU03630102", "a_inw", "511")))  # fmt: skip
    corpus.write_kwb(folder / "b-2019.csv", corpus.kwb_rows(corpus._set(
        "BU03630103", "a_inw", "521")))  # fmt: skip
    before = fingerprint(store)

    def full(self, rows, **kwargs):
        raise duckdb.FatalException(
            'FATAL Error: Failed to commit: could not write to "store.duckdb.wal": '
            "No space left on device"
        )

    monkeypatch.setattr(Store, "import_rows", full)
    result = run_cli("data", "importeren", str(folder), "--store", str(store))
    assert result.code == 4, result.out
    assert "de schijf is vol" in result.out and "Oplossing" in result.out
    assert "niet geïmporteerd: de store kon niet meer schrijven" in result.out  # b-2019.csv
    monkeypatch.undo()
    assert fingerprint(store) == before


def test_manifest_entries_are_checked(base, store: Path, tmp_path: Path) -> None:
    folder = tmp_path / "downloads"
    folder.mkdir()
    corpus.write_kwb(folder / "kerncijfers.csv")
    (folder / "veerkracht.toml").write_text(
        '[bestanden."kerncijfers.csv"]\njaar = 2019\nbron = "kwb"\n', encoding="utf-8"
    )
    result = run_cli("data", "importeren", str(folder), "--store", str(store))
    assert result.code == 3
    assert "onbekende bron 'kwb'. Oplossing: kies uit" in result.out and "cbs_kwb_csv" in result.out


def test_every_rule_has_a_stable_code_and_a_test() -> None:
    from veerkracht.sources.validation import STAGES, rules

    codes = [r.code for r in rules()]
    assert len(codes) == len(set(codes))
    assert all(r.stage in STAGES for r in rules())
    tested = {c.rule for c in corpus.CASES}
    assert set(codes) <= tested, f"rules without a bad-input case: {set(codes) - tested}"

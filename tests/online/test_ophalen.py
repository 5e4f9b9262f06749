"""``veerkracht data ophalen`` end to end against the local services."""

from __future__ import annotations

from pathlib import Path

import pytest

from veerkracht.cli import main
from veerkracht.cli.data import EXIT_INCOMPLETE
from veerkracht.errors import ParameterError
from veerkracht.online.fetch import parse_years
from veerkracht.sources.registry import parse_sources
from veerkracht.store import Store


def _run(tmp_path: Path, *extra: str) -> int:
    return main([
        "data", "ophalen", "--gemeente", "Amsterdam", "--jaren", "2017,2019",
        "--naar", str(tmp_path / "downloads"), "--store", str(tmp_path / "store.duckdb"), *extra,
    ])


def _kwb(store: Store, code: str, period: int, variable: str) -> tuple[float, str]:
    row = store.query(
        'SELECT value, status FROM "values" WHERE region_code = ? AND period = ? AND variable = ?',
        [code, period, variable],
    )
    assert len(row) == 1
    return float(row["value"][0]) if row["status"][0] == "ok" else float("nan"), row["status"][0]


def test_ophalen_fetches_saves_and_imports(services, tmp_path: Path, capsys) -> None:
    # PDOK has no 2017 boundaries: everything else is imported, the exit code says incomplete
    assert _run(tmp_path) == EXIT_INCOMPLETE
    captured = capsys.readouterr()
    out = " ".join(captured.out.split())
    assert "Onvolledig: 5 bestand(en) geïmporteerd" in " ".join(captured.err.split())
    # which of the replaced indicator and its successor arrived, per year
    assert "Vervangen variabele: niet_westers (kwb.a_nw_all): geen jaren; " \
        "herkomst_buiten_europa (kwb.a_neu_al): geen jaren" in out
    downloads = sorted(p.name for p in (tmp_path / "downloads").iterdir())
    assert downloads == [
        "Leefbaarometer-scores buurten meting 2022 GM0363.csv",
        "gezondheid_50090NED_GM0363.json",
        "kwb_2017_83765NED_GM0363.json",
        "kwb_2019_84583NED_GM0363.json",
        "pdok_cbs_buurten_2019_GM0363.geojson",
    ]
    with Store(tmp_path / "store.duckdb", read_only=True) as st:
        # v3: both pages (GM + WK + 2 BU) landed; v4: values resolved through MeasureCodes
        regions_2017 = st.query(
            'SELECT DISTINCT region_code FROM "values" WHERE period = 2017 ORDER BY 1'
        )["region_code"].tolist()
        assert regions_2017 == ["BU03630000", "BU03630001", "GM0363", "WK036300"]
        assert _kwb(st, "BU03630000", 2017, "kwb.a_inw") == (1020.0, "ok")
        assert _kwb(st, "GM0363", 2017, "kwb.p_hh_osm") == (13.1, "ok")
        assert _kwb(st, "BU03630000", 2019, "kwb.a_inw") == (1035.0, "ok")
        assert _kwb(st, "BU03630000", 2019, "kwb.p_wcorpw")[1] == "geheim"
        # names come from the embedded region dimension, not the codes
        names = st.query(
            "SELECT name FROM regions WHERE region_code = 'WK036300' AND edition = 2017"
        )["name"].tolist()
        assert names == ["Burgwallen-Oude Zijde"]
        imports = st.imports().set_index("file_name")
        geometries = st.query("SELECT region_code FROM geometries ORDER BY 1")["region_code"]
        onv = st.query(
            'SELECT value FROM "values" WHERE region_code = \'BU03630001\' AND period = 2022 '
            "AND variable LIKE '%onv'"
        )["value"].tolist()
    assert imports.loc["gezondheid_50090NED_GM0363.json", "dataset_key"] == "cbs_gezondheid"
    assert imports.loc["pdok_cbs_buurten_2019_GM0363.geojson", "n_geometries"] == 3
    assert geometries.tolist() == ["BU03630000", "BU03630001", "BU03630002"]
    lbm_file = "Leefbaarometer-scores buurten meting 2022 GM0363.csv"
    assert imports.loc[lbm_file, "dataset_key"] == "leefbaarometer_3"
    assert onv == [-0.1533]
    # the 2017 boundaries are not on PDOK's OGC API: skipped with a reason, not a crash
    assert services.hits["/pdok/wijken-en-buurten-2017/ogc/v1/collections/buurten/items"] == 1


def test_second_run_uses_the_cache(services, tmp_path: Path) -> None:
    assert _run(tmp_path) == EXIT_INCOMPLETE
    hits = services.total_hits
    assert _run(tmp_path) == EXIT_INCOMPLETE
    assert services.total_hits == hits
    assert _run(tmp_path, "--vernieuwen", "--bronnen", "kwb") == 0  # KWB 2017 and 2019 exist
    # Amsterdam is now known in the store (no gemeente list); 2017: 2 pages + region names;
    # 2019: v3 404, 2 v4 pages, MeasureCodes, region names (404 here)
    assert services.total_hits == hits + 8

def test_unknown_gemeente_suggests_names(services, tmp_path: Path, capsys) -> None:
    code = main([
        "data", "ophalen", "--gemeente", "Sudwest-Fryslan", "--jaren", "2019",
        "--store", str(tmp_path / "store.duckdb"),
    ])
    err = capsys.readouterr().err
    assert code == 1
    assert "onbekende gemeente" in err and "Súdwest-Fryslân" in err
    assert "Traceback" not in err


def test_no_network_is_one_dutch_line(tmp_path, closed_port: int, monkeypatch, capsys) -> None:
    monkeypatch.setenv("VEERKRACHT_CBS_ODATA_V3", f"http://127.0.0.1:{closed_port}/odata")
    monkeypatch.setenv("VEERKRACHT_HTTP_BACKOFF", "0")
    code = main([
        "data", "ophalen", "--gemeente", "GM0363", "--jaren", "2019",
        "--store", str(tmp_path / "store.duckdb"),
    ])
    err = capsys.readouterr().err
    assert code == 1
    assert "geen netwerkverbinding met 127.0.0.1; werk offline met" in " ".join(err.split())
    assert "Traceback" not in err


def test_offline_setting_stops_before_any_request(services, tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("VEERKRACHT_OFFLINE", "1")
    assert _run(tmp_path) == 1
    assert "offline-modus" in capsys.readouterr().err
    assert services.total_hits == 0


def test_parse_years_and_sources() -> None:
    assert parse_years("2019, 2017") == [2017, 2019]
    assert parse_years("2017-2019") == [2017, 2018, 2019]
    assert parse_sources(None) == ["kwb", "gezondheid", "grenzen", "leefbaarometer"]
    with pytest.raises(ParameterError, match="onbekende bron"):
        parse_sources("kwb,weer")
    with pytest.raises(ParameterError):
        parse_years("twintig")


def test_status_shows_sources_and_years_per_gemeente(services, tmp_path: Path, capsys) -> None:
    from veerkracht.status import signal_years, source_years

    assert _run(tmp_path) == EXIT_INCOMPLETE
    capsys.readouterr()
    assert main(["data", "status", "--store", str(tmp_path / "store.duckdb")]) == 0
    out = capsys.readouterr().out
    assert "Bronnen en jaren per gemeente" in out and "Ontbreekt voor een signaal" in out
    with Store(tmp_path / "store.duckdb", read_only=True) as st:
        years = source_years(st).set_index("gemeente_code")
        signal = signal_years(st).set_index("gemeente_code")
        stored = st.query(
            'SELECT DISTINCT dataset_key, period FROM "values" WHERE level = \'buurt\' '
            "AND status = 'ok' AND region_code LIKE 'BU0363%'")
    for dataset, periods in stored.groupby("dataset_key")["period"]:
        assert years.loc["GM0363", dataset] == sorted(set(periods))
    assert years.loc["GM0363", "geometry_editions"].tolist() == [2019]
    assert signal.loc["GM0363", "overlast"] == [2018, 2022]  # lbm3.onv per buurt
    assert signal.loc["GM0363", "ontbreekt"] == "niets"
    assert "Vervangen variabele: niet_westers" in " ".join(out.split())


def test_missing_for_a_signal_is_named() -> None:
    from veerkracht.status import _missing_for_signal

    assert _missing_for_signal({"kwetsbaarheid": [2019], "overlast": []}) == (
        "geen overlast-cijfers per buurt")
    assert "één jaar kwetsbaarheid" in _missing_for_signal(
        {"kwetsbaarheid": [2019], "overlast": [2018, 2022]})

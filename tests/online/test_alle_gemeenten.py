"""``veerkracht data ophalen --alle-gemeenten`` against local services in the real formats.

Four gemeenten: KWB answers built with the real KWB 2024 keys (``real.kwb_v3_rows``),
PDOK buurten with snake_case properties; Hulst's KWB answer is a lasting 503.
"""

from __future__ import annotations

import json
import re
import threading
import time
from pathlib import Path

from tests.online import real
from veerkracht.cli import main
from veerkracht.store import Store

GEMEENTEN = {"GM0014": "Groningen", "GM0677": "Hulst", "GM1900": "Súdwest-Fryslân",
             "GM1966": "Het Hogeland"}
FAILING = "GM0677"
KWB_2019 = "84583NED"


def _digits(query: dict[str, list[str]]) -> str | None:
    found = re.search(r"'(?:GM|WK|BU)(\d{4})", query.get("$filter", [""])[0])
    return found[1] if found else None


def _regions(digits: str) -> list[tuple[str, str]]:
    return [(f"GM{digits}", "Gemeente"), (f"WK{digits}00", "Wijk"),
            (f"BU{digits}0000", "Buurt"), (f"BU{digits}0001", "Buurt")]


class Tracker:
    """Counts requests in flight at the same moment (the server is threaded)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.now = 0
        self.most = 0

    def __call__(self, handler):
        def tracked(query):
            with self.lock:
                self.now += 1
                self.most = max(self.most, self.now)
            try:
                time.sleep(0.03)
                return handler(query)
            finally:
                with self.lock:
                    self.now -= 1

        return tracked


def _install(services, tracker: Tracker) -> None:
    base = services.base

    def metadata(kind: str) -> str:
        return f"{base}/odata/{KWB_2019}/$metadata#Cbs.OData.WebAPI.{kind}"

    def dimension(query):
        if query.get("$filter") == ["startswith(Key,'GM')"]:
            rows = [{"Key": real.pad(c), "Title": n, "Description": None}
                    for c, n in GEMEENTEN.items()]
        else:
            digits = _digits(query)
            rows = [{"Key": real.pad(c), "Title": GEMEENTEN.get(c, f"{k} {c}"),
                     "Description": None} for c, k in _regions(digits)]
        body = {"odata.metadata": metadata("WijkenEnBuurten"), "value": rows}
        return 200, "application/json", json.dumps(body, ensure_ascii=False).encode()

    def kwb(query):
        digits = _digits(query)
        if f"GM{digits}" == FAILING:
            return 503, "text/plain", b"Service Unavailable", {"Retry-After": "0"}
        rows = real.kwb_v3_rows(_regions(digits), GEMEENTEN[f"GM{digits}"])
        body = {"odata.metadata": metadata("TypedDataSet"), "value": rows}
        return 200, "application/json", json.dumps(body, ensure_ascii=False).encode()

    def pdok(query):
        code = query["gemeentecode"][0]
        features = []
        for i, (bu, _kind) in enumerate(_regions(code[2:])[2:]):
            x = 5.0 + int(code[2:]) / 10_000 + i / 100
            ring = [[x, 53.0], [x + 0.005, 53.0], [x + 0.005, 53.005], [x, 53.005], [x, 53.0]]
            features.append({"type": "Feature", "id": i, "geometry": {
                "type": "Polygon", "coordinates": [ring]}, "properties": {
                "buurtcode": bu, "buurtnaam": f"Buurt {bu}", "wijkcode": f"WK{code[2:]}00",
                "gemeentecode": code, "gemeentenaam": GEMEENTEN[code], "water": "NEE",
                "aantal_inwoners": 100 + i, "bevolkingsdichtheid_inwoners_per_km2": -99997}})
        body = {"type": "FeatureCollection", "features": features, "links": []}
        return 200, "application/geo+json", json.dumps(body, ensure_ascii=False).encode()

    services.route(f"/odata/{KWB_2019}/WijkenEnBuurten", tracker(dimension))
    services.route(f"/odata/{KWB_2019}/TypedDataSet", tracker(kwb))
    services.route("/pdok/wijken-en-buurten-2019/ogc/v1/collections/buurten/items", tracker(pdok))


def _run(tmp_path: Path, *extra: str) -> int:
    return main(["data", "ophalen", "--alle-gemeenten", "--jaren", "2019",
                 "--bronnen", "kwb,grenzen", "--naar", str(tmp_path / "downloads"),
                 "--store", str(tmp_path / "store.duckdb"), *extra])


def test_all_gemeenten_bounded_summary_and_resumed(services, tmp_path, capsys) -> None:
    tracker = Tracker()
    _install(services, tracker)
    assert _run(tmp_path, "--gelijktijdig", "2") == 3  # Hulst's KWB did not arrive
    out = " ".join(capsys.readouterr().out.split())
    assert tracker.most == 2  # two gemeenten in flight, never more
    assert "Alle gemeenten: 4 volgens CBS" in out
    # KWB keys of 2024 (herkomst) in a 2019 table: the successor is named, with its year
    assert "niet_westers (kwb.a_nw_all): geen jaren; herkomst_buiten_europa " \
        "(kwb.a_neu_al): 2019" in out
    assert re.search(r"opgehaald \(deze keer\) │ 3 │ 6 │", out)
    # Hulst: boundaries arrived, KWB did not (a lasting 503): listed with the reason
    assert re.search(r"deels: bron\(nen\) ontbreken │ 1 │ 1 │", out)
    assert re.search(r"niet gelukt │ 0 │", out)
    assert re.search(r"GM0677 │ Hulst │ kwb 2019 │ 127.0.0.1 antwoordt niet goed na 4", out)
    with Store(tmp_path / "store.duckdb", read_only=True) as st:
        inhabitants = st.query(
            'SELECT region_code, value FROM "values" WHERE variable = \'kwb.a_neu_al\' '
            "AND level = 'buurt' AND period = 2019 AND dataset_key = 'cbs_kwb' "
            "AND status = 'ok' ORDER BY 1")
        names = st.query("SELECT region_code, name FROM regions WHERE level = 'gemeente' "
                         "ORDER BY 1")
    assert {c[2:6] for c in inhabitants["region_code"]} == {"0014", "1900", "1966"}
    assert dict(zip(names["region_code"], names["name"], strict=True))["GM1900"] == (
        "Súdwest-Fryslân")
    progress = json.loads((tmp_path / "downloads" / "voortgang.json").read_text("utf-8"))
    assert sorted(next(iter(progress.values()))) == ["GM0014", "GM1900", "GM1966"]

    seen = len(services.queries)
    assert _run(tmp_path) == 3  # Hulst still answers 503: still incomplete
    again = services.queries[seen:]
    assert again, "the failed gemeente is tried again"
    for path, query in again:  # only Hulst is fetched again; the rest is resumed
        assert "0677" in json.dumps(query), (path, query)
    out = " ".join(capsys.readouterr().out.split())
    assert re.search(r"al eerder opgehaald \(hervat\) │ 3 │", out)

    # without the progress file every gemeente is visited again, all from the HTTP cache
    (tmp_path / "downloads" / "voortgang.json").unlink()
    seen = len(services.queries)
    assert _run(tmp_path) == 3
    for path, query in services.queries[seen:]:
        assert path.endswith("/TypedDataSet") and "0677" in json.dumps(query), (path, query)
    out = " ".join(capsys.readouterr().out.split())
    assert re.search(r"opgehaald \(deze keer\) │ 3 │ 6 │", out)


def test_all_gemeenten_without_network_says_so(tmp_path, closed_port, monkeypatch,
                                                capsys) -> None:
    monkeypatch.setenv("VEERKRACHT_CBS_ODATA_V3", f"http://127.0.0.1:{closed_port}/odata")
    monkeypatch.setenv("VEERKRACHT_HTTP_BACKOFF", "0")
    assert _run(tmp_path) == 1
    err = " ".join(capsys.readouterr().err.split())
    assert "geen netwerkverbinding met 127.0.0.1" in err and "Traceback" not in err


def test_gemeente_and_all_exclude_each_other(tmp_path, capsys) -> None:
    assert _run(tmp_path, "--gemeente", "GM0363") == 1
    assert "--gemeente" in capsys.readouterr().err
    assert _run(tmp_path, "--gelijktijdig", "9") == 1
    assert "--gelijktijdig = '9'" in " ".join(capsys.readouterr().err.split())


def test_year_without_kwb_table_stops_before_any_request(services, tmp_path, capsys) -> None:
    code = main(["data", "ophalen", "--alle-gemeenten", "--jaren", "2009",
                 "--store", str(tmp_path / "store.duckdb")])
    assert code == 1
    assert "--jaren = '2009': geen KWB-tabel" in " ".join(capsys.readouterr().err.split())
    assert services.total_hits == 0

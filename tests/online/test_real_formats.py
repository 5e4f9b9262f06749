"""The online code against the services' real answers (``../shared/real_responses``).

Real files are served from the local test server as they are (only the host in their
absolute links is pointed at the server); larger answers are built in the same format
(``tests/online/real.py``) and each builder is checked against a real file here.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd
import pytest

from tests.online import real
from veerkracht.errors import InputFileError
from veerkracht.http import HttpClient, TooManyRecordsError
from veerkracht.ingest import import_file
from veerkracht.online import cbs_odata, leefbaarometer
from veerkracht.settings import get_settings
from veerkracht.sources import _odata, cbs_kwb
from veerkracht.store import Store

FEED_83599 = "cbs_odata_v3_feed"
KWB2024 = "cbs_odata_v3_kwb2024_85984NED/DataProperties.json"
V4_2017 = "cbs_odata_v4_kwb2017_83765NED"


def _serve_real(services, relative: str, host: str, local: str):
    text = (real.real_dir() / relative).read_text(encoding="utf-8")
    body = text.replace(host, services.base + local).encode("utf-8")
    return lambda _query: (200, "application/json", body)


# -- v3: the ODataApi refuses > 10,000 records; the ODataFeed pages with $skip -------------

def test_real_feed_pages_are_followed_after_the_api_refuses(services) -> None:
    host = "https://opendata.cbs.nl/ODataFeed"
    page1 = _serve_real(services, f"{FEED_83599}/tables_2.json", host, "/realfeed")
    page2 = _serve_real(services, f"{FEED_83599}/tables_3.json", host, "/realfeed")
    services.route("/odata/83599NED/UntypedDataSet/", real.too_many_handler)
    services.route("/realfeed/OData/83599NED/UntypedDataSet/",
                   lambda q: page2(q) if q.get("$skip") == ["10000"] else page1(q))
    settings = get_settings()
    with HttpClient(settings, backoff_s=0) as client:
        first, rows = cbs_odata.follow_v3(
            client, services.base + "/odata", services.base + "/realfeed/OData",
            "83599NED/UntypedDataSet/", {"$format": "json"}, "83599NED",
        )
        again = client.n_requests
        cbs_odata.follow_v3(client, services.base + "/odata", services.base + "/realfeed/OData",
                            "83599NED/UntypedDataSet/", {"$format": "json"}, "83599NED")
        assert client.n_requests == again  # refusal and pages both come from the cache now
    assert len(rows) == 15_504
    assert [r["ID"] for r in rows] == list(range(15_504))
    assert services.hits["/odata/83599NED/UntypedDataSet/"] == 1  # a refusal is not retried
    assert services.hits["/realfeed/OData/83599NED/UntypedDataSet/"] == 2
    assert first["odata.metadata"].endswith("/83599NED/$metadata#Cbs.OData.WebAPI.UntypedDataSet")


def test_built_feed_page_has_the_real_envelope() -> None:
    page1 = real.load_real(f"{FEED_83599}/tables_2.json")
    page2 = real.load_real(f"{FEED_83599}/tables_3.json")
    feed = "https://opendata.cbs.nl/ODataFeed/OData"
    rows = [{"ID": i} for i in range(15_504)]
    built1 = real.feed_page(rows, feed=feed, table="83599NED", path="UntypedDataSet", skip=0)
    built2 = real.feed_page(rows, feed=feed, table="83599NED", path="UntypedDataSet",
                            skip=10_000)
    assert list(built1) == list(page1) and list(built2) == list(page2)
    assert len(built1["value"]) == len(page1["value"]) == real.FEED_PAGE
    assert built1["odata.nextLink"] == page1["odata.nextLink"]
    assert built1["odata.metadata"] == page1["odata.metadata"]


def test_too_many_records_is_its_own_error_not_an_outage(services) -> None:
    services.route("/big", real.too_many_handler)
    with HttpClient(get_settings(), backoff_s=0) as client, pytest.raises(TooManyRecordsError):
        client.get_json(services.base + "/big")
    assert services.hits["/big"] == 1


def _crime_rows(regions: list[str], codes: list[str], year: int) -> list[dict]:
    rows = []
    for r, region in enumerate(regions):
        for c, code in enumerate(codes):
            rows.append({"ID": len(rows), "SoortMisdrijf": real.pad(code, 6),
                         "WijkenEnBuurten": real.pad(region), "Perioden": f"{year}JJ00",
                         "GeregistreerdeMisdrijven_1": (r + c) % 7})
    return rows


def test_crime_table_above_10000_rows_is_paged_saved_and_imported(services, tmp_path) -> None:
    regions = ["GM0363"] + [f"WK0363{i:02d}" for i in range(99)] + [
        f"BU0363{i:04d}" for i in range(480)]
    codes = ["0.0.0", "1.1.1", "2.2.1", "3.6.4", *(f"1.4.{i}" for i in range(1, 8))] + [
        f"9.{i}.1" for i in range(49)]
    rows = _crime_rows(regions, codes, 2021)
    assert len(rows) == 580 * 60 > 3 * real.FEED_PAGE
    feed = services.base + "/dataderden-feed"
    services.route("/dataderden/47018NED/TypedDataSet", real.too_many_handler)
    pages = real.feed_handler(rows, feed=feed, table="47018NED", path="TypedDataSet",
                              require="BU0363")
    services.route("/dataderden-feed/47018NED/TypedDataSet", pages)  # page 1
    services.route("/dataderden-feed/47018NED/TypedDataSet/", pages)  # the Feed's next links
    settings = get_settings()
    with HttpClient(settings, backoff_s=0) as client:
        doc = cbs_odata.fetch_table(
            client, settings, "47018NED", "GM0363",
            extra_filter=cbs_odata.period_filter([2021]),
            base_v3=cbs_odata.dataderden_base(settings),
            feed_v3=cbs_odata.dataderden_feed(settings))
    assert len(doc["value"]) == len(rows)
    assert services.hits["/dataderden-feed/47018NED/TypedDataSet"] == 1
    assert services.hits["/dataderden-feed/47018NED/TypedDataSet/"] == 3
    path = cbs_odata.save(doc, tmp_path / "criminaliteit_47018NED_GM0363_2021.json")
    with Store(tmp_path / "s.duckdb") as st:
        result = import_file(st, path)
        assert result.dataset_key == "cbs_misdrijven"
        got = st.query('SELECT variable, value FROM "values" WHERE region_code = ? '
                       "AND period = 2021 ORDER BY variable", ["BU03630479"])
    r = 1 + 99 + 479  # row position of BU03630479
    expected_geweld = sum((r + 4 + i) % 7 for i in range(7))
    values = dict(zip(got["variable"], got["value"], strict=True))
    assert values["misdrijven.geweld"] == expected_geweld
    assert values["misdrijven.totaal"] == r % 7


def test_real_odataapi_answer_with_padded_keys_is_read(services) -> None:
    body = (real.real_dir() / "cbs_odata_v3_raw_84489NED/84489NED_TypedDataSet.json").read_bytes()
    services.route("/odata/84489NED/TypedDataSet", lambda _q: (200, "application/json", body))
    settings = get_settings()
    with HttpClient(settings, backoff_s=0) as client:
        first, rows = cbs_odata.follow_v3(
            client, services.base + "/odata", services.base + "/feed",
            "84489NED/TypedDataSet", {"$format": "json"}, "84489NED")
    assert len(rows) == 2_500
    assert services.hits["/feed/84489NED/TypedDataSet"] == 0
    frame = _odata.frame_from_document({**first, "value": rows}, Path("x.json"))
    assert frame["Code_3"].str.len().eq(10).all()  # as served: padded
    assert frame["Code_3"].str.strip().str.match(r"^GM\d{4}$").all()


# -- KWB 2024: renamed keys, herkomst instead of migration background ---------------------

def test_kwb_2024_real_keys_renamed_and_herkomst(tmp_path) -> None:
    regions = [("GM1900", "Gemeente"), ("WK190000", "Wijk"), ("BU19000000", "Buurt")]
    rows = real.kwb_v3_rows(regions, "Súdwest-Fryslân")
    doc = {"odata.metadata": "https://opendata.cbs.nl/ODataApi/OData/85984NED/$metadata"
           "#Cbs.OData.WebAPI.TypedDataSet", "value": rows,
           "RegionTitles": [{"Key": "GM1900", "Title": "Súdwest-Fryslân"},
                            {"Key": "WK190000", "Title": "Wijk 00 Sneek"},
                            {"Key": "BU19000000", "Title": "Sneek-Centrum"}]}
    path = tmp_path / "kwb_2024_85984NED_GM1900.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    table = cbs_kwb.read_odata_json(path)
    values = table.values.set_index(["region_code", "variable"])["value"]
    buurt = rows[2]
    assert values[("BU19000000", "kwb.p_leegsw")] == buurt["OnbewoondeWoningen_46"]
    assert values[("BU19000000", "kwb.a_neu_al")] == buurt["BuitenEuropa_19"]
    assert buurt["BuitenEuropa_19"] not in (buurt["BuitenEuropa_22"], buurt["BuitenEuropa_24"])
    assert "kwb.a_nw_all" in table.missing[2024] and "kwb.a_w_all" in table.missing[2024]
    assert any("BuitenEuropa_22" in n and "gebruikt: BuitenEuropa_19" in n for n in table.notes)
    names = table.regions.set_index("region_code")["name"]
    assert names["GM1900"] == "Súdwest-Fryslân" and names["BU19000000"] == "Sneek-Centrum"


def test_kwb_names_without_region_titles_come_from_gemeentenaam(tmp_path) -> None:
    rows = real.kwb_v3_rows([("GM1900", "Gemeente"), ("BU19000000", "Buurt")],
                            "Súdwest-Fryslân")
    doc = {"odata.metadata": "https://opendata.cbs.nl/ODataApi/OData/85984NED/$metadata",
           "value": rows}
    path = tmp_path / "kwb_2024_85984NED_GM1900.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    names = cbs_kwb.read_odata_json(path).regions.set_index("region_code")["name"]
    assert names["GM1900"] == "Súdwest-Fryslân"  # Gemeentenaam_1, padding stripped
    assert pd.isna(names["BU19000000"])  # unnamed, never named by its code


# -- v4: short titles, duplicate titles, codes ---------------------------------------------

def _v4_measures() -> pd.DataFrame:
    return pd.read_parquet(real.real_dir() / V4_2017 / "cbs.v4.83765NED_MeasureCodes.parquet")


def _v4_observations(measures: pd.DataFrame, regions: list[str]) -> list[dict]:
    rows = []
    for r, region in enumerate(regions):
        for m, code in enumerate(measures["Identifier"]):
            rows.append({"Id": len(rows), "Measure": code, "ValueAttribute": "None",
                         "Value": float(1000 * r + m), "WijkenEnBuurten": region,
                         "Perioden": "2017JJ00"})
    return rows


def _v4_page(rows: list[dict], context: str, next_link: str | None) -> bytes:
    page = {"@odata.context": context, "value": rows}
    if next_link:
        page["@odata.nextLink"] = next_link
    return json.dumps(page, ensure_ascii=False).encode("utf-8")


def test_v4_real_measure_codes_paged_short_and_duplicate_titles(services, tmp_path) -> None:
    measures = _v4_measures()
    codes = pd.read_parquet(real.real_dir() / V4_2017 /
                            "cbs.v4.83765NED_WijkenEnBuurtenCodes.parquet")
    mine = codes[codes["Identifier"].str.match(r"^(GM|WK|BU)0363")].head(40)
    observations = _v4_observations(measures, mine["Identifier"].tolist())
    assert len(observations) > 4000
    base = services.base + "/odata4/83765NED"
    half = len(observations) // 2

    def obs(query):
        second = query.get("$skip") == [str(half)]
        rows = observations[half:] if second else observations[:half]
        link = None if second else f"{base}/Observations?$skip={half}"
        return 200, "application/json", _v4_page(rows, f"{base}/$metadata#Observations", link)

    records = json.loads(measures.to_json(orient="records"))
    titles = json.loads(mine[["Identifier", "Title"]].to_json(orient="records"))
    services.route("/odata/83765NED/TypedDataSet", lambda _q: (404, "text/plain", b""))
    services.route("/odata4/83765NED/Observations", obs)
    services.route("/odata4/83765NED/MeasureCodes", lambda _q: (
        200, "application/json", _v4_page(records, f"{base}/$metadata#MeasureCodes", None)))
    services.route("/odata4/83765NED/WijkenEnBuurtenCodes", lambda _q: (
        200, "application/json", _v4_page(titles, f"{base}/$metadata#WijkenEnBuurtenCodes", None)))
    settings = get_settings()
    with HttpClient(settings, backoff_s=0) as client:
        doc = cbs_odata.fetch_table(client, settings, "83765NED", "GM0363")
    assert services.hits["/odata4/83765NED/Observations"] == 2
    assert len(doc["value"]) == len(observations)
    path = cbs_odata.save(doc, tmp_path / "kwb_2017_83765NED_GM0363.json")
    frame, table_id = _odata.frame_from_file(path)
    assert table_id == "83765NED"
    assert "Appartement [ZW25810_1]" in frame.columns and "Appartement" not in frame.columns
    assert frame["Appartement [ZW25810_1]"].ne(frame["Appartement [ZW25810_2]"]).all()
    table = cbs_kwb.read_odata_json(path)
    values = table.values.set_index(["region_code", "variable"])["value"]
    index = {c: i for i, c in enumerate(measures["Identifier"])}
    buurt = mine["Identifier"].iloc[-1]
    r = mine["Identifier"].tolist().index(buurt)
    assert values[(buurt, "kwb.a_w_all")] == 1000 * r + index["2012655"]  # "Westers totaal"
    assert values[(buurt, "kwb.a_nw_all")] == 1000 * r + index["2012657_2"]
    assert any("Appartement" in n for n in table.notes)
    names = table.regions.set_index("region_code")["name"]
    assert names[buurt] == mine.set_index("Identifier")["Title"][buurt]


def test_v4_duplicate_observation_is_an_error() -> None:
    codes = [{"Identifier": "T001036", "Title": "Aantal inwoners"}]
    rows = [{"Measure": "T001036", "Value": v, "WijkenEnBuurten": "GM0363",
             "Perioden": "2017JJ00", "ValueAttribute": "None"} for v in (1.0, 2.0)]
    with pytest.raises(InputFileError, match="dubbel"):
        _odata.frame_from_document({"value": rows, "MeasureCodes": codes}, Path("x.json"))


def test_handwritten_v4_measure_codes_have_the_real_fields() -> None:
    from tests.online.conftest import RESPONSES

    hand = json.loads((RESPONSES / "kwb2019_v4_measurecodes.json").read_text(encoding="utf-8"))
    real_fields = set(_v4_measures().columns)
    for record in hand["value"]:
        assert set(record) == real_fields


def test_handwritten_v3_answers_have_the_real_envelope_and_padding() -> None:
    from tests.online.conftest import RESPONSES

    raw = real.load_real("cbs_odata_v3_raw_84489NED/84489NED_TypedDataSet.json")
    dimension = real.load_real(f"{FEED_83599}/meta_6.json")
    for name in ("kwb2017_v3_page1.json", "kwb2017_v3_page2.json", "health_50090_v3.json"):
        hand = json.loads((RESPONSES / name).read_text(encoding="utf-8"))
        assert list(hand)[:2] == list(raw)[:2] == ["odata.metadata", "value"]
        assert set(hand) <= {"odata.metadata", "value", "odata.nextLink"}
        for row in hand["value"]:
            assert isinstance(row["ID"], int)
            assert len(row["WijkenEnBuurten"]) == 10  # padded like "GM0141    "
    for name in ("gemeenten_v3.json", "kwb2017_v3_regions.json"):
        hand = json.loads((RESPONSES / name).read_text(encoding="utf-8"))
        for row in hand["value"]:  # a dimension row: Key (padded), Title, Description
            assert set(dimension["value"][0]) - {"Status"} <= set(row)


# -- Leefbaarometer 3.0 WFS: one layer per year, documented property names -----------------

def _serve_lbm_wfs(services, years: list[int], features: dict[int, list[dict]]) -> None:
    def wfs(query):
        request = query.get("request", [""])[0]
        layer = query.get("typeNames", [""])[0].split(":")[-1]
        if request == "GetCapabilities":
            return 200, "text/xml", real.lbm_capabilities(years).encode("utf-8")
        year = next((y for y in years if layer == f"buurtscore{y % 100}"), None)
        if year is None:
            return 400, "text/xml", b"<ows:ExceptionReport/>"
        if request == "DescribeFeatureType":
            return 200, "text/xml", real.lbm_describe(layer).encode("utf-8")
        start, count = int(query["startIndex"][0]), int(query["count"][0])
        prefix = query["CQL_FILTER"][0].split("'")[1].rstrip("%")
        matched = [f for f in features[year] if f["properties"]["id"].startswith(prefix)]
        body = {"type": "FeatureCollection", "features": matched[start:start + count],
                "totalFeatures": len(matched), "numberMatched": len(matched),
                "numberReturned": len(matched[start:start + count])}
        return 200, "application/json", json.dumps(body).encode("utf-8")

    services.route("/lbm3/ows", wfs)


def test_lbm_wfs_every_year_layer_with_real_property_names(
    services, tmp_path, monkeypatch
) -> None:
    monkeypatch.setattr(leefbaarometer, "PAGE_SIZE", 1)  # two buurten: two pages per layer
    years = [2020, 2022, 2024]
    buurten = [("BU19000000", "Sneek-Centrum"), ("BU19000001", "Noorderhoek"),
               ("BU03630000", "Kop Zeedijk")]
    features = {y: [real.lbm_feature(c, n, "Súdwest-Fryslân", y, (i + 1) / 10 + y % 7 / 100)
                    for i, (c, n) in enumerate(buurten)] for y in years}
    _serve_lbm_wfs(services, years, features)
    settings = get_settings()
    with HttpClient(settings, backoff_s=0) as client:
        paths = leefbaarometer.fetch_wfs(client, settings.leefbaarometer_wfs, "GM1900", tmp_path)
    assert [p.name for p in paths] == [
        f"leefbaarometer_wfs_buurtscore{y % 100}_GM1900.csv" for y in years]
    pages = [q for _p, q in services.queries if q.get("request") == ["GetFeature"]]
    assert len(pages) == 3 * 2
    assert pages[0]["CQL_FILTER"] == ["id LIKE 'BU1900%'"]
    assert "geom" not in pages[0]["propertyName"][0].split(",")
    rows = list(csv.DictReader(paths[0].open(encoding="utf-8")))
    assert [r["bu_code"] for r in rows] == ["BU19000000", "BU19000001"]
    assert rows[0]["gm_naam"] == "Súdwest-Fryslân" and rows[0]["jaar"] == "2020"
    with Store(tmp_path / "s.duckdb") as st:
        results = [import_file(st, p) for p in paths]
        got = st.query('SELECT variable, period, edition, value FROM "values" '
                       "WHERE region_code = 'BU19000001' ORDER BY period, variable")
        names = st.query("SELECT DISTINCT name FROM regions WHERE region_code = 'BU19000000'")
    assert {r.dataset_key for r in results} == {"leefbaarometer_3"}
    assert all(r.missing == {y: ["lbm3.lbm"]} for r, y in zip(results, years, strict=True))
    for year in years:
        props = features[year][1]["properties"]
        mine = got[got["period"] == year].set_index("variable")["value"]
        assert set(mine.index) == {"lbm3.afw", "lbm3.fys", "lbm3.onv", "lbm3.soc", "lbm3.vrz",
                                   "lbm3.won", "lbm3.klasse"}
        assert mine["lbm3.onv"] == pytest.approx(props["onv"])
        assert mine["lbm3.afw"] == pytest.approx(props["afw"])
        assert mine["lbm3.klasse"] == props["kscore"]
        assert set(got[got["period"] == year]["edition"]) == {year}
    assert names["name"].tolist() == ["Sneek-Centrum"]


def test_lbm_feature_builder_uses_the_documented_names() -> None:
    props = real.lbm_feature("BU03630000", "Kop Zeedijk", "Amsterdam", 2024, 0.3)["properties"]
    assert tuple(sorted(props)) == tuple(sorted(real.LBM_WFS_PROPERTIES))
    assert isinstance(props["year"], str) and props["id"].startswith("BU")
    readme = (real.real_dir() / "README.md").read_text(encoding="utf-8")
    for name in ("`id`", "`name`", "`gemeente`", "`year`", "`kscore`", "`afw`", "`won`"):
        assert name in readme


# -- PDOK OGC API: snake_case properties and suppression markers ---------------------------

def test_pdok_snake_case_properties_and_suppression(tmp_path) -> None:
    props = {"buurtcode": "BU19000000", "buurtnaam": "Sneek-Centrum", "wijkcode": "WK190000",
             "gemeentecode": "GM1900", "gemeentenaam": "Súdwest-Fryslân", "water": "NEE"}
    props.update({name: 10 + i for i, name in enumerate(real.PDOK_KWB_PROPERTIES)})
    props["gemiddelde_woningwaarde"] = real.PDOK_SUPPRESSED[0]
    props["percentage_koopwoningen"] = real.PDOK_SUPPRESSED[1]
    ring = [[5.65, 53.03], [5.66, 53.03], [5.66, 53.04], [5.65, 53.04], [5.65, 53.03]]
    collection = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": 1, "properties": props,
         "geometry": {"type": "Polygon", "coordinates": [ring]}}]}
    path = tmp_path / "pdok_cbs_buurten_2024_GM1900.geojson"
    path.write_text(json.dumps(collection, ensure_ascii=False), encoding="utf-8")
    with Store(tmp_path / "s.duckdb") as st:
        import_file(st, path)
        got = st.query('SELECT variable, value, status FROM "values" '
                       "WHERE region_code = 'BU19000000'").set_index("variable")
        name = st.query("SELECT name FROM regions WHERE region_code = 'BU19000000'")["name"][0]
    for prop, key in real.PDOK_KWB_PROPERTIES.items():
        assert f"kwb.{key}" in got.index, prop
    assert got.loc["kwb.bev_dich", "value"] == props["bevolkingsdichtheid_inwoners_per_km2"]
    assert got.loc["kwb.g_woz", "status"] != "ok" and pd.isna(got.loc["kwb.g_woz", "value"])
    assert got.loc["kwb.p_koopw", "status"] != "ok"
    assert name == "Súdwest-Fryslân" or name == "Sneek-Centrum"


def test_handwritten_lbm_download_csv_has_the_real_columns(shared_data) -> None:
    from tests.online.conftest import RESPONSES

    real_csv = shared_data / "leefbaarometer_3_0_amstelveen_wijk/AmstelveenDataWithDimensions.csv"
    real_header = real_csv.read_text(encoding="utf-8").splitlines()[0].split(",")[1:]
    hand = (RESPONSES / "lbm_scores_buurten.csv").read_text(encoding="utf-8").splitlines()
    assert [c.replace("bu_", "wk_") for c in hand[0].split(",")] == real_header
    first = next(csv.DictReader(real_csv.open(encoding="utf-8")))
    # in the real file the total is the deviation plus one constant: keep that in ours
    constant = float(first["lbm"]) - float(first["afw"])
    for row in csv.DictReader(hand):
        assert float(row["lbm"]) - float(row["afw"]) == pytest.approx(constant, abs=2e-4)


def test_handwritten_pdok_and_v4_answers_use_the_real_names() -> None:
    from tests.online.conftest import RESPONSES

    identifiers = {"buurtcode", "buurtnaam", "wijkcode", "gemeentecode", "gemeentenaam",
                   "water", "jaar"}
    for name in ("pdok_buurten_2019_page1.json", "pdok_buurten_2019_page2.json"):
        hand = json.loads((RESPONSES / name).read_text(encoding="utf-8"))
        for feature in hand["features"]:
            extra = set(feature["properties"]) - identifiers
            assert extra <= set(real.PDOK_KWB_PROPERTIES), extra
    regions = pd.read_parquet(real.real_dir() / V4_2017 /
                              "cbs.v4.83765NED_WijkenEnBuurtenCodes.parquet")["Identifier"]
    assert regions.eq(regions.str.strip()).all()  # v4 keys are not padded
    for name in ("kwb2019_v4_observations_page1.json", "kwb2019_v4_observations_page2.json"):
        hand = json.loads((RESPONSES / name).read_text(encoding="utf-8"))
        for row in hand["value"]:
            assert row["WijkenEnBuurten"] == row["WijkenEnBuurten"].strip()
            assert set(row) <= {"Id", "Measure", "ValueAttribute", "Value", "WijkenEnBuurten",
                                "Perioden", "StringValue"}


def test_gemeente_list_from_real_v4_region_codes_when_v3_lacks_the_table(services) -> None:
    codes = pd.read_parquet(real.real_dir() / V4_2017 /
                            "cbs.v4.83765NED_WijkenEnBuurtenCodes.parquet")
    gemeenten = codes[codes["Identifier"].str.startswith("GM")]
    body = json.dumps({"@odata.context": "x#WijkenEnBuurtenCodes", "value": json.loads(
        gemeenten.to_json(orient="records"))}, ensure_ascii=False).encode("utf-8")
    services.route("/odata/83765NED/WijkenEnBuurten", lambda _q: (404, "text/plain", b""))
    services.route("/odata4/83765NED/WijkenEnBuurtenCodes",
                   lambda _q: (200, "application/json", body))
    settings = get_settings()
    with HttpClient(settings, backoff_s=0) as client:
        names = cbs_odata.gemeente_list(client, settings, 2017)
    assert len(names) == len(gemeenten) > 380
    assert names["GM1680"] == "Aa en Hunze"
    assert names["GM1900"] == "Súdwest-Fryslân"  # as CBS writes it

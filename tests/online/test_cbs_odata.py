"""CBS OData v3/v4 paging and the saved documents the readers see."""

from __future__ import annotations

import json

from veerkracht.http import HttpClient
from veerkracht.online import cbs_odata
from veerkracht.settings import get_settings
from veerkracht.sources import _odata


def test_region_filter_covers_gemeente_wijken_buurten() -> None:
    assert cbs_odata.region_filter("gm0363") == (
        "startswith(WijkenEnBuurten,'GM0363') or startswith(WijkenEnBuurten,'WK0363') "
        "or startswith(WijkenEnBuurten,'BU0363')"
    )
    assert cbs_odata.period_filter([2019, 2018]) == (
        "Perioden eq '2018JJ00' or Perioden eq '2019JJ00'"
    )


def test_v3_follows_next_link_over_two_pages(services) -> None:
    settings = get_settings()
    with HttpClient(settings, backoff_s=0) as client:
        doc = cbs_odata.fetch_table(client, settings, "83765NED", "GM0363")
    assert [r["ID"] for r in doc["value"]] == [1, 2, 3, 4]
    assert services.hits["/odata/83765NED/TypedDataSet"] == 2
    assert doc["odata.metadata"].endswith("/83765NED/$metadata#Cbs.OData.WebAPI.TypedDataSet")
    assert doc["RegionTitles"][1] == {"Key": "WK036300", "Title": "Burgwallen-Oude Zijde"}
    first_query = dict(services.queries)["/odata/83765NED/TypedDataSet"]
    assert first_query["$filter"] == [cbs_odata.region_filter("GM0363")]


def test_v4_fallback_pages_and_embeds_measure_codes(services, tmp_path) -> None:
    settings = get_settings()
    with HttpClient(settings, backoff_s=0) as client:
        doc = cbs_odata.fetch_table(client, settings, "84583NED", "GM0363")
    assert services.hits["/odata/84583NED/TypedDataSet"] == 1  # 404: not on v3
    assert services.hits["/odata4/84583NED/Observations"] == 2
    assert len(doc["value"]) == 6
    assert [c["Identifier"] for c in doc["MeasureCodes"]] == ["T001036", "A025293", "A047018"]
    path = cbs_odata.save(doc, tmp_path / "kwb_2019.json")
    assert next(iter(json.loads(path.read_text(encoding="utf-8")))) == "@odata.context"
    frame, table_id = _odata.frame_from_file(path)
    assert table_id == "84583NED"
    row = frame.set_index("Codering").loc["BU03630000"]
    assert row["Aantal inwoners"] == "1035.0"
    assert row["In bezit woningcorporatie"] == "."  # ValueAttribute 'Impossible'


def test_gemeente_list_keeps_names_as_written(services) -> None:
    settings = get_settings()
    with HttpClient(settings, backoff_s=0) as client:
        names = cbs_odata.gemeente_list(client, settings, 2019)
    assert names["GM1900"] == "Súdwest-Fryslân"
    assert names["GM0363"] == "Amsterdam"


def test_dataderden_host_for_police_tables(monkeypatch) -> None:
    monkeypatch.delenv("VEERKRACHT_CBS_ODATA_V3", raising=False)
    monkeypatch.delenv(cbs_odata.ENV_DATADERDEN, raising=False)
    assert cbs_odata.dataderden_base(get_settings()) == "https://dataderden.cbs.nl/ODataApi/odata"

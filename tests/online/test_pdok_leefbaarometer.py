"""PDOK OGC API paging and Leefbaarometer download / WFS layer discovery."""

from __future__ import annotations

import csv
import json

import pytest

from veerkracht.errors import NetworkError
from veerkracht.http import HttpClient, ServiceNotFoundError
from veerkracht.online import leefbaarometer, pdok
from veerkracht.settings import get_settings


def test_pdok_follows_next_link(services, tmp_path) -> None:
    settings = get_settings()
    with HttpClient(settings, backoff_s=0) as client:
        collection = pdok.fetch_boundaries(client, settings.pdok_ogc, 2019, "GM0363")
    codes = [f["properties"]["buurtcode"] for f in collection["features"]]
    assert codes == ["BU03630000", "BU03630001", "BU03630002"]
    items = "/pdok/wijken-en-buurten-2019/ogc/v1/collections/buurten/items"
    assert services.hits[items] == 2
    assert dict(services.queries)[items]["gemeentecode"] == ["GM0363"]
    path = pdok.save(collection, tmp_path / pdok.boundary_file_name(2019, "GM0363"))
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert saved["type"] == "FeatureCollection"
    assert saved["features"][1]["properties"]["buurtnaam"] == "Oude Kerk e.o."
    assert path.name == "pdok_cbs_buurten_2019_GM0363.geojson"


def test_pdok_year_without_service_is_not_found(services) -> None:
    settings = get_settings()
    with HttpClient(settings, backoff_s=0) as client, pytest.raises(ServiceNotFoundError):
        pdok.fetch_boundaries(client, settings.pdok_ogc, 2017, "GM0363")


def test_capabilities_list_every_buurt_layer_oldest_first() -> None:
    from tests.online.real import lbm_capabilities

    found = leefbaarometer.layers(lbm_capabilities([2024, 2020, 2022]))
    assert len(found) == 5
    chosen = leefbaarometer.buurt_layers(found)
    assert [layer.name for layer in chosen] == [
        "lbm3:buurtscore20", "lbm3:buurtscore22", "lbm3:buurtscore24"]
    assert [layer.year for layer in chosen] == [2020, 2022, 2024]
    assert leefbaarometer.pick_buurt_layer(found).name == "lbm3:buurtscore24"


def test_no_buurt_layer_is_a_clear_error() -> None:
    with pytest.raises(NetworkError, match="geen laag met buurtscores"):
        leefbaarometer.pick_buurt_layer([leefbaarometer.Layer("lbm3:wijkscore24", "wijk")])


def test_download_keeps_the_gemeente_rows(services, tmp_path) -> None:
    settings = get_settings()
    with HttpClient(settings, backoff_s=0) as client:
        path = leefbaarometer.fetch_download(
            client, settings.leefbaarometer_downloads, "GM0363", tmp_path
        )
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    assert [(r["bu_code"], r["jaar"]) for r in rows] == [
        ("BU03630000", "2018"), ("BU03630000", "2022"), ("BU03630001", "2022")]
    assert rows[2]["onv"] == "-0.1533"
    assert services.hits["/lbm/resources/open-data-leefbaarometer-meting-2024.zip"] == 1

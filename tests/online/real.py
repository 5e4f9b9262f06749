"""Real service answers (``../shared/real_responses``) and answers built in exactly their format.

The real files are read where they lie, never copied into the repository. Larger answers
(more than 10,000 rows, every year of the Leefbaarometer, PDOK's snake_case properties)
are built at test time with the same envelope, key order, padding and paging links as
the real ones; ``test_real_formats`` checks each builder against a real file or the
documented field list.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import in_ci
from veerkracht.settings import real_responses_dir

#: The body CBS's ODataApi answers (HTTP 500) to a query above 10,000 records.
TOO_MANY_BODY = json.dumps({"odata.error": {"code": "", "message": {
    "lang": "en-US", "value": "The query returns more than 10000 records. "
    "Please use the ODataFeed (https://opendata.cbs.nl/ODataFeed) or filter the query."}}})
FEED_PAGE = 10_000

#: Leefbaarometer 3.0 WFS feature properties as documented (see real_responses/README.md).
LBM_WFS_PROPERTIES = ("id", "name", "gemeente", "year", "kscore", "kafw", "kfys", "konv",
                      "ksoc", "kvrz", "kwon", "afw", "fys", "onv", "soc", "vrz", "won")
#: PDOK wijken-en-buurten OGC API: a sample of its snake_case KWB properties.
PDOK_KWB_PROPERTIES = {
    "aantal_inwoners": "a_inw", "aantal_huishoudens": "a_hh",
    "bevolkingsdichtheid_inwoners_per_km2": "bev_dich", "gemiddelde_woningwaarde": "g_woz",
    "gemiddelde_huishoudsgrootte": "g_hhgro", "percentage_koopwoningen": "p_koopw",
    "percentage_huurwoningen": "p_huurw",
    "perc_huurwoningen_in_bezit_woningcorporaties": "p_wcorpw",
    "percentage_huishoudens_onder_of_rond_sociaal_minimum": "p_hh_osm",
    "aantal_personen_met_een_algemene_bijstandsuitkering_totaal": "a_soz_wb",
    "niet_westerse_migratieachtergrond": "a_nw_all",
}
#: PDOK's suppression markers: 'geheim' and 'nihil/onbekend' published as numbers.
PDOK_SUPPRESSED = (-99997, -99995)


def real_dir() -> Path:
    """The real answers; fails under CI when absent, skips locally."""
    path = real_responses_dir()
    if not (path / "README.md").exists():
        message = f"real service answers not found at {path} (set VEERKRACHT_REAL_RESPONSES)"
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)
    return path


def load_real(relative: str) -> Any:
    return json.loads((real_dir() / relative).read_text(encoding="utf-8-sig"))


def pad(code: str, width: int = 10) -> str:
    """CBS v3 pads dimension keys with spaces ("GM0141    ")."""
    return code.ljust(width)


def feed_page(
    rows: list[dict], *, feed: str, table: str, path: str, skip: int, total: int | None = None
) -> dict[str, Any]:
    """One ODataFeed page as CBS serves it: ``value`` first, then metadata, then next link.

    The next link carries only ``$format`` and ``$skip`` (as in the real
    ``tables_2.json``), not the caller's ``$filter``.
    """
    total = len(rows) if total is None else total
    page = {"value": rows[skip:skip + FEED_PAGE],
            "odata.metadata": f"{feed}/{table}/$metadata#Cbs.OData.WebAPI.{path}"}
    if skip + FEED_PAGE < total:
        page["odata.nextLink"] = f"{feed}/{table}/{path}/?$format=json&$skip={skip + FEED_PAGE}"
    return page


def feed_handler(rows: list[dict], *, feed: str, table: str, path: str, require: str = ""):
    """Serve ``rows`` in Feed pages; a page without ``require`` in its $filter is a 400."""

    def handler(query: dict[str, list[str]]) -> tuple[int, str, bytes]:
        if require and require not in query.get("$filter", [""])[0]:
            return 400, "application/json", b'{"odata.error": "filter lost"}'
        skip = int(query.get("$skip", ["0"])[0])
        body = feed_page(rows, feed=feed, table=table, path=path, skip=skip)
        return 200, "application/json", json.dumps(body).encode("utf-8")

    return handler


def too_many_handler(_query: dict[str, list[str]]) -> tuple[int, str, bytes]:
    return 500, "application/json", TOO_MANY_BODY.encode("utf-8")


def lbm_feature(code: str, name: str, gemeente: str, year: int, seed: float) -> dict:
    """A Leefbaarometer 3.0 WFS buurt feature with the documented properties."""
    z = {d: round(seed * (i + 1) / 10, 4) for i, d in enumerate(("fys", "onv", "soc", "vrz",
                                                                   "won"))}
    props: dict[str, Any] = {"id": code, "name": name, "gemeente": gemeente, "year": str(year),
                             "kscore": 1 + int(seed * 10) % 9, "afw": round(sum(z.values()), 4)}
    props.update({f"k{d}": 1 + int(seed * 7 + i) % 9 for i, d in
                  enumerate(("afw", "fys", "onv", "soc", "vrz", "won"))})
    props.update(z)
    return {"type": "Feature", "id": f"buurtscore{year % 100}.{code}", "geometry": None,
            "properties": props}


def lbm_describe(layer: str) -> str:
    """DescribeFeatureType of a WFS layer with the documented property names."""
    types = {"id": "string", "name": "string", "gemeente": "string", "year": "string"}
    elements = "".join(
        f'<xsd:element maxOccurs="1" minOccurs="0" name="{p}" nillable="true" '
        f'type="xsd:{types.get(p, "int" if p.startswith("k") else "double")}"/>'
        for p in LBM_WFS_PROPERTIES
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><xsd:schema '
        'xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:gml="http://www.opengis.net/gml/3.2" '
        'xmlns:lbm3="https://geo.leefbaarometer.nl/lbm3"><xsd:complexType '
        f'name="{layer}Type"><xsd:complexContent><xsd:extension base="gml:AbstractFeatureType">'
        '<xsd:sequence><xsd:element maxOccurs="1" minOccurs="0" name="geom" nillable="true" '
        f'type="gml:MultiSurfacePropertyType"/>{elements}</xsd:sequence></xsd:extension>'
        f'</xsd:complexContent></xsd:complexType><xsd:element name="{layer}" '
        f'substitutionGroup="gml:AbstractFeature" type="lbm3:{layer}Type"/></xsd:schema>'
    )


def lbm_capabilities(years: list[int]) -> str:
    """GetCapabilities announcing one buurt layer per year (plus wijk and grid layers)."""
    layers = [(f"lbm3:buurtscore{y % 100}", f"Leefbaarometer buurtscores {y}") for y in years]
    layers += [("lbm3:wijkscore24", "Leefbaarometer wijkscores 2024"),
               ("lbm3:clippedgridscore24", "Leefbaarometer score grid 100m 2024")]
    types = "".join(
        f'<FeatureType xmlns:lbm3="https://geo.leefbaarometer.nl/lbm3"><Name>{n}</Name>'
        f"<Title>{t}</Title></FeatureType>" for n, t in layers
    )
    return ('<?xml version="1.0"?><wfs:WFS_Capabilities xmlns:wfs="http://www.opengis.net/wfs/2.0" '
            f'version="2.0.0"><FeatureTypeList>{types}</FeatureTypeList></wfs:WFS_Capabilities>')


def kwb_v3_rows(regions: list[tuple[str, str]], gemeente_name: str) -> list[dict]:
    """KWB TypedDataSet rows with the real KWB 2024 keys (DataProperties), padded as served.

    ``regions`` is [(code, kind)], kind as in ``SoortRegio`` ("Gemeente", "Wijk", "Buurt");
    every count is distinct: ``100 * (row + 1) + topic position``; percentages stay within
    0-100 (``(31 * row + topic position) % 100``), as the import's checks demand.
    """
    topics = [p for p in load_real(KWB2024_PROPERTIES) if p["Type"] == "Topic"]
    text = {"Gemeentenaam": real_pad_name(gemeente_name), "Codering": None,
            "IndelingswijzigingGemeenteWijkBuurt": "1", "MeestVoorkomendePostcode": "8701"}
    rows = []
    for n, (code, kind) in enumerate(regions):
        row: dict[str, Any] = {"ID": n, "WijkenEnBuurten": pad(code)}
        for i, topic in enumerate(topics):
            prefix = topic["Key"].rsplit("_", 1)[0]
            if prefix == "SoortRegio":
                row[topic["Key"]] = pad(kind)
            elif prefix == "Codering":
                row[topic["Key"]] = pad(code)
            elif prefix in text:
                row[topic["Key"]] = text[prefix]
            elif topic.get("Unit") == "%":
                row[topic["Key"]] = float((31 * n + i) % 100)
            else:
                row[topic["Key"]] = float(100 * (n + 1) + i)
        rows.append(row)
    return rows


KWB2024_PROPERTIES = "cbs_odata_v3_kwb2024_85984NED/DataProperties.json"


def real_pad_name(name: str) -> str:
    return name.ljust(40)

"""CBS OData: v3 ``TypedDataSet`` (ODataApi, else ODataFeed) and v4 ``Observations``.

v3 has two front doors to the same tables. The ``ODataApi``
(``opendata.cbs.nl/ODataApi/odata/<id>``) answers a query in one response, but refuses one
that would return more than 10,000 records with HTTP 500 ("... more than 10000 records").
That is not an outage: the same query then goes to the ``ODataFeed``
(``opendata.cbs.nl/ODataFeed/odata/<id>``), which answers 10,000 rows per page and links
the next page with ``odata.nextLink`` (``...&$skip=10000``). v4
(``datasets.cbs.nl/odata/v1/CBS/<id>``) pages with ``@odata.nextLink``. Every link is
followed to the end (bounded). The pages are joined into one document in the service's
own shape, first key the metadata/context URL (which names the table id, so ``sources``
recognises the saved file), and for v4 the table's ``MeasureCodes`` embedded under
``"MeasureCodes"`` so measure codes resolve to titles.
"""

from __future__ import annotations

import json
import logging
import os
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from veerkracht.errors import NetworkError
from veerkracht.http import HttpClient, ServiceNotFoundError, TooManyRecordsError
from veerkracht.settings import Settings

log = logging.getLogger(__name__)

#: Gezondheid per wijk en buurt; 2012/2016/2020 (indeling 2020) — RIVM/GGD'en/CBS.
HEALTH_TABLE = "50090NED"
#: Geregistreerde misdrijven per wijk en buurt (politie), jaarcijfers / maandcijfers.
#: These are "derden" tables: published on dataderden.cbs.nl, not opendata.cbs.nl.
CRIME_YEAR_TABLE = "47018NED"
CRIME_MONTH_TABLE = "47022NED"
ENV_DATADERDEN = "VEERKRACHT_CBS_DATADERDEN"
ENV_DATADERDEN_FEED = "VEERKRACHT_CBS_DATADERDEN_FEED"

#: Safety bound on paging: 1,000 pages of 10,000 rows is far beyond any gemeente.
MAX_PAGES = 1000
REGION_DIMENSION = "WijkenEnBuurten"


def kwb_tables() -> dict[int, str]:
    """KWB StatLine table id per year, from ``sources/cbs_kwb.toml``."""
    # The TOML file itself: online sits below sources.registry (which lists the fetchers)
    spec = Path(__file__).parents[1] / "sources" / "cbs_kwb.toml"
    tables = tomllib.loads(spec.read_text(encoding="utf-8"))["tables"]
    return {int(k): v for k, v in tables.items()}


def dataderden_base(settings: Settings) -> str:
    """v3 base for third-party tables (police crime): same API, other host."""
    env = os.environ.get(ENV_DATADERDEN)
    if env:
        return env.rstrip("/")
    return settings.cbs_odata_v3.replace("opendata.cbs.nl", "dataderden.cbs.nl")


def dataderden_feed(settings: Settings) -> str:
    """ODataFeed base for third-party tables."""
    env = os.environ.get(ENV_DATADERDEN_FEED)
    if env:
        return env.rstrip("/")
    return settings.cbs_odata_feed.replace("opendata.cbs.nl", "dataderden.cbs.nl")


def region_filter(gemeente_code: str, dimension: str = REGION_DIMENSION) -> str:
    """OData ``$filter`` for a gemeente and all its wijken and buurten (GM0363 → 0363)."""
    digits = gemeente_code.strip().upper()[2:]
    parts = [f"startswith({dimension},'{p}{digits}')" for p in ("GM", "WK", "BU")]
    return " or ".join(parts)


def period_filter(years: list[int], *, monthly: bool = False) -> str:
    """``Perioden`` filter: ``2019JJ00`` for year tables, ``startswith(…,'2019')`` for months."""
    if monthly:
        return " or ".join(f"startswith(Perioden,'{y}')" for y in sorted(years))
    return " or ".join(f"Perioden eq '{y}JJ00'" for y in sorted(years))


def _next_url(current: str, link: str, params: dict[str, str] | None) -> str:
    """The next page's address: the service's link, with our query kept.

    CBS's links carry ``$skip``/``$skiptoken`` and normally the original query too; where
    a link dropped a parameter we asked for (``$filter``, ``$select``), it is added back,
    so page 2 never silently widens to the whole table.
    """
    url = urljoin(current, link)  # absolute at CBS; tolerate relative
    if not params:
        return url
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    merged = {**params, **query}
    if merged == query:
        return url
    return urlunsplit(parts._replace(query=urlencode(merged, safe="$,'()")))


def _follow(
    client: HttpClient, url: str, params: dict[str, str] | None, next_key: str, label: str
) -> tuple[dict[str, Any], list[dict], int]:
    """All pages of an OData collection: (first page, all rows, number of pages)."""
    first: dict[str, Any] | None = None
    rows: list[dict] = []
    next_url: str = url
    for page in range(1, MAX_PAGES + 1):
        document = client.get_json(
            next_url, params if page == 1 else None, label=f"{label} p{page}"
        )
        if not isinstance(document, dict) or not isinstance(document.get("value"), list):
            raise NetworkError(
                f"onverwacht antwoord van {next_url}: geen OData-'value'-lijst",
                fix="Controleer de tabel-id; meld het als dit blijft.",
            )
        first = first or document
        rows.extend(document["value"])
        next_link = document.get(next_key)
        if not next_link:
            return first, rows, page
        next_url = _next_url(next_url, next_link, params)
    raise NetworkError(f"{url}: meer dan {MAX_PAGES} pagina's; ophalen afgebroken")


def follow_v3(
    client: HttpClient, base: str, feed: str, path: str, params: dict[str, str], label: str
) -> tuple[dict[str, Any], list[dict]]:
    """A v3 collection from the ODataApi; through the ODataFeed when it is too large."""
    try:
        first, rows, _ = _follow(client, f"{base}/{path}", params, "odata.nextLink", label)
    except TooManyRecordsError:
        log.info("%s: meer dan 10.000 records; ophalen via de ODataFeed", label)
        first, rows, pages = _follow(
            client, f"{feed}/{path}", params, "odata.nextLink", f"{label} (feed)"
        )
        log.info("%s: %d rijen in %d pagina's via de ODataFeed", label, len(rows), pages)
    return first, rows


def fetch_v3(
    client: HttpClient,
    base: str,
    table: str,
    *,
    filter_: str,
    select: list[str] | None = None,
    gemeente_code: str | None = None,
    feed: str | None = None,
) -> dict[str, Any]:
    """``{base}/{table}/TypedDataSet`` with ``$filter``, all pages joined.

    ``feed`` is the ODataFeed base used when the ODataApi refuses the query as too
    large (default: ``base`` with ``ODataApi`` → ``ODataFeed``). With ``gemeente_code``
    the region names (the dimension's ``Title``; TypedDataSet itself only has the keys)
    are embedded under ``"RegionTitles"``.
    """
    feed = feed or base.replace("/ODataApi/", "/ODataFeed/")
    params = {"$filter": filter_, "$format": "json"}
    if select:
        params["$select"] = ",".join(select)
    first, rows = follow_v3(client, base, feed, f"{table}/TypedDataSet", params, f"{table} (v3)")
    document = {"odata.metadata": first.get("odata.metadata", f"{base}/{table}/$metadata"),
                "value": rows}
    if gemeente_code:
        titles = _region_titles_v3(client, base, feed, table, gemeente_code)
        if titles:
            document["RegionTitles"] = titles
    return document


def fetch_v4(
    client: HttpClient, base: str, table: str, *, filter_: str, gemeente_code: str | None = None
) -> dict[str, Any]:
    """``{base}/{table}/Observations`` with ``$filter``, all pages joined, plus MeasureCodes."""
    first, rows, _ = _follow(
        client, f"{base}/{table}/Observations", {"$filter": filter_}, "@odata.nextLink",
        f"{table} (v4)",
    )
    _, codes, _ = _follow(
        client, f"{base}/{table}/MeasureCodes", None, "@odata.nextLink", f"{table} MeasureCodes"
    )
    context = first.get("@odata.context", f"{base}/{table}/$metadata#Observations")
    document = {"@odata.context": context, "value": rows, "MeasureCodes": codes}
    if gemeente_code:
        titles = _region_titles(
            client, f"{base}/{table}/{REGION_DIMENSION}Codes", "Identifier", gemeente_code,
            "@odata.nextLink",
        )
        if titles:
            document["RegionTitles"] = titles
    return document


def _region_titles_v3(
    client: HttpClient, base: str, feed: str, table: str, gemeente_code: str
) -> list[dict[str, str]]:
    params = {"$filter": region_filter(gemeente_code, "Key"), "$format": "json"}
    try:
        _, rows = follow_v3(
            client, base, feed, f"{table}/{REGION_DIMENSION}", params, "regionamen"
        )
    except ServiceNotFoundError:
        return []
    return [{"Key": str(r["Key"]).strip(), "Title": str(r.get("Title", "")).strip()}
            for r in rows if r.get("Key")]


def _region_titles(
    client: HttpClient, url: str, key: str, gemeente_code: str, next_key: str
) -> list[dict[str, str]]:
    """[{Key, Title}] of the gemeente's regions; empty when the service lacks the list."""
    try:
        _, rows, _ = _follow(
            client, url, {"$filter": region_filter(gemeente_code, key)}, next_key, "regionamen"
        )
    except ServiceNotFoundError:
        return []
    return [{"Key": str(r[key]).strip(), "Title": str(r.get("Title", "")).strip()}
            for r in rows if r.get(key)]


def fetch_table(
    client: HttpClient, settings: Settings, table: str, gemeente_code: str,
    *, extra_filter: str = "", base_v3: str | None = None, feed_v3: str | None = None,
) -> dict[str, Any]:
    """A table for one gemeente: v3 first; v4 when v3 does not have the table (404)."""
    region = region_filter(gemeente_code)
    filter_ = f"({region}) and ({extra_filter})" if extra_filter else region
    try:
        return fetch_v3(
            client, base_v3 or settings.cbs_odata_v3, table, filter_=filter_,
            gemeente_code=gemeente_code, feed=feed_v3 or settings.cbs_odata_feed,
        )
    except ServiceNotFoundError:
        log.info("%s niet in OData v3; probeer v4", table)
        return fetch_v4(
            client, settings.cbs_odata_v4, table, filter_=filter_, gemeente_code=gemeente_code
        )


def save(document: dict[str, Any], path: Path) -> Path:
    """Write the joined document (atomically) where ``ingest`` will read it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    tmp.replace(path)
    return path


def gemeente_list(
    client: HttpClient, settings: Settings, year: int | None = None
) -> dict[str, str]:
    """Gemeente code → name from a KWB table's ``WijkenEnBuurten`` dimension (v3)."""
    tables = kwb_tables()
    table = tables.get(year) if year in tables else tables[max(tables)]
    try:
        _, rows = follow_v3(
            client, settings.cbs_odata_v3, settings.cbs_odata_feed, f"{table}/WijkenEnBuurten",
            {"$filter": "startswith(Key,'GM')", "$select": "Key,Title", "$format": "json"},
            "gemeentelijst",
        )
        key = "Key"
    except ServiceNotFoundError:  # a table only on v4: its WijkenEnBuurtenCodes
        _, rows, _ = _follow(
            client, f"{settings.cbs_odata_v4}/{table}/{REGION_DIMENSION}Codes",
            {"$filter": "startswith(Identifier,'GM')"}, "@odata.nextLink", "gemeentelijst",
        )
        key = "Identifier"
    return {str(r[key]).strip(): str(r["Title"]).strip() for r in rows
            if str(r.get(key) or "").strip().startswith("GM")}

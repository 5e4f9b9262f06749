"""CBS OData: v3 ``TypedDataSet`` and v4 ``Observations``, for one gemeente.

v3 (``opendata.cbs.nl/ODataApi/odata/<id>``) answers at most 10,000 rows per response
and links the rest with ``odata.nextLink``; v4 (``odata4.cbs.nl/CBS/<id>``) does the same
with ``@odata.nextLink``. Both are followed to the end (bounded). The pages are joined
into one document in the service's own shape, first key the metadata/context URL (which
names the table id, so ``sources`` recognises the saved file), and for v4 the table's
``MeasureCodes`` embedded under ``"MeasureCodes"`` so measure codes resolve to titles.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from veerkracht.errors import NetworkError
from veerkracht.online.http import HttpClient, ServiceNotFoundError
from veerkracht.settings import Settings

log = logging.getLogger(__name__)

#: Gezondheid per wijk en buurt; 2012/2016/2020 (indeling 2020) — RIVM/GGD'en/CBS.
HEALTH_TABLE = "50090NED"
#: Geregistreerde misdrijven per wijk en buurt (politie), jaarcijfers / maandcijfers.
#: These are "derden" tables: published on dataderden.cbs.nl, not opendata.cbs.nl.
CRIME_YEAR_TABLE = "47018NED"
CRIME_MONTH_TABLE = "47022NED"
ENV_DATADERDEN = "VEERKRACHT_CBS_DATADERDEN"

#: Safety bound on paging: 1,000 pages of 10,000 rows is far beyond any gemeente.
MAX_PAGES = 1000
REGION_DIMENSION = "WijkenEnBuurten"


def kwb_tables() -> dict[int, str]:
    """KWB StatLine table id per year, from ``sources/cbs_kwb.toml``."""
    import tomllib

    import veerkracht.sources

    # Read the TOML itself: importing sources.cbs_kwb would register only its readers.
    spec = Path(veerkracht.sources.__file__).with_name("cbs_kwb.toml")
    tables = tomllib.loads(spec.read_text(encoding="utf-8"))["tables"]
    return {int(k): v for k, v in tables.items()}


def dataderden_base(settings: Settings) -> str:
    """v3 base for third-party tables (police crime): same API, other host."""
    env = os.environ.get(ENV_DATADERDEN)
    if env:
        return env.rstrip("/")
    return settings.cbs_odata_v3.replace("opendata.cbs.nl", "dataderden.cbs.nl")


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


def _follow(
    client: HttpClient, url: str, params: dict[str, str] | None, next_key: str, label: str
) -> tuple[dict[str, Any], list[dict]]:
    """All pages of an OData collection: (first page, all rows)."""
    first: dict[str, Any] | None = None
    rows: list[dict] = []
    next_url: str | None = url
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
        # The service's next link already carries filter/select and a $skip(token).
        next_link = document.get(next_key)
        if not next_link:
            return first, rows
        next_url = urljoin(next_url, next_link)  # absolute at CBS; tolerate relative
    raise NetworkError(f"{url}: meer dan {MAX_PAGES} pagina's; ophalen afgebroken")


def fetch_v3(
    client: HttpClient,
    base: str,
    table: str,
    *,
    filter_: str,
    select: list[str] | None = None,
    gemeente_code: str | None = None,
) -> dict[str, Any]:
    """``{base}/{table}/TypedDataSet`` with ``$filter``, all pages joined.

    With ``gemeente_code`` the region names (the dimension's ``Title``; TypedDataSet
    itself only has the keys) are embedded under ``"RegionTitles"``.
    """
    params = {"$filter": filter_, "$format": "json"}
    if select:
        params["$select"] = ",".join(select)
    first, rows = _follow(
        client, f"{base}/{table}/TypedDataSet", params, "odata.nextLink", f"{table} (v3)"
    )
    document = {"odata.metadata": first.get("odata.metadata", f"{base}/{table}/$metadata"),
                "value": rows}
    if gemeente_code:
        titles = _region_titles(
            client, f"{base}/{table}/{REGION_DIMENSION}", "Key", gemeente_code, "odata.nextLink"
        )
        if titles:
            document["RegionTitles"] = titles
    return document


def fetch_v4(
    client: HttpClient, base: str, table: str, *, filter_: str, gemeente_code: str | None = None
) -> dict[str, Any]:
    """``{base}/{table}/Observations`` with ``$filter``, all pages joined, plus MeasureCodes."""
    first, rows = _follow(
        client, f"{base}/{table}/Observations", {"$filter": filter_}, "@odata.nextLink",
        f"{table} (v4)",
    )
    _, codes = _follow(
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


def _region_titles(
    client: HttpClient, url: str, key: str, gemeente_code: str, next_key: str
) -> list[dict[str, str]]:
    """[{Key, Title}] of the gemeente's regions; empty when the service lacks the list."""
    try:
        _, rows = _follow(
            client, url, {"$filter": region_filter(gemeente_code, key)}, next_key, "regionamen"
        )
    except ServiceNotFoundError:
        return []
    return [{"Key": str(r[key]).strip(), "Title": str(r.get("Title", "")).strip()}
            for r in rows if r.get(key)]


def fetch_table(
    client: HttpClient, settings: Settings, table: str, gemeente_code: str,
    *, extra_filter: str = "", base_v3: str | None = None,
) -> dict[str, Any]:
    """A table for one gemeente: v3 first; v4 when v3 does not have the table (404)."""
    region = region_filter(gemeente_code)
    filter_ = f"({region}) and ({extra_filter})" if extra_filter else region
    try:
        return fetch_v3(
            client, base_v3 or settings.cbs_odata_v3, table, filter_=filter_,
            gemeente_code=gemeente_code,
        )
    except ServiceNotFoundError:
        log.info("%s niet in OData v3; probeer v4", table)
        return fetch_v4(
            client, settings.cbs_odata_v4, table, filter_=filter_, gemeente_code=gemeente_code
        )


def save(document: dict[str, Any], path: Path) -> Path:
    """Write the joined document (atomically) where ``ingest`` will read it."""
    import json

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
    _, rows = _follow(
        client,
        f"{settings.cbs_odata_v3}/{table}/WijkenEnBuurten",
        {"$filter": "startswith(Key,'GM')", "$select": "Key,Title", "$format": "json"},
        "odata.nextLink",
        "gemeentelijst",
    )
    return {str(r["Key"]).strip(): str(r["Title"]).strip() for r in rows if r.get("Key")}

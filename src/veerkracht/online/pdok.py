"""PDOK OGC API Features: CBS wijk- en buurtgrenzen for one gemeente and year.

``{pdok_ogc}/wijken-en-buurten-{year}/ogc/v1/collections/buurten/items`` filtered on the
queryable ``gemeentecode`` (``GM0363``), ``limit=1000``, paged by following the link with
``rel="next"``. Features carry ``buurtcode``, ``buurtnaam``, ``wijkcode``,
``gemeentecode``, ``gemeentenaam``, ``water`` (JA/NEE) and the KWB attributes.

Coordinates: we request the default CRS, i.e. WGS84 longitude/latitude (CRS84), so the
saved file is plain RFC 7946 GeoJSON that any reader takes without a ``crs`` member; the
boundaries reader projects to the store CRS (EPSG:28992). Requesting
``crs=http://www.opengis.net/def/crs/EPSG/0/28992`` would give RD coordinates that a
GeoJSON reader cannot recognise from the file alone, so we do not.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from veerkracht.errors import NetworkError
from veerkracht.http import HttpClient

PAGE_SIZE = 1000
MAX_PAGES = 200  # a gemeente has at most a few hundred buurten: 1 page in practice
COLLECTIONS = {"buurt": "buurten", "wijk": "wijken", "gemeente": "gemeenten"}


def items_url(base: str, year: int, level: str = "buurt") -> str:
    return f"{base}/wijken-en-buurten-{year}/ogc/v1/collections/{COLLECTIONS[level]}/items"


def fetch_boundaries(
    client: HttpClient, base: str, year: int, gemeente_code: str, level: str = "buurt"
) -> dict[str, Any]:
    """All features of one gemeente as one FeatureCollection."""
    url: str | None = items_url(base, year, level)
    params: dict[str, Any] | None = {
        "f": "json", "limit": PAGE_SIZE, "gemeentecode": gemeente_code.upper(),
    }
    features: list[dict] = []
    for page in range(1, MAX_PAGES + 1):
        document = client.get_json(url, params, label=f"PDOK {COLLECTIONS[level]} {year} p{page}")
        if not isinstance(document, dict) or not isinstance(document.get("features"), list):
            raise NetworkError(f"onverwacht antwoord van PDOK ({url}): geen GeoJSON-'features'")
        features.extend(document["features"])
        href = next(
            (lk.get("href") for lk in document.get("links", []) if lk.get("rel") == "next"), None
        )
        url = urljoin(url, href) if href else None
        params = None  # the next link is complete (cursor + original query)
        if not url:
            break
    else:
        raise NetworkError(f"PDOK: meer dan {MAX_PAGES} pagina's voor {gemeente_code}")
    if not features:
        raise NetworkError(
            f"PDOK gaf geen {COLLECTIONS[level]} voor {gemeente_code} in {year}",
            fix="Controleer de gemeentecode en of de gemeente in dat jaar bestond.",
        )
    return {
        "type": "FeatureCollection",
        "name": f"cbs_{COLLECTIONS[level]}_{year}_{gemeente_code}",
        "features": features,
    }


def boundary_file_name(year: int, gemeente_code: str, level: str = "buurt") -> str:
    return f"pdok_cbs_{COLLECTIONS[level]}_{year}_{gemeente_code}.geojson"


def save(collection: dict[str, Any], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(collection, ensure_ascii=False), encoding="utf-8")
    tmp.replace(path)
    return path

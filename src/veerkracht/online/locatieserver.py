"""PDOK Locatieserver (``/free``): an address or a 6-digit postcode to a point in RD.

``GET {base}/free?q=…&fq=type:adres&rows=1&fl=…`` answers a Solr envelope::

    {"response": {"numFound": 1, "start": 0, "maxScore": 9.3, "numFoundExact": true,
      "docs": [{"type": "adres", "weergavenaam": "Damrak 1, 1012LG Amsterdam",
                "centroide_rd": "POINT(121700.5 487795.2)", "gemeentecode": "0363",
                "score": 9.3, ...}]}}

Only the first document is used, and only when the service found exactly one match or
the first one clearly wins; the point is placed in a buurt by veerkracht itself (the
service's own ``buurtcode`` is the current edition, not the one the user chose).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from veerkracht.errors import NetworkError

if TYPE_CHECKING:
    from veerkracht.http import HttpClient

ENV_LOCATIESERVER = "VEERKRACHT_PDOK_LOCATIESERVER"
DEFAULT_BASE = "https://api.pdok.nl/bzk/locatieserver/search/v3_1"
FIELDS = "id weergavenaam type centroide_rd gemeentecode gemeentenaam postcode score"
_POINT = re.compile(r"POINT\(\s*([-\d.eE]+)\s+([-\d.eE]+)\s*\)")


@dataclass(frozen=True)
class Found:
    """One Locatieserver match: RD point, official name, gemeente code (GM…)."""

    x: float
    y: float
    name: str
    gemeente: str | None


def base_url() -> str:
    return os.environ.get(ENV_LOCATIESERVER, DEFAULT_BASE).rstrip("/")


def parse_point(text: str | None) -> tuple[float, float] | None:
    match = _POINT.match(str(text or "").strip())
    return (float(match.group(1)), float(match.group(2))) if match else None


def search(client: HttpClient, query: str, kind: str) -> Found | None:
    """The best match of ``kind`` (``adres`` or ``postcode``) for ``query``, or None.

    Raises :class:`~veerkracht.errors.NetworkError` when the service cannot be reached.
    """
    document = client.get_json(
        f"{base_url()}/free",
        {"q": query, "fq": f"type:{kind}", "rows": 1, "fl": FIELDS},
        label=f"PDOK Locatieserver {kind}",
    )
    response = document.get("response") if isinstance(document, dict) else None
    if not isinstance(response, dict) or not isinstance(response.get("docs"), list):
        raise NetworkError("onverwacht antwoord van PDOK Locatieserver: geen 'response.docs'")
    docs = response["docs"]
    if not docs:
        return None
    doc = docs[0]
    point = parse_point(doc.get("centroide_rd"))
    if point is None:
        return None
    code = doc.get("gemeentecode")
    return Found(
        point[0],
        point[1],
        str(doc.get("weergavenaam") or query),
        f"GM{int(code):04d}" if str(code or "").isdigit() else None,
    )

"""Leefbaarometer 3.0: the open-data download (all years) and the WFS (latest meting).

Download: ``{leefbaarometer_downloads}/open-data-leefbaarometer-meting-{meting}.zip``
holds ``Leefbaarometer-scores buurten 2002-{meting}.csv`` for the whole country
(``bu_code, …, jaar, lbm, afw, fys, onv, soc, vrz, won``). We keep the rows of one
gemeente, byte-for-byte values, header unchanged.

WFS (``geo.leefbaarometer.nl/lbm3/ows``, GeoServer): one layer per meting year
(``lbm3:buurtscore20``, ``buurtscore22``, ``buurtscore24``, …), found in GetCapabilities by
name/title; every buurt-score layer is fetched (one CSV per year). Its features carry
``id`` (the buurt code), ``name``, ``gemeente``, ``year`` (a string, "2024"), ``kscore``
(the class of the total score) and the other ``k*`` classes, and the z-scores ``afw``
(total deviation) and ``fys``, ``onv``, ``soc``, ``vrz``, ``won``. There is no total
score ``lbm`` in the WFS: the CSV leaves that column out, and the import reports
``lbm3.lbm`` as missing for those years. Features are fetched as JSON with a CQL filter
on the buurt code, paged with count/startIndex, and written in the download's CSV layout
(``bu_code, bu_naam, gm_naam, jaar, afw, fys, onv, soc, vrz, won, kl``).
"""

from __future__ import annotations

import csv
import functools
import io
import logging
import re
import threading
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from veerkracht.errors import NetworkError
from veerkracht.http import HttpClient, ServiceNotFoundError

log = logging.getLogger(__name__)

#: Meting years of the open-data download, newest first (the newest file has all years).
MEASUREMENTS = (2024, 2022)
#: The WFS CSV: the download's column names; ``kl`` is the class of the total (``kscore``).
CSV_COLUMNS = ["bu_code", "bu_naam", "gm_naam", "jaar", "afw", "fys", "onv", "soc", "vrz",
               "won", "kl"]
#: CSV column -> WFS property names that may hold it (first present wins).
WFS_PROPERTIES = {
    "bu_naam": ("name", "bu_naam"),
    "gm_naam": ("gemeente", "gm_naam"),
    "kl": ("kscore", "kl"),
    **{c: (c,) for c in ("afw", "fys", "onv", "soc", "vrz", "won")},
}
PAGE_SIZE = 1000
MAX_PAGES = 100
_CODE_PROPERTIES = ("bu_code", "buurtcode", "bu_code_", "statcode", "code", "id")
_YEAR_PROPERTIES = ("year", "jaar", "meting")


@dataclass(frozen=True)
class Layer:
    name: str
    title: str

    @property
    def year(self) -> int | None:
        found = re.findall(r"(?<!\d)(20\d\d)(?!\d)", self.name)
        if found:
            return int(found[-1])
        short = re.findall(r"(?<!\d)(\d\d)(?!\d)", self.name.split(":")[-1])
        return 2000 + int(short[-1]) if short else None


# -- open-data download ---------------------------------------------------------------


def download_url(base: str, meting: int) -> str:
    return f"{base}/open-data-leefbaarometer-meting-{meting}.zip"


def fetch_download(
    client: HttpClient, base: str, gemeente_code: str, folder: Path
) -> Path:
    """Newest open-data zip → CSV with the gemeente's buurten (all years)."""
    for meting in MEASUREMENTS:
        try:
            body = client.get_bytes(download_url(base, meting), label=f"Leefbaarometer {meting}")
        except ServiceNotFoundError:
            log.info("Leefbaarometer-download meting %s niet gevonden", meting)
            continue
        return _extract_buurten(body, meting, gemeente_code, folder)
    raise ServiceNotFoundError(download_url(base, MEASUREMENTS[-1]))


def _extract_buurten(body: bytes, meting: int, gemeente_code: str, folder: Path) -> Path:
    header, by_gemeente = _rows_by_gemeente(body, meting)
    rows = by_gemeente.get(gemeente_code.upper()[2:6], [])
    if not rows:
        raise NetworkError(
            f"de Leefbaarometer (meting {meting}) heeft geen buurten van {gemeente_code}"
        )
    out = folder / f"Leefbaarometer-scores buurten meting {meting} {gemeente_code.upper()}.csv"
    _write_text(out, "\n".join([header, *rows]) + "\n")
    return out


_INDEX_LOCK = threading.Lock()


@functools.lru_cache(maxsize=2)
def _rows_by_gemeente(body: bytes, meting: int) -> tuple[str, dict[str, list[str]]]:
    """(header, gemeente digits -> rows) of the national buurt CSV in the zip.

    Cached: ``--alle-gemeenten`` cuts every gemeente from the same zip, which is then
    unpacked and split once, not 342 times.
    """
    with _INDEX_LOCK:
        return _split_by_gemeente(body, meting)


def _split_by_gemeente(body: bytes, meting: int) -> tuple[str, dict[str, list[str]]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(body))
    except zipfile.BadZipFile as exc:
        raise NetworkError(f"Leefbaarometer-download meting {meting} is geen zip: {exc}") from exc
    names = [n for n in archive.namelist()
             if re.search(r"scores buurten.*\.csv$", n, re.IGNORECASE)]
    if not names:
        raise NetworkError(
            f"Leefbaarometer-download meting {meting} bevat geen 'scores buurten …csv' "
            f"(wel: {', '.join(archive.namelist()[:8])})",
            fix="Download het bestand handmatig en importeer het met 'veerkracht data importeren'.",
        )
    lines = _decode(archive.read(names[0])).splitlines()
    header = lines[0]
    delimiter = ";" if header.count(";") > header.count(",") else ","
    columns = [c.strip().strip('"').lower() for c in header.split(delimiter)]
    code_at = next((i for i, c in enumerate(columns) if c in _CODE_PROPERTIES), 0)
    by_gemeente: dict[str, list[str]] = {}
    for line in lines[1:]:
        code = _field(line, delimiter, code_at).upper()
        if code.startswith("BU") and len(code) >= 6:
            by_gemeente.setdefault(code[2:6], []).append(line)
    return header, by_gemeente


def _decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


def _field(line: str, delimiter: str, index: int) -> str:
    parts = next(csv.reader([line], delimiter=delimiter), [])
    return parts[index].strip() if index < len(parts) else ""


# -- WFS ------------------------------------------------------------------------------


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def layers(capabilities_xml: str) -> list[Layer]:
    """Feature types (name, title) announced in WFS GetCapabilities (any WFS version)."""
    try:
        root = ET.fromstring(capabilities_xml)
    except ET.ParseError as exc:
        raise NetworkError(
            f"Leefbaarometer-WFS: GetCapabilities is geen geldige XML: {exc}"
        ) from exc
    found = []
    for element in root.iter():
        if _local(element.tag) != "FeatureType":
            continue
        texts = {_local(child.tag): (child.text or "").strip() for child in element}
        if texts.get("Name"):
            found.append(Layer(texts["Name"], texts.get("Title", "")))
    return found


def buurt_layers(candidates: list[Layer]) -> list[Layer]:
    """Every buurt-score layer (one per meting year), oldest first."""
    def matches(layer: Layer) -> bool:
        text = f"{layer.name} {layer.title}".lower()
        return "buurt" in text and ("score" in text or "lbm" in text) and "grid" not in text

    chosen = [layer for layer in candidates if matches(layer)]
    if not chosen:
        names = ", ".join(layer.name for layer in candidates) or "geen"
        raise NetworkError(
            f"Leefbaarometer-WFS: geen laag met buurtscores gevonden (lagen: {names})",
            fix="Gebruik de open-data-download van leefbaarometer.nl en "
            "'veerkracht data importeren'.",
        )
    return sorted(chosen, key=lambda layer: (layer.year or 0, layer.name))


def pick_buurt_layer(candidates: list[Layer]) -> Layer:
    """The newest buurt-score layer."""
    return buurt_layers(candidates)[-1]


def attributes(schema_xml: str) -> dict[str, str]:
    """Attribute name → XSD type from DescribeFeatureType."""
    root = ET.fromstring(schema_xml)
    return {
        el.attrib["name"]: el.attrib.get("type", "")
        for el in root.iter()
        if _local(el.tag) == "element" and "name" in el.attrib and "type" in el.attrib
        and not el.attrib.get("substitutionGroup")
    }


def fetch_wfs(client: HttpClient, base: str, gemeente_code: str, folder: Path) -> list[Path]:
    """Buurt scores of every WFS year layer for one gemeente → one CSV per year."""
    service = {"service": "WFS", "version": "2.0.0"}
    caps = client.get_text(base, {**service, "request": "GetCapabilities"},
                           label="Leefbaarometer-WFS lagen")
    paths = []
    for layer in buurt_layers(layers(caps)):
        paths.append(_fetch_layer(client, base, service, layer, gemeente_code, folder))
    return paths


def _fetch_layer(
    client: HttpClient, base: str, service: dict[str, str], layer: Layer, gemeente_code: str,
    folder: Path,
) -> Path:
    schema = client.get_text(
        base, {**service, "request": "DescribeFeatureType", "typeNames": layer.name},
        label=f"{layer.name} kenmerken",
    )
    attrs = attributes(schema)
    lowered = {name.lower(): name for name in attrs}
    code_prop = next((lowered[c] for c in _CODE_PROPERTIES if c in lowered), None)
    if code_prop is None:
        raise NetworkError(
            f"Leefbaarometer-WFS laag {layer.name}: geen buurtcode-kenmerk "
            f"(kenmerken: {', '.join(attrs)})",
            fix="Gebruik de open-data-download en 'veerkracht data importeren'.",
        )
    plain = [name for name, kind in attrs.items() if not kind.lower().startswith("gml:")]
    prefix = "BU" + gemeente_code.upper()[2:]
    features = _get_features(client, base, {
        **service, "request": "GetFeature", "typeNames": layer.name,
        "outputFormat": "application/json", "propertyName": ",".join(plain),
        "CQL_FILTER": f"{code_prop} LIKE '{prefix}%'",
    })
    rows = [_csv_row(f.get("properties") or {}, code_prop, layer) for f in features]
    rows = [r for r in rows if r["bu_code"].upper().startswith(prefix)]
    if not rows:
        raise NetworkError(
            f"Leefbaarometer-WFS ({layer.name}) heeft geen buurten van {gemeente_code}"
        )
    out = folder / f"leefbaarometer_wfs_{layer.name.split(':')[-1]}_{gemeente_code.upper()}.csv"
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    _write_text(out, buffer.getvalue())
    return out


def _get_features(client: HttpClient, base: str, params: dict[str, Any]) -> list[dict]:
    features: list[dict] = []
    for page in range(MAX_PAGES):
        document = client.get_json(
            base, {**params, "count": PAGE_SIZE, "startIndex": page * PAGE_SIZE},
            label=f"Leefbaarometer-WFS p{page + 1}",
        )
        batch = document.get("features") if isinstance(document, dict) else None
        if not isinstance(batch, list):
            raise NetworkError("Leefbaarometer-WFS gaf geen GeoJSON-'features' terug")
        features.extend(batch)
        total = document.get("numberMatched", document.get("totalFeatures"))
        if len(batch) < PAGE_SIZE or (isinstance(total, int) and len(features) >= total):
            return features
    raise NetworkError(f"Leefbaarometer-WFS: meer dan {MAX_PAGES} pagina's; afgebroken")


def _csv_row(props: dict[str, Any], code_prop: str, layer: Layer) -> dict[str, str]:
    lowered = {k.lower(): v for k, v in props.items()}
    year = next((lowered[k] for k in _YEAR_PROPERTIES if lowered.get(k) is not None), layer.year)
    row = {"bu_code": str(props.get(code_prop, "")).strip(), "jaar": str(year or "").strip()}
    for column, names in WFS_PROPERTIES.items():
        value = next((lowered[n] for n in names if lowered.get(n) is not None), None)
        row[column] = "" if value is None else str(value).strip()
    return row


def _write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def fetch(
    client: HttpClient, downloads: str, wfs: str, gemeente_code: str, folder: Path
) -> list[Path]:
    """Open-data download first (every year, all dimensions); the WFS when it is missing."""
    try:
        return [fetch_download(client, downloads, gemeente_code, folder)]
    except ServiceNotFoundError:
        log.info("geen Leefbaarometer-download gevonden; val terug op de WFS")
        return fetch_wfs(client, wfs, gemeente_code, folder)

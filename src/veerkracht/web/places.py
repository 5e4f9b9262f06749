"""Place context for the web app: search by name or postcode, addresses via PDOK, wijken.

* :class:`PlaceIndex` — every gemeente, wijk and buurt in the store, searched forgivingly:
  parts of names, without accents, any case ("sudwest" finds Súdwest-Fryslân). Names
  are shown as stored; folding is only for matching.
* PC4: a buurt's most common postcode (KWB ``pst_mvp``, the relation the harmonisation
  also uses); a postcode area can be the most common one of several buurten.
* PC6 and addresses: only online, via the PDOK Locatieserver (``/free``); offline the
  answer says so in Dutch instead of failing.
* :func:`wijk_outlines`: wijken dissolved from the buurten on the map, so the outlines
  always fit the buurtindeling drawn.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import threading
import unicodedata
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import shapely

from veerkracht.maps.palettes import class_colours
from veerkracht.web.data import SIMPLIFY_M

if TYPE_CHECKING:
    from veerkracht.maps.layers import MapSet
    from veerkracht.web.data import DataService

LOCATIESERVER = "https://api.pdok.nl/bzk/locatieserver/search/v3_1"
LOCATIESERVER_ENV = "VEERKRACHT_LOCATIESERVER"  # another base URL (tests, a proxy)
TIMEOUT_S = 4.0
MAX_RESULTS = 20
OFFLINE_TEXT = (
    "Zoeken op adres of volledige postcode (PC6) gaat via de PDOK Locatieserver, en die is "
    "nu niet bereikbaar (geen internet?). Zoek op buurtnaam, wijknaam, gemeente of de vier "
    "cijfers van de postcode."
)
_PC4 = re.compile(r"^\s*(\d{4})\s*$")
_PC6 = re.compile(r"^\s*(\d{4})\s*([A-Za-z]{2})\s*$")
_LEVEL_ORDER = {"gemeente": 0, "wijk": 1, "buurt": 2}


def fold(text: str) -> str:
    """For matching only: no accents, no case, punctuation as spaces (Súdwest -> sudwest)."""
    plain = unicodedata.normalize("NFKD", str(text))
    plain = "".join(c for c in plain if not unicodedata.combining(c)).casefold()
    return " ".join(re.sub(r"[^0-9a-z]+", " ", plain).split())


@dataclass(frozen=True)
class Place:
    code: str
    level: str  # gemeente | wijk | buurt
    name: str
    gemeente: str
    editions: tuple[int, ...]
    pc4: int | None
    folded: str


def _score(place: Place, needle: str) -> tuple[int, int, str] | None:
    """Lower is better: exact, start of name, start of a word, inside; then level."""
    if needle == place.folded or needle == place.code.casefold():
        rank = 0
    elif place.folded.startswith(needle):
        rank = 1
    elif f" {needle}" in f" {place.folded}":
        rank = 2
    elif needle in place.folded or needle in place.code.casefold():
        rank = 3
    elif all(word in place.folded for word in needle.split()):
        rank = 4
    else:
        return None
    return rank, _LEVEL_ORDER[place.level], place.folded


class PlaceIndex:
    """The search index, built once from the store (a few hundred ms nationally)."""

    def __init__(self, service: DataService) -> None:
        self.service = service
        self._places: list[Place] | None = None
        self._lock = threading.Lock()

    def places(self) -> list[Place]:
        with self._lock:
            if self._places is None:
                self._places = self._build()
            return self._places

    def _build(self) -> list[Place]:
        with self.service.lock:
            frame = self.service.store.place_names()
        gemeenten = {g["code"]: g for g in self.service.gemeenten()}
        out = [  # every gemeente: one without a map still has its tables and a reason
            Place(g["code"], "gemeente", g["naam"] or g["code"], g["code"],
                  tuple(g["indelingen"]), None, fold(g["naam"] or g["code"]))
            for g in gemeenten.values()
        ]  # fmt: skip
        with_map = {g["code"] for g in gemeenten.values() if g["signalen"] and g["kaart"]}
        for r in frame.itertuples(index=False):
            if r.gemeente_code not in with_map:
                continue  # a place the app cannot show
            pc4 = None if r.pc4 is None or r.pc4 != r.pc4 else int(r.pc4)
            editions = tuple(int(e) for e in r.editions)
            out.append(
                Place(str(r.region_code), str(r.level), str(r.name), str(r.gemeente_code),
                      editions, pc4, fold(r.name))
            )  # fmt: skip
        return out

    def has_map(self, code: str) -> bool:
        return any(
            g["code"] == code and g["signalen"] and g["kaart"] for g in self.service.gemeenten()
        )

    def gemeente_name(self, code: str) -> str:
        for g in self.service.gemeenten():
            if g["code"] == code:
                return g["naam"] or code
        return code

    def by_name(self, q: str) -> list[Place]:
        needle = fold(q)
        if len(needle) < 2:
            return []
        scored = [(s, p) for p in self.places() if (s := _score(p, needle)) is not None]
        scored.sort(key=lambda x: x[0])
        out, seen = [], set()
        for _, p in scored:  # one result per name: codes change between buurtindelingen
            key = (p.level, p.folded, p.gemeente)
            if key not in seen:
                seen.add(key)
                out.append(p)
        return out[:MAX_RESULTS]

    def by_pc4(self, pc4: int) -> list[Place]:
        return [p for p in self.places() if p.level == "buurt" and p.pc4 == pc4]

    def buurt(self, code: str) -> Place | None:
        return next((p for p in self.places() if p.code == code), None)

    def result(self, place: Place, note: str = "") -> dict[str, Any]:
        gm = place.gemeente
        if place.level == "gemeente":
            url = f"/kaart/{gm}"
        elif place.level == "wijk":
            url = f"/kaart/{gm}#wijk={place.code}&naam={urllib.parse.quote(place.name)}"
        else:
            url = f"/kaart/{gm}?buurt={place.code}"
        kind_label = {"gemeente": "Gemeente", "wijk": "Wijk", "buurt": "Buurt"}[place.level]
        if place.level == "gemeente" and not self.has_map(gm):
            note = note or "Gemeente · geen buurtcijfers of buurtgrenzen in de gegevens"
        return {
            "soort": place.level,
            "code": place.code,
            "naam": place.name,
            "gemeente": {"code": gm, "naam": self.gemeente_name(gm)},
            "indelingen": list(place.editions),
            "postcode": place.pc4,
            "kaart": self.has_map(gm),
            "url": url,
            "toelichting": note or f"{kind_label} in {self.gemeente_name(gm)}",
        }


# ----------------------------------------------------------------------------- PDOK
class Offline(Exception):
    """The Locatieserver could not be reached or answered nonsense."""


def locatieserver_base() -> str:
    return os.environ.get(LOCATIESERVER_ENV, LOCATIESERVER).rstrip("/")


def lookup_address(q: str, rows: int = 5) -> list[dict[str, Any]]:
    """Addresses/postcodes from the PDOK Locatieserver ``/free`` (response format of v3.1:
    ``{"response": {"numFound": …, "docs": [{"weergavenaam", "buurtcode", …}]}}``)."""
    params = urllib.parse.urlencode(
        {
            "q": q,
            "fq": "type:(adres OR postcode)",
            "fl": "id,type,weergavenaam,buurtcode,buurtnaam,wijkcode,gemeentecode,"
            "gemeentenaam,postcode,centroide_ll",
            "rows": str(rows),
        }
    )
    url = f"{locatieserver_base()}/free?{params}"
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_S) as answer:
            data = json.loads(answer.read().decode("utf-8"))
        docs = data["response"]["docs"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise Offline(str(exc)) from exc
    return [doc for doc in docs if isinstance(doc, dict)]


def _point(text: Any) -> list[float] | None:
    m = re.match(r"POINT\(([-0-9.]+) ([-0-9.]+)\)", str(text or ""))
    return [float(m.group(1)), float(m.group(2))] if m else None


def address_results(index: PlaceIndex, docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Locatieserver documents as search results that land on their buurt."""
    out = []
    for doc in docs:
        buurt = str(doc.get("buurtcode") or "")
        gm_digits = str(doc.get("gemeentecode") or "")
        gm = f"GM{gm_digits[-4:]}" if gm_digits else f"GM{buurt[2:6]}"
        known = index.buurt(buurt)
        url = f"/kaart/{gm}?buurt={buurt}" if buurt else f"/kaart/{gm}"
        out.append(
            {
                "soort": "adres" if doc.get("type") == "adres" else "postcode",
                "code": buurt or None,
                "naam": str(doc.get("weergavenaam") or ""),
                "gemeente": {"code": gm, "naam": str(doc.get("gemeentenaam") or gm)},
                "indelingen": list(known.editions) if known else [],
                "postcode": doc.get("postcode"),
                "punt": _point(doc.get("centroide_ll")),
                "kaart": index.has_map(gm),
                "url": url,
                "toelichting": f"In buurt {doc.get('buurtnaam') or buurt or 'onbekend'} "
                f"(PDOK Locatieserver)",
            }
        )
    return out


def search(index: PlaceIndex, q: str) -> dict[str, Any]:
    """Names, PC4 from the store; PC6 and addresses from PDOK when online."""
    text = str(q or "").strip()[:100]
    answer: dict[str, Any] = {"zoekterm": text, "resultaten": [], "melding": None}
    if m := _PC4.match(text):
        pc4 = int(m.group(1))
        found = index.by_pc4(pc4)
        answer["resultaten"] = [
            index.result(p, f"Meest voorkomende postcode {pc4} · {index.gemeente_name(p.gemeente)}")
            for p in found
        ]
        if not found:
            answer["melding"] = (
                f"Geen buurt met {pc4} als meest voorkomende postcode in de gegevens. "
                "Probeer een buurtnaam of een volledige postcode (bijv. 1012AB)."
            )
        return answer
    wants_address = bool(_PC6.match(text)) or (
        any(c.isdigit() for c in text) and any(c.isalpha() for c in text)
    )
    answer["resultaten"] = [index.result(p) for p in index.by_name(text)]
    if wants_address:
        try:
            answer["resultaten"] = address_results(index, lookup_address(text)) + answer[
                "resultaten"
            ]
        except Offline:
            answer["melding"] = OFFLINE_TEXT
            if m6 := _PC6.match(text):  # offline: the postcode's four digits still work
                pc4 = int(m6.group(1))
                answer["resultaten"] += [
                    index.result(p, f"Postcodegebied {pc4} (zonder internet: alleen de cijfers)")
                    for p in index.by_pc4(pc4)
                ]
    if not answer["resultaten"] and not answer["melding"]:
        answer["melding"] = (
            f"Niets gevonden voor '{text}'. Probeer een deel van de naam (bijv. 'sloter'), "
            "een wijk, een gemeente of de vier cijfers van een postcode."
        )
    return answer


# ----------------------------------------------------------------------------- wijken
def wijk_outlines(mapset: MapSet, names: dict[str, str]) -> dict[str, Any]:
    """The wijken of the buurten on the map (buurt code BUggggwwbb -> wijk WKggggww),
    dissolved, simplified, in WGS84, with a label point inside each wijk."""
    frame = mapset.buurten[["region_code", "geometry"]].copy()
    frame["wijk"] = "WK" + frame.region_code.str.slice(2, 8)
    wijken = frame.dissolve(by="wijk", as_index=False)[["wijk", "geometry"]]
    wijken["geometry"] = shapely.simplify(
        wijken.geometry.to_numpy(), SIMPLIFY_M * 2, preserve_topology=True
    )
    points = wijken.geometry.representative_point()
    wgs = wijken.set_crs(mapset.buurten.crs, allow_override=True).to_crs("EPSG:4326")
    label_at = points.set_crs(mapset.buurten.crs, allow_override=True).to_crs("EPSG:4326")
    features = []
    for code, geom, point in zip(wgs.wijk, wgs.geometry, label_at, strict=True):
        features.append(
            {
                "type": "Feature",
                "geometry": json.loads(shapely.to_geojson(shapely.set_precision(geom, 1e-6))),
                "properties": {
                    "code": code,
                    "naam": names.get(code),
                    "label": [round(point.x, 6), round(point.y, 6)],
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


# ----------------------------------------------------------------------------- start page
#: classes of the start page's map: buurten 'Probleem' or 'Kwetsbaar' per gemeente
COUNT_BOUNDS = (0, 5, 20, 50)


def gemeente_outlines(service: DataService) -> list[tuple[str, str, list[float]]]:
    """(gemeente code, GeoJSON geometry in WGS84, label point) for every gemeente with buurt
    boundaries:
    its buurten of the latest boundary edition dissolved (the store holds no gemeente
    polygons), simplified to 40 m: enough for a national overview map."""
    out = []
    for code in service.store.buurt_geometry_gemeenten():
        with service.lock:
            editions = service.store.geometry_editions(code)
            if not editions:
                continue
            frame = service.store.geometries(code, editions[-1])
        if frame.empty:
            continue
        shape = shapely.simplify(shapely.union_all(frame.geometry.to_numpy()), 40.0)
        point = shapely.get_coordinates(shape.representative_point())[0]
        wgs = gpd.GeoSeries([shape, shapely.Point(point)], crs=frame.crs).to_crs("EPSG:4326")
        geom = shapely.set_precision(wgs.iloc[0], 1e-5)
        label = wgs.iloc[1]
        out.append((code, shapely.to_geojson(geom), [round(label.x, 5), round(label.y, 5)]))
    return out


def count_class(n: int | None) -> int | None:
    if n is None:
        return None
    return next((i for i, bound in enumerate(COUNT_BOUNDS) if n <= bound), len(COUNT_BOUNDS))


def count_labels() -> list[str]:
    labels = ["geen"]
    for low, high in itertools.pairwise(COUNT_BOUNDS):
        labels.append(f"{low + 1}–{high}")
    return [*labels, f"meer dan {COUNT_BOUNDS[-1]}"]


def overview_map(
    service: DataService, outlines: list[tuple[str, str, list[float]]], overview: Any
) -> dict[str, Any]:
    """Gemeenten with their number of buurten 'Probleem' and 'Kwetsbaar' (the national
    overview, once computed), coloured by one logic: more = darker red."""
    colours = class_colours(len(COUNT_BOUNDS) + 1, worse_when_higher=True)
    result = overview.result
    done = {g.code: g for g in result.done} if result is not None else {}
    names = {g["code"]: g["naam"] or g["code"] for g in service.gemeenten()}
    shapes = {code: shape for code, shape, _ in outlines}
    label_at = {code: point for code, _, point in outlines}
    rows = []
    for code in sorted(set(done) | set(shapes), key=lambda c: names.get(c, c)):
        g = done.get(code)
        pro = g.counts.get("PRO", 0) if g else None
        kwe = g.counts.get("KWE", 0) if g else None
        n = None if g is None else pro + kwe
        k = count_class(n)
        rows.append(
            {
                "code": code,
                "naam": names.get(code, code),
                "probleem": pro,
                "kwetsbaar": kwe,
                "signaal": n,
                "beoordeeld": None if g is None else g.judged,
                "periode": None if g is None else f"{g.start}–{g.end}",
                "kleur": None if k is None else colours[k],
                "kaart": code in shapes,
                "url": f"/kaart/{code}",
                "label": label_at.get(code),
                "geometry": shapes.get(code),
            }
        )
    done_n, total = overview.progress
    return {
        "status": "klaar" if result is not None else ("fout" if overview.error else "bezig"),
        "klaar": done_n,
        "totaal": total,
        "periode": result.period_text() if result is not None else None,
        "bronnen": result.sources() if result is not None else [],
        "legenda": {
            "titel": "Buurten met signaal 'Probleem' of 'Kwetsbaar'",
            "klassen": [
                {"label": lbl, "kleur": c} for lbl, c in zip(count_labels(), colours, strict=True)
            ],
        },
        "gemeenten": rows,
    }

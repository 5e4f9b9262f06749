"""The national buurt view: every buurt polygon of the store as vector tiles (PMTiles).

A GeoJSON of all ~14,000 buurten of the Netherlands would be tens of megabytes; the
browser would parse all of it before drawing anything. Instead the polygons are written
once per boundary edition to one PMTiles archive (GDAL's PMTiles driver, through
pyogrio: simplified per zoom level, only the buurt code and name as attributes) and
served as a static file with HTTP Range requests: MapLibre fetches the few kilobytes of
the tiles in view. The values are a separate, small JSON (code -> value and class) that
the page joins to the polygons by buurt code, so another indicator or year needs no new
tiles.

What the routes serve (``web/routes/tiles.py``): the archive, the values and the page;
this module makes them.
"""

from __future__ import annotations

import hashlib
import logging
import math
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyogrio
import shapely

from veerkracht.errors import NoDataError, ParameterError
from veerkracht.indicators import by_key
from veerkracht.maps.palettes import SEQUENTIAL
from veerkracht.numbers import number
from veerkracht.web import pages

if TYPE_CHECKING:
    from veerkracht.store import Store

#: Indicators offered on the national map, in order of preference for the default.
NATIONAL_INDICATORS = ("laag_inkomen", "sociaal_minimum", "corporatiebezit")
#: Zoom levels in the archive: the whole country (5) down to a neighbourhood (11).
MIN_ZOOM, MAX_ZOOM = 5, 11  # MapLibre overzooms beyond 11 (±5 m precision)
#: GDAL's PMTiles/MVT options: simplified below the last zoom level (tolerance in tile
#: units of 1/4096), and no size cap that would drop buurten from a whole-country tile.
TILE_OPTIONS = {
    "MINZOOM": MIN_ZOOM,
    "MAXZOOM": MAX_ZOOM,
    "SIMPLIFICATION": 4.0,
    "MAX_SIZE": 4_000_000,
}
CLASSES = 5
NO_DATA = "#e0e0e0"
LAYER = "buurten"
log = logging.getLogger(__name__)


@dataclass
class _Archive:
    path: Path
    edition: int
    buurten: int


class TileCache:
    """Builds each edition's archive once and keeps it on disk next to the store.

    Writing the archive of all of the Netherlands takes GDAL 15–60 s, so it is started
    in the background as soon as someone opens ``/nederland`` and kept in the data folder
    (``tegels/``), named after the polygons it holds: a restarted server serves it at
    once, and new boundaries get a new file.
    """

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder
        self._built: dict[int, _Archive] = {}
        self._lock = threading.Lock()

    def _folder(self, store: Store) -> Path:
        if self.folder is None:
            base = getattr(getattr(store, "base", store), "path", None)
            candidate = Path(base).parent / "tegels" if base else None
            try:
                if candidate is None:
                    raise OSError("store in memory")
                candidate.mkdir(parents=True, exist_ok=True)
                self.folder = candidate
            except OSError:  # a read-only data folder: a temporary one for this process
                self.folder = Path(tempfile.mkdtemp(prefix="veerkracht-tegels-"))
        return self.folder

    def archive(self, store: Store, edition: int) -> _Archive:
        with self._lock:  # one build per edition, the other requests wait for it
            if edition not in self._built:
                self._built[edition] = write_archive(store, edition, self._folder(store))
            return self._built[edition]

    def prepare(self, store: Store, edition: int) -> None:
        """Start building in the background (a no-op once the archive exists)."""
        if edition in self._built:
            return

        def build() -> None:
            try:
                self.archive(store, edition)
            except Exception:  # the tile request itself reports the error
                log.exception("building the buurt tiles of %s failed", edition)

        threading.Thread(target=build, name="veerkracht-tegels", daemon=True).start()


def write_archive(store: Store, edition: int, folder: Path) -> _Archive:
    """All buurt polygons of ``edition`` as one PMTiles file (EPSG:3857 inside)."""
    frame = store.geometry_frame("buurt", edition)
    if frame.empty:
        raise NoDataError(f"geen buurtgrenzen van indeling {edition} in de store")
    frame = frame[["region_code", "name", "geometry"]].rename(
        columns={"region_code": "code", "name": "naam"}
    )
    # named after what it holds: the same polygons give the same file name
    digest = hashlib.sha256(repr(sorted(TILE_OPTIONS.items())).encode())
    for code, geom in zip(frame.code, shapely.to_wkb(frame.geometry.array), strict=True):
        digest.update(code.encode() + geom)
    path = folder / f"buurten-{edition}-{digest.hexdigest()[:16]}.pmtiles"
    if not path.is_file():
        tmp = folder / f"{path.stem}.{threading.get_ident()}.tmp.pmtiles"
        tmp.unlink(missing_ok=True)
        pyogrio.write_dataframe(
            frame,
            tmp,
            driver="PMTiles",
            layer=LAYER,
            dataset_options={**TILE_OPTIONS, "NAME": f"Buurten {edition}"},
        )
        tmp.replace(path)
        for stale in folder.glob(f"buurten-{edition}-*.pmtiles"):  # older polygons or options
            if stale != path:
                stale.unlink(missing_ok=True)
    return _Archive(path, edition, len(frame))


def _indicator(key: str | None):
    known = by_key()
    offered = [k for k in NATIONAL_INDICATORS if k in known]
    if key is None:
        return [known[k] for k in offered]
    if key not in offered:
        raise ParameterError(
            "indicator",
            key,
            "niet beschikbaar op de landelijke kaart",
            fix=f"Kies een van: {', '.join(offered)}.",
        )
    return [known[key]]


def national_values(store: Store, indicator: str | None, year: int | None) -> dict[str, Any]:
    """Values per buurt of one indicator and year, with national classes and sources.

    The edition is the newest boundary edition with polygons on which nearly as many
    buurten have a value as on the fullest one (90 %); values are joined to the polygons
    by (buurt code, edition). The classes are national quintiles; the sources name the
    datasets and years.
    """
    polygons = store.geometry_codes(level="buurt")
    if polygons.empty:
        raise NoDataError(
            "er staan geen buurtgrenzen in de store",
            fix="Importeer de buurtgrenzen (PDOK) met 'veerkracht data importeren'.",
        )
    for ind in _indicator(indicator):
        series = _rates(store.values(variables=ind.variables, level="buurt"), ind)
        drawn = pd.MultiIndex.from_frame(polygons[["region_code", "edition"]])
        keys = series.index.droplevel("period")
        series = series[keys.isin(drawn)]  # joined by (buurt code, edition)
        if year is not None:
            series = series[series.index.get_level_values("period") == year]
        if series.empty:
            continue
        per_edition = series.groupby(level="edition").size()
        # the newest edition that holds nearly as many buurten as the fullest one
        edition = int(
            max(e for e in per_edition.index if per_edition[e] >= 0.9 * per_edition.max())
        )
        on_edition = series.xs(edition, level="edition")
        years = sorted({int(p) for p in on_edition.index.get_level_values("period")})
        chosen = year or years[-1]
        per_buurt = on_edition.xs(chosen, level="period")
        return _payload(store, ind, chosen, edition, years, per_buurt, np)
    wanted = f" in {year}" if year is not None else ""
    raise NoDataError(
        f"geen buurtwaarden{wanted} op een indeling met buurtgrenzen voor de landelijke kaart",
        fix="Importeer de Kerncijfers wijken en buurten van hetzelfde jaar als de grenzen.",
    )


def _rates(values, ind):
    """One value per (buurt, edition, period): as published, or numerator/denominator."""
    if values.empty:
        return pd.Series(dtype=float)
    wide = values.pivot_table(
        index=["region_code", "edition", "period"],
        columns="variable",
        values="value",
        aggfunc="first",
    )
    if ind.variable:
        series = wide[ind.variable] if ind.variable in wide else pd.Series(dtype=float)
    elif ind.numerator in wide and ind.denominator in wide:
        series = wide[ind.numerator] / wide[ind.denominator].where(lambda d: d > 0) * ind.scale
    else:
        return pd.Series(dtype=float)
    return series.dropna()


def _payload(store, ind, year, edition, years, per_buurt, np) -> dict[str, Any]:
    data = per_buurt.to_numpy(dtype=float)
    cuts = [float(c) for c in np.quantile(data, np.linspace(0, 1, CLASSES + 1))[1:-1]]
    cls = np.searchsorted(cuts, data, side="right")
    colours = SEQUENTIAL[CLASSES]
    low = [number(float(data.min()), 1), *(number(c, 1) for c in cuts)]
    high = [*(number(c, 1) for c in cuts), number(float(data.max()), 1)]
    legend = [
        {"kleur": colours[i], "tekst": f"{low[i]} – {high[i]}{' ' + ind.unit if ind.unit else ''}"}
        for i in range(CLASSES)
    ]
    return {
        "indicator": ind.key,
        "label": ind.label,
        "eenheid": ind.unit,
        "jaar": year,
        "jaren": years,
        "indeling": edition,
        "buurten": len(per_buurt),
        "tegels": f"/tiles/buurten-{edition}.pmtiles",
        "laag": LAYER,
        "legenda": legend,
        "geen_gegevens": NO_DATA,
        "klassen": "kwintielen over alle buurten van Nederland",
        "waarden": {
            code: [round(v, 3), int(c)]
            for code, v, c in zip(per_buurt.index, data, cls, strict=True)
            if math.isfinite(v)
        },
        "bronnen": _sources(store, ind.source, year, edition),
    }


def _sources(store: Store, dataset_key: str, year: int, edition: int) -> list[str]:
    """The datasets behind the values (that year) and behind the polygons (that edition)."""
    imports = store.imports()
    out = []
    for row in imports.itertuples():
        periods = list(row.periods) if row.periods is not None else []
        editions = list(row.editions) if row.editions is not None else []
        values = row.dataset_key == dataset_key and year in periods
        polygons = (row.n_geometries or 0) > 0 and edition in editions
        if values or polygons:
            parts = [f"waarden {year}"] * values + [f"buurtgrenzen indeling {edition}"] * polygons
            what = " en ".join(parts)
            ident = f" ({row.dataset_id})" if row.dataset_id else ""
            out.append(f"{row.publisher}, {row.title}{ident}: {what}")
    return sorted(set(out))


def national_page(data: dict[str, Any] | None, error: str = "") -> str:
    """The page: a map container the script fills, the legend and sources as plain HTML."""
    esc = pages.esc
    if data is None:
        return pages.page("Nederland per buurt", f'<p class="fout">{esc(error)}</p>')
    legend = "".join(
        f'<li><span class="vk-vlak" style="background:{esc(item["kleur"])}"></span>'
        f"{esc(item['tekst'])}</li>"
        for item in data["legenda"]
    )
    sources = "".join(f"<li>{esc(s)}</li>" for s in data["bronnen"])
    values = (
        f"/api/nederland/waarden.json?indicator={esc(data['indicator'])}"
        f"&amp;jaar={esc(data['jaar'])}"
    )
    body = (
        # the values are fetched while the script loads (the same URL as data-waarden)
        f'<link rel="preload" href="{values}" as="fetch" crossorigin>'
        f"<p>{esc(data['label'])} per buurt, {esc(data['jaar'])}; buurtindeling "
        f"{esc(data['indeling'])}; {esc(data['buurten'])} buurten met een waarde. Klassen: "
        f"{esc(data['klassen'])}.</p>"
        '<div id="vk-nederland" style="height:70vh;border:1px solid #ccc" '
        f'data-waarden="{values}" role="img" '
        f'aria-label="Kaart van Nederland: {esc(data["label"])} per buurt"></div>'
        '<ul id="vk-legenda" style="list-style:none;padding:0">'
        f'{legend}<li><span class="vk-vlak" style="background:{NO_DATA}"></span>'
        "geen gegevens</li></ul>"
        f"<h2>Bronnen</h2><ul>{sources}</ul>"
        '<link rel="stylesheet" href="/static/app.css">'
        "<style>.vk-vlak{display:inline-block;width:1em;height:1em;margin-right:.4em;"
        "vertical-align:-.1em;border:1px solid #999}</style>"
        '<script src="/static/national.js" defer></script>'
    )
    return pages.page("Nederland per buurt", body, json_url="/nederland.json")

"""Open data for the web app: signals, map layers, GeoJSON, profiles, exports — cached.

One :class:`DataService` per server. Computing a gemeente's signals takes seconds; the
result (and every GeoJSON/export derived from it) is kept in a byte-bounded LRU
(:class:`~veerkracht.web.cache.ViewCache`) keyed by (gemeente, van, tot, indeling,
klassenschema): one computation per view, a bounded queue, no global lock while
computing. Each thread reads the store through its own DuckDB cursor.
"""

from __future__ import annotations

import gzip
import json
import math
import tempfile
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import shapely

from veerkracht.cancel import checkpoint
from veerkracht.errors import NoDataError, ParameterError, StoreError
from veerkracht.gemeenten import resolve_gemeente
from veerkracht.indicators import catalogue, indicator_values
from veerkracht.maps.board import render_board_map
from veerkracht.maps.from_signals import mapset_from_view
from veerkracht.maps.interactive import render_html
from veerkracht.maps.layers import MapLayer, axis_labels, classify, layer_style, source_line
from veerkracht.maps.static import render_map
from veerkracht.pipeline import signal_view
from veerkracht.settings import DEFAULT_LAYER
from veerkracht.signals.compute import public_column
from veerkracht.signals.edition import default_edition, values_on_edition
from veerkracht.signals.export import (
    signal_sheets,
    signal_table,
    table_csv,
    with_own_columns,
    write_xlsx,
)
from veerkracht.web.cache import (
    DEFAULT_MAX_BYTES,
    SizedBlobs,
    ThreadLocalStore,
    ViewCache,
    estimate_bytes,
)

if TYPE_CHECKING:
    from veerkracht.maps.layers import MapSet
    from veerkracht.pipeline import SignalView
    from veerkracht.signals import SignalResult
    from veerkracht.store import Store

SIMPLIFY_M = 5.0  # metres in RD; invisible at city zoom, shrinks GeoJSON a lot
#: (gemeente, van, tot, indeling, klassenschema, referentie); None = the pipeline's default
CacheKey = tuple[str, int | None, int | None, int | None, str, str]


#: columns of the signal table in a buurt profile, after its name and period
_PROFILE_COLUMNS = (
    "typology",
    "typology_label",
    "reasons",
    "concentration_index",
    "concentration_change",
)


def clean(value: Any) -> Any:
    """JSON-safe: NaN/NA -> None, numpy scalars -> Python."""
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 6)
    return value


def dumps(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()


def _round_coords(coords: Any) -> Any:
    if isinstance(coords, (int, float)):
        return round(coords, 6)
    return [_round_coords(c) for c in coords]


@dataclass
class Computed:
    """Everything derived from one signal computation."""

    key: CacheKey
    view: SignalView
    mapset: MapSet
    layers: dict[str, MapLayer]
    geometries: list[str]  # GeoJSON geometry text per mapset row (WGS84, simplified)
    trends: pd.DataFrame  # region_code, indicator, period, value (all periods)
    blobs: dict[tuple[str, str], bytes] = field(default_factory=SizedBlobs)
    lock: threading.Lock = field(default_factory=threading.Lock)
    #: lookups built once for the buurt profiles (rows, references, trends by key)
    profile_index: dict[str, dict] | None = None

    @property
    def result(self) -> SignalResult:
        return self.view.result

    @property
    def gemeente(self) -> str:
        return self.result.gemeente.code

    def layer(self, key: str) -> MapLayer:
        if key not in self.layers:
            raise ParameterError(
                "laag", key, "onbekende kaartlaag", fix=f"Kies uit: {', '.join(self.layers)}."
            )
        return self.layers[key]


class DataService:
    def __init__(
        self,
        store: Store,
        lock: threading.RLock | None = None,
        *,
        max_bytes: int = DEFAULT_MAX_BYTES,
        workers: int = 1,
        max_queued: int = 8,
    ) -> None:
        # every thread reads through its own DuckDB cursor: no global lock around work
        self.store = store if isinstance(store, ThreadLocalStore) else ThreadLocalStore(store)
        self.lock = lock or threading.RLock()
        self.views: ViewCache[CacheKey, Computed] = ViewCache(
            self._compute_view,
            size_of=estimate_bytes,
            blobs_of=lambda c: c.blobs,
            max_bytes=max_bytes,
            workers=workers,
            max_queued=max_queued,
        )
        self._gemeenten: list[dict] | None = None

    # ------------------------------------------------------------------ gemeenten
    def gemeenten(self, q: str = "") -> list[dict]:
        if self._gemeenten is None:
            with self.lock:
                frame = self.store.gemeenten()
                # signals need buurt values, from any source (the pipeline decides the rest);
                # the map app also needs boundaries
                with_values = set(self.store.buurt_value_gemeenten())
                with_map = set(self.store.buurt_geometry_gemeenten())
            self._gemeenten = [
                {
                    "code": str(r.gemeente_code),
                    "naam": None if r.name is None or r.name != r.name else str(r.name),
                    "indelingen": [int(e) for e in r.editions],
                    "signalen": str(r.gemeente_code) in with_values,
                    "kaart": str(r.gemeente_code) in with_map,
                }
                for r in frame.itertuples()
            ]
        needle = q.strip().casefold()
        if not needle:
            return self._gemeenten
        return [
            g
            for g in self._gemeenten
            if needle in (g["naam"] or "").casefold() or needle in g["code"].casefold()
        ]

    # ------------------------------------------------------------------ cache
    def cached(self, key: CacheKey) -> Computed | None:
        return self.views.get(key)

    def computed(self, key: CacheKey) -> Computed:
        """The view, computed once (outside any lock) and kept in the byte-bounded cache."""
        return self.views.obtain(key)

    async def computed_async(
        self, key: CacheKey, disconnected: Callable[[], Awaitable[bool]] | None = None
    ) -> Computed:
        """As :meth:`computed`; gives up waiting when the client disconnects."""
        return await self.views.obtain_async(key, disconnected)

    def _compute_view(self, key: CacheKey) -> Computed:
        """Compute a view; on a read-only store first check that its translation exists
        (a Dutch error instead of silently using untranslated codes)."""
        if self.store.read_only:
            gm, end_year, edition = key[0], key[2], key[3]
            code = resolve_gemeente(self.store, gm).code
            target = edition or (default_edition(self.store, code, end_year) if end_year else None)
            if target is not None and not self.store.has_translation(code, target):
                raise StoreError(
                    f"de cijfers van {code} zijn nog niet naar buurtindeling {target} vertaald, "
                    "en de web-app heeft de store alleen-lezen open",
                    fix=f"Stop de web-app, voer 'veerkracht data vertalen --gemeente {code} "
                    f"--naar {target}' uit en start hem opnieuw (of start hem met --schrijfbaar).",
                )
        return self._compute(key)

    def _compute(self, key: CacheKey) -> Computed:
        gm, start_year, end_year, edition, scheme, reference = key
        view = signal_view(
            self.store,
            gm,
            start_year,
            end_year,
            edition=edition,
            scheme=scheme,
            reference=reference,
        )
        mapset = mapset_from_view(self.store, view)
        result = view.result
        layers = {layer.key: layer for layer in mapset.layers}
        checkpoint()  # each stage below takes up to seconds: stop between them when cancelled
        layers.update(self._indicator_layers(result, mapset, scheme, set(layers)))
        checkpoint()
        geometries = _geometries(mapset)
        checkpoint()
        return Computed(
            key=key,
            view=view,
            mapset=mapset,
            layers=layers,
            geometries=geometries,
            trends=self._trends(result.gemeente.code, result.edition),
        )

    def store_read_only(self) -> bool:
        return self.store.read_only

    def _indicator_layers(
        self, result: SignalResult, mapset: MapSet, scheme: str, taken: set[str]
    ) -> dict[str, MapLayer]:
        """One classified map per catalogue indicator (level at ``tot``)."""
        out = {}
        sources = [s.citation() for s in result.sources]
        for ind in result.indicators:
            column = f"{ind.key}__end"
            if ind.key in taken or column not in mapset.buurten:
                continue
            values = pd.to_numeric(mapset.buurten[column], errors="coerce")
            if values.notna().sum() < 2:
                continue
            p_end = result.periods[ind.key][1]
            out[ind.key] = MapLayer(
                key=ind.key,
                title=f"{ind.label}, {p_end}",
                column=column,
                kind="klassen",
                legend_title=ind.unit or ind.label,
                unit=ind.unit,
                bins=classify(values, scheme, 5),
                sources=sources,
                period=str(p_end),
                note=f"Buurtindeling {result.edition}; klassen: {scheme}",
                worse_when_higher=None if ind.direction == "neutraal" else ind.worse_when_higher,
            )
        return out

    def _trends(self, gemeente: str, edition: int) -> pd.DataFrame:
        variables = sorted({v for ind in catalogue() for v in ind.variables})
        long = values_on_edition(self.store, gemeente, edition, variables)
        values = indicator_values(long)
        return values[values.region_code.str.startswith("BU")][
            ["region_code", "indicator", "period", "value"]
        ].sort_values(["region_code", "indicator", "period"])

    # ------------------------------------------------------------------ JSON views
    def legend(self, c: Computed, key: str) -> dict:
        layer = c.layer(key)
        style = layer_style(c.mapset, layer)
        legend = {
            "laag": layer.key,
            "titel": layer.title,
            "soort": layer.kind,
            "legendatitel": layer.legend_title,
            "klassen": [{"label": lbl, "kleur": col} for lbl, col in style.legend],
            "geen_gegevens": style.no_data,
            "grenzen": style.bins,
            "bron": source_line(layer, c.mapset.boundary_edition),
            "periode": layer.period,
            "toelichting": layer.note,
        }
        if layer.kind == "bivariaat":
            legend["assen"] = dict(zip(("x", "y"), axis_labels(c.mapset, layer), strict=True))
        if layer.kind == "categorie" and layer.column in c.result.table:
            # counted over every buurt of the table, also those without a polygon, so the
            # legend says what the report and the CSV say
            column = c.result.table[layer.column]
            if column.dtype.kind in "fi":  # class numbers (Leefbaarometer 1-9) stored as floats
                column = column.round().astype("Int64")
            column = column.astype("string")
            legend["aantallen"] = {
                label: int((column == code).sum())
                for code, (label, _colour) in (layer.categories or {}).items()
            }
        legend["zonder_kaartvlak"] = [
            {"code": code, "naam": name} for code, name in c.mapset.without_geometry
        ]
        return legend

    def signals_json(self, c: Computed) -> dict:
        r = c.result
        rows = [
            {k: clean(v) for k, v in row.items()}
            for row in r.table.drop(columns=["rules"], errors="ignore")
            .rename(columns=public_column)
            .to_dict("records")
        ]
        v = c.view
        return {
            "gemeente": {"code": r.gemeente.code, "naam": r.gemeente.name},
            "van": r.start_year,
            "tot": r.end_year,
            "standaardperiode": v.choice.default,
            "perioden_met_gegevens": [{"van": a, "tot": b} for a, b in v.periods_that_work],
            "referentie": {
                "soort": r.reference.kind,
                "label": r.reference_label(),
                "uitleg": r.reference.describe(r.gemeente.name),
            },
            "dekking": v.coverage.lines(),
            "regels": [
                {"code": x.code, "titel": x.title, "buurten": x.flagged, "van": x.judged}
                for x in r.rules
            ],
            "waarschuwingen": v.warnings,
            "aantallen": r.class_counts(),
            "zonder_kaartvlak": [
                {"code": code, "naam": name} for code, name in c.mapset.without_geometry
            ],
            "indeling": r.edition,
            "grensindeling": c.mapset.edition,
            "klassen": r.scheme,
            "perioden": {k: list(v) for k, v in r.periods.items()},
            "indicatoren": [
                {"key": i.key, "label": i.label, "eenheid": i.unit, "groep": i.group}
                for i in r.indicators
            ],
            "bronnen": [s.citation() for s in r.sources],
            "typologie": [
                {"code": k.code, "label": k.label, "kleur": k.base_colour, "uitleg": k.explanation}
                for k in r.config.classes
            ],
            # the layer the app opens with first, then the map set's order (as in the report)
            "lagen": [
                self.legend(c, key) for key in sorted(c.layers, key=lambda k: k != DEFAULT_LAYER)
            ],
            "rijen": rows,
        }

    def geojson(self, c: Computed, key: str, overlays: dict[str, dict] | None = None) -> bytes:
        """FeatureCollection (WGS84) with value, class label and colour per buurt."""
        if not overlays:
            cached = c.blobs.get(("geojson", key))
            if cached is not None:
                return cached

        layer = c.layer(key)
        style = layer_style(c.mapset, layer)
        label_of = {colour: label for label, colour in style.legend}
        frame = c.mapset.buurten
        values = frame[layer.column] if layer.column in frame else [None] * len(frame)
        parts = []
        for i, (code, name, value, colour) in enumerate(
            zip(frame.region_code, frame["name"], values, style.colours, strict=True)
        ):
            props: dict[str, Any] = {
                "code": code,
                "naam": clean(name),
                "waarde": clean(value),
                "klasse": label_of.get(colour) if colour else "geen gegevens",
                "kleur": colour,
            }
            for upload_id, by_buurt in (overlays or {}).items():
                for variable, v in by_buurt.get(code, {}).items():
                    props[f"overlay:{upload_id}:{variable}"] = v
            parts.append(
                f'{{"type":"Feature","id":{i},"geometry":{c.geometries[i]},'
                f'"properties":{dumps(props).decode()}}}'
            )
        head = dumps({"legenda": self.legend(c, key), "indeling": c.mapset.edition}).decode()
        body = (
            f'{{"type":"FeatureCollection","metadata":{head},"features":[{",".join(parts)}]}}'
        ).encode()
        if not overlays:
            c.blobs[("geojson", key)] = body
        return body

    def geojson_gzip(self, c: Computed, key: str) -> bytes:
        """The layer's GeoJSON, gzipped once (about a quarter of the bytes on the wire)."""
        packed = gzip.compress(self.geojson(c, key), compresslevel=6, mtime=0)
        c.blobs[("geojson.gz", key)] = packed
        return packed

    def _profile_index(self, c: Computed) -> dict[str, dict]:
        """Rows by buurt, references by indicator and trends by (buurt, indicator): built
        once per computation, so a profile is a few dict lookups, not DataFrame filters."""
        if c.profile_index is None:
            rows = {str(rec["region_code"]): rec for rec in c.result.table.to_dict("records")}
            refs: dict[str, dict] = {}
            for ref in c.result.references.itertuples(index=False):
                refs.setdefault(ref.indicator, {})[ref.period] = (ref.nl, ref.gemeente)
            trends: dict[tuple[str, str], dict] = {}
            for t in c.trends.itertuples(index=False):
                trends.setdefault((t.region_code, t.indicator), {})[t.period] = t.value
            c.profile_index = {"rows": rows, "refs": refs, "trends": trends}
        return c.profile_index

    def _row(self, c: Computed, buurt: str) -> dict:
        hit = self._profile_index(c)["rows"].get(buurt)
        if hit is None:
            raise NoDataError(
                f"buurt {buurt} hoort niet bij {c.result.gemeente.name} "
                f"(buurtindeling {c.result.edition})",
                fix="Kies een buurtcode uit de signalentabel van deze gemeente.",
            )
        return hit

    def profile_blob(self, c: Computed, buurt: str) -> bytes:
        """The profile without own data as JSON; all buurten are rendered on the first
        request and then served from memory."""
        blob = c.blobs.get(("profiel", buurt))
        if blob is not None:
            return blob
        self._row(c, buurt)  # unknown buurt: a 404 before any work
        with c.lock:
            if ("profiel", buurt) not in c.blobs:
                for code in self._profile_index(c)["rows"]:
                    c.blobs[("profiel", code)] = dumps(self.profile(c, code))
        return c.blobs[("profiel", buurt)]

    def profile_gzip(self, c: Computed, buurt: str) -> bytes:
        """The profile blob gzipped, once per buurt (not once per request)."""
        packed = c.blobs.get(("profiel.gz", buurt))
        if packed is None:
            packed = gzip.compress(self.profile_blob(c, buurt), compresslevel=6, mtime=0)
            c.blobs[("profiel.gz", buurt)] = packed
        return packed

    def profile(self, c: Computed, buurt: str, overlays: list[dict] | None = None) -> dict:
        r = c.result
        row = self._row(c, buurt)
        index = self._profile_index(c)
        indicators = []
        for ind in r.indicators:
            p_start, p_end = r.periods[ind.key]
            ref = index["refs"].get(ind.key, {})
            own = index["trends"].get((buurt, ind.key), {})
            periods = sorted(set(own) | set(ref))
            indicators.append(
                {
                    "key": ind.key,
                    "label": ind.label,
                    "eenheid": ind.unit,
                    "groep": ind.group,
                    "van": p_start,
                    "tot": p_end,
                    "waarde": clean(row.get(f"{ind.key}__end")),
                    "waarde_van": clean(row.get(f"{ind.key}__start")),
                    "verschil": clean(row.get(f"{ind.key}__change")),
                    "index_nl": clean(row.get(f"{ind.key}__index_nl")),
                    "index_gemeente": clean(row.get(f"{ind.key}__index_gemeente")),
                    "klasse": clean(row.get(f"{ind.key}__class")),
                    "nl": clean(ref[p_end][0]) if p_end in ref else None,
                    "gemeente": clean(ref[p_end][1]) if p_end in ref else None,
                    "trend": [
                        {
                            "jaar": int(p),
                            "waarde": clean(own.get(p)),
                            "nl": clean(ref[p][0]) if p in ref else None,
                            "gemeente": clean(ref[p][1]) if p in ref else None,
                        }
                        for p in periods
                    ],
                }
            )
        return {
            "code": buurt,
            "naam": clean(row.get("name")),
            "gemeente": {"code": r.gemeente.code, "naam": r.gemeente.name},
            "indeling": r.edition,
            "van": r.start_year,
            "tot": r.end_year,
            # the signal table's columns under their public names (one translation)
            **{public_column(k): clean(row.get(k)) for k in _PROFILE_COLUMNS},
            "indicatoren": indicators,
            "eigen_data": overlays or [],
            "bronnen": [s.citation() for s in r.sources],
        }

    def compare_buurten(self, c: Computed, codes: list[str], overlays: dict | None = None) -> dict:
        profiles = [self.profile(c, code) for code in codes]
        by_key = [{i["key"]: i for i in p["indicatoren"]} for p in profiles]
        rows = []
        for ind in profiles[0]["indicatoren"]:
            values = [keyed.get(ind["key"], {}).get("waarde") for keyed in by_key]
            rows.append(
                {
                    "key": ind["key"],
                    "label": ind["label"],
                    "eenheid": ind["eenheid"],
                    "waarden": values,
                    "verschil": None if None in values[:2] else clean(values[0] - values[1]),
                    "nl": ind["nl"],
                    "gemeente": ind["gemeente"],
                }
            )
        return {
            "buurten": [
                {k: p[k] for k in ("code", "naam", "typologie", "typologie_label", "redenen")}
                for p in profiles
            ],
            "indeling": c.result.edition,
            "indicatoren": rows,
            "eigen_data": overlays or {},
        }

    def gemeente_summary(self, c: Computed) -> dict:
        r = c.result
        counts = r.table.typology.value_counts()
        indicators = []
        for ind in r.indicators:
            p_end = r.periods[ind.key][1]
            ref = r.references[(r.references.indicator == ind.key) & (r.references.period == p_end)]
            indicators.append(
                {
                    "key": ind.key,
                    "label": ind.label,
                    "eenheid": ind.unit,
                    "jaar": p_end,
                    "gemeente": clean(ref.gemeente.iloc[0]) if len(ref) else None,
                    "nl": clean(ref.nl.iloc[0]) if len(ref) else None,
                }
            )
        return {
            "code": r.gemeente.code,
            "naam": r.gemeente.name,
            "indeling": r.edition,
            "buurten": len(r.table),
            "typologie": {
                k.code: int(counts.get(k.code, 0)) for k in r.config.classes
            },
            "indicatoren": indicators,
        }

    # ------------------------------------------------------------------ exports
    def export(
        self, c: Computed, kind: str, layer: str = "", own: OwnExport | None = None
    ) -> bytes:
        """csv | xlsx | png | pdf | html | bestuurskaart (``layer``: its paper size),
        rendered once per computation and cached.

        ``own``: the user's overlays (symbols and legend on maps, columns in tables);
        private, so never cached.
        """
        if own is not None:
            if kind in {"png", "pdf"}:
                c.layer(layer)
            with tempfile.TemporaryDirectory(prefix="veerkracht-web-") as tmp:
                return self._render(c, kind, layer, Path(tmp), own)
        key = (kind, layer)
        if key in c.blobs:
            return c.blobs[key]
        if kind in {"png", "pdf"}:
            c.layer(layer)  # a bad layer name is a 400 before any rendering
        with c.lock, tempfile.TemporaryDirectory(prefix="veerkracht-web-") as tmp:
            if key in c.blobs:
                return c.blobs[key]
            c.blobs[key] = self._render(c, kind, layer, Path(tmp))
        return c.blobs[key]

    def _xlsx(self, c: Computed, path: Path, own: OwnExport | None = None) -> bytes:
        """The CLI's sheets through the CLI's writer (``signals.export``)."""
        with self.lock:
            own_columns = own.columns if own else None
            sheets = signal_sheets(
                c.view, self.store, own_columns=own_columns, skip_failed_analyses=True
            )
        checkpoint()  # writing the workbook takes seconds: not for a client that left
        return write_xlsx(path, sheets).read_bytes()

    def _render(
        self, c: Computed, kind: str, layer: str, tmp: Path, own: OwnExport | None = None
    ) -> bytes:
        if kind == "csv":
            return table_csv(with_own_columns(signal_table(c.result), own.columns if own else None))
        if kind == "xlsx":
            return self._xlsx(c, tmp / "signalen.xlsx", own)
        mapset = c.mapset
        if own is not None:
            mapset = replace(mapset, overlays=own.overlays)
        if kind in {"png", "pdf"}:
            (path,) = render_map(mapset, c.layers[layer], tmp, formats=(kind,))
            return path.read_bytes()
        if kind == "bestuurskaart":
            (path,) = render_board_map(c.view, mapset, tmp, paper=layer)
            return path.read_bytes()

        return render_html(mapset, tmp / "kaart.html").read_bytes()


@dataclass
class OwnExport:
    """A user's overlays for one export: map symbols and table columns."""

    overlays: list  # veerkracht.maps.layers.MapOverlay
    columns: pd.DataFrame | None  # region_code + 'Eigen gegevens: …' columns


def _geometries(mapset: MapSet) -> list[str]:
    gdf = mapset.buurten[["geometry"]].copy()
    gdf["geometry"] = shapely.simplify(gdf.geometry.to_numpy(), SIMPLIFY_M, preserve_topology=True)
    wgs = gdf.set_crs(mapset.buurten.crs, allow_override=True).to_crs("EPSG:4326")
    out = []
    for geom in wgs.geometry:
        data = json.loads(shapely.to_geojson(geom))
        data["coordinates"] = _round_coords(data["coordinates"])
        out.append(json.dumps(data, separators=(",", ":")))
    return out

// The MapLibre map: a blank style with the buurten and wijken GeoJSON as sources, so the
// map is complete offline; place names are HTML labels (no glyph server needed). The
// PDOK BRT-Achtergrondkaart is an optional raster layer behind a switch (online only).
import maplibregl from "maplibre-gl/dist/maplibre-gl-csp.js";

maplibregl.setWorkerUrl("/static/maplibre-worker.js");

const NO_DATA = "arcering";
export const PDOK_TILES = "https://service.pdok.nl/brt/achtergrondkaart/wmts/v2_0/standaard/EPSG:3857/{z}/{x}/{y}.png";
const BUURT_LABEL_ZOOM = 13.5; // buurt names from this zoom on; wijk names always
const MAX_LABELS = 250;
const OWN = "eigen-ruit";
/** The buurten's opacities (fill without and with the background map, edges). */
const FILL_OPACITY = 0.92;
const BACKGROUND = "#eef1f3";
const FILL_OPACITY_BASEMAP = 0.62;
const EDGE_OPACITY = 0.9;
/** Own data: magenta diamonds with a dark edge (maps/palettes.py OWN_DATA_*), a colour no
 * typology class or palette uses. */
export const OWN_COLOUR = "#d01c8b";

/** A timeline mark, only the first time (the first view is what the benchmark measures). */
export function markOnce(name) {
  if (!performance.getEntriesByName(name).length) performance.mark(name);
}

/** Resolves after the next frame was composited: the browser is two frames further. */
export function onScreen() {
  return new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
}

export function webglAvailable() {
  try {
    const canvas = document.createElement("canvas");
    return Boolean(canvas.getContext("webgl2") || canvas.getContext("webgl"));
  } catch {
    return false;
  }
}

function hatch() {
  // grey diagonal hatch for 'geen gegevens' (drawn here: no sprite file needed)
  const size = 8;
  const data = new Uint8Array(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const on = (x + y) % size < 2;
      const i = (y * size + x) * 4;
      data.set(on ? [150, 150, 150, 255] : [245, 245, 245, 255], i);
    }
  }
  return { width: size, height: size, data };
}

function diamond() {
  // magenta diamond with a dark edge, drawn here: no sprite file needed
  const size = 32, half = size / 2;
  const data = new Uint8Array(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const d = Math.abs(x + 0.5 - half) + Math.abs(y + 0.5 - half);
      const i = (y * size + x) * 4;
      if (d <= half - 4) data.set([208, 28, 139, 255], i);
      else if (d <= half - 1) data.set([26, 26, 26, 255], i);
    }
  }
  return { width: size, height: size, data };
}

export class BuurtMap {
  constructor(container, handlers) {
    this.handlers = handlers;
    this.hovered = null;
    this.selected = [];
    this.ownShown = false;
    markOnce("vk-kaart-gemaakt");
    this.ready = new Promise((resolve) => {
      this.map = new maplibregl.Map({
        container,
        style: {
          version: 8,
          sources: {},
          layers: [{ id: "achtergrond", type: "background", paint: { "background-color": BACKGROUND } }],
        },
        center: [4.9, 52.37],
        zoom: 10,
        attributionControl: false,
        fadeDuration: 0,
        boxZoom: false, // shift-click compares two buurten
      });
      this.map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-right");
      this.map.addControl(new maplibregl.ScaleControl({ unit: "metric" }), "bottom-left");
      this.map.addControl(new maplibregl.AttributionControl({ compact: false }), "bottom-right");
      this.labels = [];
      this.wijken = empty();
      this.map.on("load", () => {
        markOnce("vk-stijl-geladen");
        this.map.addImage(NO_DATA, hatch());
        this.map.addImage(OWN, diamond());
        this.map.addSource("buurten", { type: "geojson", data: empty(), promoteId: "code" });
        this.map.addSource("eigen", { type: "geojson", data: empty() });
        this.map.addSource("wijken", { type: "geojson", data: empty() });
        this.map.on("moveend", () => this.placeLabels());
        this.addLayers();
        this.bindEvents();

        resolve(this);
      });
    });
  }

  addLayers() {
    const m = this.map;
    m.addLayer({
      id: "buurten-vlak",
      type: "fill",
      source: "buurten",
      paint: { "fill-color": ["coalesce", ["get", "kleur"], "#f5f5f5"], "fill-opacity": FILL_OPACITY },
    });
    m.addLayer({
      id: "buurten-geen",
      type: "fill",
      source: "buurten",
      filter: ["!", ["to-boolean", ["get", "kleur"]]],
      paint: { "fill-pattern": NO_DATA },
    });
    m.addLayer({
      id: "buurten-rand",
      type: "line",
      source: "buurten",
      paint: { "line-color": "#ffffff", "line-width": 0.6, "line-opacity": EDGE_OPACITY },
    });
    m.addLayer({
      id: "wijken-rand",
      type: "line",
      source: "wijken",
      paint: { "line-color": "#333333", "line-width": ["interpolate", ["linear"], ["zoom"], 10, 0.8, 15, 2.2], "line-opacity": 0.75 },
    });
    m.addLayer({
      id: "wijk-gekozen",
      type: "line",
      source: "wijken",
      filter: ["==", ["get", "code"], ""],
      paint: { "line-color": "#000000", "line-width": 3.5 },
    });
    m.addLayer({
      id: "buurten-hover",
      type: "line",
      source: "buurten",
      // opacity 0 while no buurt is pointed at: MapLibre then skips the layer in every
      // frame (a width by feature state alone is drawn for every buurt, at width 0)
      paint: {
        "line-opacity": 0,
        "line-color": "#1b1b1b",
        "line-width": ["case", ["boolean", ["feature-state", "hover"], false], 2, 0],
      },
    });
    m.addLayer({
      id: "eigen-data",
      type: "symbol",
      source: "eigen",
      layout: {
        "icon-image": OWN,
        "icon-size": ["interpolate", ["linear"], ["get", "schaal"], 0, 0.35, 1, 0.8],
        "icon-allow-overlap": true,
        "icon-ignore-placement": true,
      },
    });
    m.addLayer({
      id: "buurten-gekozen",
      type: "line",
      source: "buurten",
      paint: { // opacity 1 only while buurten are chosen (see buurten-hover)
        "line-opacity": 0,
        "line-color": ["case", ["==", ["feature-state", "gekozen"], 2], "#e66100", "#000000"],
        "line-width": ["case", [">", ["coalesce", ["feature-state", "gekozen"], 0], 0], 3.5, 0],
      },
    });
  }

  bindEvents() {
    const m = this.map;
    m.on("mousemove", "buurten-vlak", (e) => {
      const f = e.features && e.features[0];
      if (!f) return;
      m.getCanvas().style.cursor = "pointer";
      if (this.hovered !== f.id) {
        if (this.hovered !== null) m.setFeatureState({ source: "buurten", id: this.hovered }, { hover: false });
        else m.setPaintProperty("buurten-hover", "line-opacity", 1);
        this.hovered = f.id;
        m.setFeatureState({ source: "buurten", id: f.id }, { hover: true });
      }
      this.handlers.hover(f.properties, e.point);
    });
    m.on("mouseleave", "buurten-vlak", () => {
      m.getCanvas().style.cursor = "";
      if (this.hovered !== null) m.setFeatureState({ source: "buurten", id: this.hovered }, { hover: false });
      m.setPaintProperty("buurten-hover", "line-opacity", 0);
      this.hovered = null;
      this.handlers.hover(null);
    });
    m.on("click", "buurten-vlak", (e) => {
      const f = e.features && e.features[0];
      if (f) this.handlers.click(f.properties.code, e.originalEvent.shiftKey);
    });
  }

  /** Show a layer's FeatureCollection; resolves when MapLibre has drawn it. */
  async show(collection, { fit = false } = {}) {
    await this.ready;
    if (fit) { // before the data: tiles are then cut once, at the final zoom
      const box = bbox(collection);
      if (box) this.map.fitBounds(box, { padding: 28, animate: false });
    }
    this.map.getSource("buurten").setData(collection);
    markOnce("vk-bron-gezet");
    this.collection = collection;
    this.markSelected(this.selected);
    await new Promise((resolve) => this.map.once("idle", resolve));
    markOnce("vk-eerste-idle");
    this.placeLabels();
  }

  /** Own data as diamonds at the buurt centres, sized by the number of rows per buurt;
   * returns per overlay the buurten and rows drawn. */
  async showOverlay(collection, overlayIds) {
    await this.ready;
    const points = [];
    const counts = {};
    let max = 0;
    for (const id of overlayIds) counts[id] = { buurten: 0, rijen: 0 };
    for (const f of collection.features) {
      for (const id of overlayIds) {
        const rows = overlayRows(f.properties, id);
        if (rows === null) continue;
        counts[id].buurten += 1;
        counts[id].rijen += rows;
        max = Math.max(max, rows);
        points.push({ f, rows, id });
      }
    }
    const features = points.map(({ f, rows, id }) => ({
      type: "Feature",
      geometry: { type: "Point", coordinates: centre(f.geometry) },
      properties: {
        code: f.properties.code,
        naam: f.properties.naam,
        upload: id,
        schaal: max > 0 ? Math.sqrt(rows / max) : 0.5,
        rijen: rows,
      },
    }));
    // nothing to show and nothing shown: no new data, so no tiles cut and no extra frame
    if (features.length || this.ownShown) this.map.getSource("eigen").setData({ type: "FeatureCollection", features });
    this.ownShown = features.length > 0;
    return { n: features.length, per: counts };
  }

  /** Wijk outlines (and their names as labels) of the current view. */
  async showWijken(collection) {
    await this.ready;
    this.wijken = collection;
    this.map.getSource("wijken").setData(collection);
    this.placeLabels();
  }

  /** Wijk names always, buurt names from BUURT_LABEL_ZOOM on (chosen buurten first). */
  placeLabels() {
    const m = this.map;
    const buurten = m.getZoom() >= BUURT_LABEL_ZOOM && this.collection ? this.collection.features : [];
    const chosen = buurten.filter((f) => this.selected.includes(f.properties.code));
    const items = [
      ...chosen.map((f) => ({ at: centre(f.geometry), text: f.properties.naam, cls: "vk-label-buurt vk-label-gekozen" })),
      ...this.wijken.features.map((f) => ({ at: f.properties.label, text: f.properties.naam, cls: "vk-label-wijk" })),
      ...buurten.filter((f) => !chosen.includes(f)).map((f) => ({ at: centre(f.geometry), text: f.properties.naam, cls: "vk-label-buurt" })),
    ];
    this.labels = placeLabels(m, items, this.labels);
  }

  /** The PDOK background map on or off; resolves false when its tiles do not load. */
  async basemap(on) {
    await this.ready;
    const m = this.map;
    if (!on) {
      if (m.getLayer("pdok")) m.removeLayer("pdok");
      if (m.getSource("pdok")) m.removeSource("pdok");
      m.setPaintProperty("buurten-vlak", "fill-opacity", FILL_OPACITY);
      return true;
    }
    const ok = await probeTile();
    if (!ok) return false;
    if (!m.getSource("pdok")) {
      m.addSource("pdok", {
        type: "raster",
        tiles: [PDOK_TILES],
        tileSize: 256,
        maxzoom: 19,
        attribution: "Achtergrondkaart © Kadaster / PDOK (BRT-Achtergrondkaart)",
      });
      m.addLayer({ id: "pdok", type: "raster", source: "pdok" }, "buurten-vlak");
    }
    m.setPaintProperty("buurten-vlak", "fill-opacity", FILL_OPACITY_BASEMAP);
    return true;
  }

  /** Zoom to one wijk and outline it. */
  async showWijk(feature) {
    await this.ready;
    const box = bbox({ features: [feature] });
    if (box) this.map.fitBounds(box, { padding: 40, animate: false });
    this.map.setFilter("wijk-gekozen", ["==", ["get", "code"], feature.properties.code]);
  }

  markSelected(codes) {
    for (const code of this.selected) this.map.setFeatureState({ source: "buurten", id: code }, { gekozen: 0 });
    const changed = codes.join() !== this.selected.join();
    this.selected = [...codes];
    this.selected.forEach((code, i) => this.map.setFeatureState({ source: "buurten", id: code }, { gekozen: i + 1 }));
    this.map.setPaintProperty("buurten-gekozen", "line-opacity", this.selected.length ? 1 : 0);
    if (changed && this.labels) this.placeLabels();
  }
}

/**
 * Place names as HTML labels (no glyph server needed, so they work offline): the items
 * in view, in order of priority, skipping one that would overlap a label already placed.
 * Removes the previous markers; returns the new ones.
 */
export function placeLabels(m, items, previous = []) {
  for (const marker of previous) marker.remove();
  const bounds = m.getBounds();
  const taken = [];
  const placed = [];
  for (const { at, text, cls } of items) {
    if (!text || !at || !bounds.contains(at) || placed.length >= MAX_LABELS) continue;
    const p = m.project(at);
    const w = text.length * (cls.includes("vk-label-wijk") ? 9.4 : 6.2) + 10;
    const dy = cls.includes("vk-label-gemeente") ? 15 : 0;
    const box = [p.x - w / 2, p.y - 9 + dy, p.x + w / 2, p.y + 9 + dy];
    if (taken.some((b) => box[0] < b[2] && box[2] > b[0] && box[1] < b[3] && box[3] > b[1])) continue;
    taken.push(box);
    const el = document.createElement("span");
    el.className = `vk-label ${cls}`;
    el.textContent = text;
    // gemeente names under their (small, national-scale) outline instead of covering it
    const below = cls.includes("vk-label-gemeente") ? { anchor: "top", offset: [0, 6] } : {};
    const marker = new maplibregl.Marker({ element: el, ...below }).setLngLat(at).addTo(m);
    // names only: not a control (the map's region label and the search serve screen readers)
    for (const attr of ["role", "tabindex", "aria-label"]) el.removeAttribute(attr);
    el.setAttribute("aria-hidden", "true");
    placed.push(marker);
  }
  m.getContainer().dataset.labels = String(placed.length);
  return placed;
}

/** One tile of the Netherlands at zoom 7: does the background map load from here? */
function probeTile() {
  return new Promise((resolve) => {
    const img = new Image();
    const timer = setTimeout(() => resolve(false), 4000);
    img.onload = () => { clearTimeout(timer); resolve(true); };
    img.onerror = () => { clearTimeout(timer); resolve(false); };
    img.src = PDOK_TILES.replace("{z}", "7").replace("{x}", "65").replace("{y}", "42");
  });
}

function empty() {
  return { type: "FeatureCollection", features: [] };
}

/** The rows an upload has in this buurt ('aantal rijen'), or null when it has none. */
function overlayRows(props, id) {
  const value = props[`overlay:${id}:aantal rijen`];
  if (value === undefined || value === null || value === "null") return null;
  const n = Number(value);
  return Number.isFinite(n) && n > 0 ? n : null;
}

function rings(geometry) {
  if (geometry.type === "Polygon") return [geometry.coordinates[0]];
  if (geometry.type === "MultiPolygon") return geometry.coordinates.map((p) => p[0]);
  return [];
}

/** Area-weighted centroid of the outer rings (good enough for a marker). */
export function centre(geometry) {
  let ax = 0, ay = 0, total = 0;
  for (const ring of rings(geometry)) {
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const cross = ring[j][0] * ring[i][1] - ring[i][0] * ring[j][1];
      total += cross;
      ax += (ring[j][0] + ring[i][0]) * cross;
      ay += (ring[j][1] + ring[i][1]) * cross;
    }
  }
  if (total === 0) return rings(geometry)[0][0];
  return [ax / (3 * total), ay / (3 * total)];
}

export function bbox(collection) {
  let minx = Infinity, miny = Infinity, maxx = -Infinity, maxy = -Infinity;
  for (const f of collection.features) {
    for (const ring of rings(f.geometry)) {
      for (const [x, y] of ring) {
        if (x < minx) minx = x;
        if (y < miny) miny = y;
        if (x > maxx) maxx = x;
        if (y > maxy) maxy = y;
      }
    }
  }
  return Number.isFinite(minx) ? [[minx, miny], [maxx, maxy]] : null;
}

// The national buurt map (/nederland): every buurt of the store from one PMTiles archive
// (vector tiles, fetched by HTTP Range requests), coloured by a class that is joined to
// the polygons by buurt code through feature state. Kept apart from main.js: this page
// has no layer menu, no profile and no uploads.
import maplibregl from "maplibre-gl/dist/maplibre-gl-csp.js";
import { Protocol } from "pmtiles";
import { onScreen } from "./map.js";

maplibregl.setWorkerUrl("/static/maplibre-worker.js");
performance.mark("vk-bundel-geladen");
const protocol = new Protocol();
maplibregl.addProtocol("pmtiles", protocol.tile);

const NL_BOUNDS = [
  [3.2, 50.7],
  [7.3, 53.6],
];

function fillColour(data) {
  // class i -> its legend colour; a buurt without a value (no state) gets the grey
  const pairs = data.legenda.flatMap((item, i) => [i, item.kleur]);
  return ["match", ["coalesce", ["feature-state", "klasse"], -1], ...pairs, data.geen_gegevens];
}

function style(data) {
  return {
    version: 8,
    sources: {
      buurten: {
        type: "vector",
        url: `pmtiles://${window.location.origin}${data.tegels}`,
        promoteId: "code",
      },
    },
    layers: [
      { id: "achtergrond", type: "background", paint: { "background-color": "#ffffff" } },
      {
        id: "buurten",
        type: "fill",
        source: "buurten",
        "source-layer": data.laag,
        paint: { "fill-color": fillColour(data), "fill-outline-color": "rgba(60,60,60,0.25)" },
      },
    ],
  };
}

function join(map, data) {
  for (const [code, [waarde, klasse]] of Object.entries(data.waarden)) {
    map.setFeatureState(
      { source: "buurten", sourceLayer: data.laag, id: code },
      { klasse, waarde },
    );
  }
}

function popup(map, data) {
  const unit = data.eenheid ? ` ${data.eenheid}` : "";
  map.on("click", "buurten", (event) => {
    const feature = event.features && event.features[0];
    if (!feature) return;
    const code = feature.properties.code;
    const hit = data.waarden[code];
    const text = hit ? `${String(hit[0]).replace(".", ",")}${unit}` : "geen gegevens";
    const box = document.createElement("div");
    const name = document.createElement("strong");
    name.textContent = `${feature.properties.naam} (${code})`;
    box.append(name, document.createElement("br"), `${data.label} ${data.jaar}: ${text}`);
    new maplibregl.Popup().setLngLat(event.lngLat).setDOMContent(box).addTo(map);
  });
}

async function start() {
  const box = document.getElementById("vk-nederland");
  if (!box) return;
  const response = await fetch(box.dataset.waarden);
  if (!response.ok) {
    box.textContent = "De waarden konden niet worden geladen.";
    return;
  }
  const data = await response.json();
  performance.mark("vk-waarden-gelezen");
  const map = new maplibregl.Map({
    container: box,
    style: style(data),
    bounds: NL_BOUNDS,
    attributionControl: false,
  });
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-right");
  map.addControl(new maplibregl.ScaleControl({ unit: "metric" }), "bottom-left");
  // join as soon as the source exists, before its tiles arrive: the first frame is
  // already coloured (joining on "load" drew every buurt twice, grey and then coloured)
  map.once("style.load", () => {
    join(map, data);
    performance.mark("vk-nederland-gekoppeld");
  });
  map.once("load", () => {
    performance.mark("vk-kaart-geladen"); // style, tile index and the first tiles
    map.once("idle", async () => {
      performance.mark("vk-eerste-idle");
      await onScreen(); // the mark once the frame is on the screen
      performance.mark("vk-nederland-getekend");
      box.dataset.getekend = "ja";
    });
  });
  popup(map, data);
}

start();

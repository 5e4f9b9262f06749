// The start page (/): place search, the national overview as a map and a list of
// gemeenten, and the views this browser opened recently.
import maplibregl from "maplibre-gl/dist/maplibre-gl-csp.js";
import { describe, getJSON } from "./api.js";
import { $, clear, fmt, h } from "./dom.js";
import { bbox, placeLabels, webglAvailable } from "./map.js";
import { recent } from "./recent.js";
import { PlaceSearch } from "./search.js";
import { route } from "./routes.js";

maplibregl.setWorkerUrl("/static/maplibre-worker.js");
const REFRESH_MS = 10000;
let current = null; // the start map's data, last loaded

function say(text) {
  const box = $("#vk-melding");
  box.hidden = !text;
  box.textContent = text || "";
}

function renderRecent() {
  const views = recent();
  $("#vk-recent").hidden = !views.length;
  const list = clear($("#vk-recent-lijst"));
  for (const v of views) {
    const when = new Date(v.tijd);
    list.append(h("li", {}, h("a", { href: v.url }, `${v.naam}: ${v.titel}`),
      h("span", { class: "vk-sub" }, ` · ${Number.isNaN(when.getTime()) ? "" : when.toLocaleDateString("nl-NL")}`)));
  }
}

function renderList(meta) {
  const rows = [...meta.gemeenten].sort((a, b) => (b.signaal ?? -1) - (a.signaal ?? -1) || a.naam.localeCompare(b.naam, "nl"));
  const body = clear($("#vk-gemeentelijst tbody"));
  for (const g of rows) {
    body.append(h("tr", { "data-gemeente": g.code },
      h("th", { scope: "row" }, h("span", { class: "vk-vakje", style: `background:${g.kleur || "#e4e7ea"}` }),
        g.kaart ? h("a", { href: g.url }, g.naam) : h("span", { title: "geen buurtgrenzen: alleen tabellen" }, g.naam)),
      h("td", { class: "vk-getal" }, fmt(g.probleem)),
      h("td", { class: "vk-getal" }, fmt(g.kwetsbaar)),
      h("td", { class: "vk-getal" }, fmt(g.beoordeeld))));
  }
  const status = $("#vk-start-status");
  if (meta.status === "klaar") {
    status.textContent = `Aantal buurten met het signaal 'Probleem' (kwetsbare groepen én meer overlast) en 'Kwetsbaar', ${meta.periode}. Vergeleken met Nederland.`;
  } else if (meta.status === "fout") {
    status.textContent = "Het landelijk overzicht kon niet berekend worden; de kaarten per gemeente werken wel.";
  } else {
    status.textContent = `Het landelijk overzicht wordt berekend (${meta.klaar} van ${meta.totaal || "…"} gemeenten); de aantallen verschijnen vanzelf. De kaarten per gemeente werken al.`;
  }
  $("#vk-start-bron").textContent = meta.bronnen.length ? `Bronnen: ${meta.bronnen.join("; ")}.` : "";
}

function renderLegend(meta) {
  const box = clear($("#vk-legenda"));
  box.append(h("h2", {}, meta.legenda.titel),
    h("ul", { class: "vk-klassen" }, meta.legenda.klassen.map((k) =>
      h("li", {}, h("span", { class: "vk-vakje", style: `background:${k.kleur}` }), h("span", { class: "vk-klasse-label" }, k.label)))),
    h("p", { class: "vk-geen" }, h("span", { class: "vk-vakje", style: "background:#e4e7ea" }), "nog niet berekend of geen signaal te berekenen"));
}

function drawMap(data) {
  const map = new maplibregl.Map({
    container: "vk-kaart",
    style: { version: 8, sources: {}, layers: [{ id: "achtergrond", type: "background", paint: { "background-color": "#eef1f3" } }] },
    center: [5.3, 52.15], zoom: 6.4, attributionControl: false, fadeDuration: 0,
  });
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-right");
  map.on("load", () => {
    map.addSource("gemeenten", { type: "geojson", data });
    map.addLayer({ id: "gemeenten-vlak", type: "fill", source: "gemeenten", paint: { "fill-color": ["coalesce", ["get", "kleur"], "#e4e7ea"], "fill-opacity": 0.95 } });
    map.addLayer({ id: "gemeenten-rand", type: "line", source: "gemeenten", paint: { "line-color": "#555", "line-width": 0.8 } });
    const box = bbox(data);
    if (box) map.fitBounds(box, { padding: 30, animate: false, maxZoom: 9 });
    map.on("click", "gemeenten-vlak", (e) => { const f = e.features && e.features[0]; if (f) location.href = f.properties.url; });
    map.on("mousemove", "gemeenten-vlak", (e) => {
      const f = e.features && e.features[0];
      map.getCanvas().style.cursor = f ? "pointer" : "";
      const tip = $("#vk-tip");
      if (!f) { tip.hidden = true; return; }
      const p = f.properties;
      const n = p.signaal === null || p.signaal === undefined || p.signaal === "null" ? "nog niet berekend" : `${p.probleem} probleem, ${p.kwetsbaar} kwetsbaar`;
      clear(tip).append(h("strong", {}, p.naam), h("span", {}, n));
      tip.hidden = false;
      tip.style.transform = `translate(${e.point.x + 14}px, ${e.point.y + 14}px)`;
    });
    map.on("mouseleave", "gemeenten-vlak", () => { $("#vk-tip").hidden = true; });
    let labels = [];
    const names = () => {
      labels = placeLabels(map, (current || data).features.map((f) => ({ at: f.properties.label, text: f.properties.naam, cls: "vk-label-gemeente" })), labels);
    };
    map.on("moveend", names);
    names();
    map.once("idle", () => { $("#vk-kaartvak").setAttribute("aria-busy", "false"); $("#vk-kaart").dataset.getekend = "gemeenten"; });
  });
  return map;
}

async function load(map) {
  try {
    const data = await getJSON(route("overview_map"));
    current = data;
    renderList(data.metadata);
    renderLegend(data.metadata);
    if (!map && webglAvailable()) map = drawMap(data);
    else if (map && map.getSource("gemeenten")) map.getSource("gemeenten").setData(data);
    if (data.metadata.status === "bezig") setTimeout(() => load(map), REFRESH_MS);
  } catch (err) {
    say(describe(err));
  }
}

function start() {
  new PlaceSearch($("#vk-zoek"), $("#vk-suggesties"), $("#vk-zoek-melding"), (r) => { location.href = r.url; });
  renderRecent();
  load(null);
}

start();

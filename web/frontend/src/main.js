// Veerkracht kaart-app: the interactive Dutch map of /kaart/{gm} and /gedeeld/{token}.
import { capital, describe, getJSON, postJSON } from "./api.js";
import { $, clear, fmt, h } from "./dom.js";
import { BuurtMap, centre, markOnce, onScreen, webglAvailable } from "./map.js";
import { comparePanel, gemeentenPanel, profilePanel } from "./profile.js";
import { dataQuery, links, normalise, pageUrl } from "./state.js";
import { Combobox, PlaceSearch } from "./search.js";
import { fold, remember } from "./recent.js";
import { route } from "./routes.js";

// Timeline marks (Performance panel, benchmarks/bench_web_paint.py): where the wait goes
performance.mark("vk-bundel-geladen");
const START = JSON.parse($("#vk-start").textContent);
const REFERENCES = [
  ["gemeente", "Binnen de gemeente (relatief)"],
  ["nederland", "Met Nederland (absoluut)"],
];
const SCHEMES = [
  ["kwantielen", "Kwantielen (gelijke aantallen buurten)"],
  ["fisher_jenks", "Natuurlijke grenzen (Fisher-Jenks)"],
];
const BASEMAP_KEY = "vk-achtergrondkaart";

const app = {
  state: normalise(START.staat),
  shared: START.gedeeld || null, // token while the view is still the shared one
  user: START.gebruiker || null,
  gemeente: null, // {code, naam, indelingen}
  signals: null,
  collection: null,
  uploads: [],
  compareNext: false,
  map: null,
  loaded: { laag: null, n: 0 },
  meta: null, // /api/lagen.json: groups and every layer's explanation (from the catalogue)
  wijken: null, // wijk outlines of the current view
  wijkenKey: "",
  pending: null, // {wijk} or {naam} to show once the gemeente is drawn (search, #wijk=)
};
// The first view's data is requested before anything else (map, controls): the map
// needs only its layer's GeoJSON, and that should not wait for the layer list.
const early = new Map();
function fetchEarly(url) {
  const pending = getJSON(url);
  pending.catch(() => {}); // reported by whoever takes it (getOnce)
  early.set(url, pending);
}
/** The early request for this URL if there is one (once), else a new one. */
function getOnce(url) {
  const pending = early.get(url);
  early.delete(url);
  return pending || getJSON(url);
}
if (app.state.gemeente) {
  fetchEarly(links(app.state).kaart);
  fetchEarly(links(app.state).signalen);
}
// layers show their titles only without the catalogue's explanations
app.metaReady = getJSON(route("layers")).then((meta) => { app.meta = meta; }, () => { app.meta = null; });

window.veerkracht = {
  staat: () => JSON.parse(JSON.stringify(app.state)),
  kaart: () => app.map && app.map.map,
  geladen: () => ({ ...app.loaded }),
  /** Centre the map on a buurt; resolves with its screen point once drawn (tests, demos). */
  naarBuurt: async (code, zoom = 14) => {
    const f = app.collection.features.find((x) => x.properties.code === code);
    const m = app.map.map;
    const done = new Promise((resolve) => m.once("idle", resolve));
    m.jumpTo({ center: centre(f.geometry), zoom });
    await done;
    const p = m.project(centre(f.geometry));
    return { x: p.x, y: p.y };
  },
};

// ------------------------------------------------------------------ helpers
function may(role) {
  const rank = { lezer: 1, analist: 2, beheerder: 3 };
  return app.user && rank[app.user.rol] >= rank[role];
}

function say(text, kind = "info") {
  const box = $("#vk-melding");
  clear(box);
  if (!text) { box.hidden = true; return; }
  box.hidden = false;
  box.className = `vk-melding vk-${kind}`;
  box.append(h("span", {}, text), h("button", { type: "button", class: "vk-sluit", "aria-label": "Melding sluiten", onclick: () => say("") }, "×"));
}

function busy(on) {
  $("#vk-kaartvak").setAttribute("aria-busy", on ? "true" : "false");
  $("#vk-laden").hidden = !on;
}

/** Keep the address bar on the canonical URL of the current view. */
function syncUrl() {
  if (!app.state.gemeente) return;
  if (app.shared) return; // a shared link stays as it is until the view changes
  const url = pageUrl(app.state);
  if (location.pathname + location.search !== url) history.replaceState(null, "", url);
  updateExports();
  updateLoginLink();
}

function changed() {
  app.shared = null;
  syncUrl();
}

// ------------------------------------------------------------------ controls
function fillSelect(select, options, value) {
  clear(select);
  for (const opt of options) {
    if (opt.group) {
      const group = h("optgroup", { label: opt.group });
      opt.options.forEach(([v, t]) => group.append(h("option", { value: v }, t)));
      select.append(group);
    } else {
      select.append(h("option", { value: opt[0] }, opt[1]));
    }
  }
  select.value = value === null ? "" : String(value);
}

/** The layers of this view per group (catalogue order of groups); own data last. */
function layerGroups() {
  const sig = app.signals;
  const meta = (app.meta && app.meta.lagen) || {};
  const indicatorGroup = new Map(sig.indicatoren.map((i) => [i.key, i.groep]));
  const groups = new Map(((app.meta && app.meta.groepen) || []).map((g) => [g.key, { label: g.label, layers: [] }]));
  for (const l of sig.lagen) { // in the server's order: the layer list is defined once, in maps/
    const key = (meta[l.laag] && meta[l.laag].groep) || indicatorGroup.get(l.laag) || "context";
    if (!groups.has(key)) groups.set(key, { label: capital(key), layers: [] });
    groups.get(key).layers.push([l.laag, l.titel]);
  }
  return groups;
}

function groupOf(layer) {
  for (const [key, g] of layerGroups()) if (g.layers.some(([k]) => k === layer)) return key;
  return null;
}

function fillControls() {
  const sig = app.signals;
  const groups = layerGroups();
  const withLayers = [...groups].filter(([, g]) => g.layers.length);
  const themes = withLayers.map(([k, g]) => [k, `${g.label} (${g.layers.length})`]);
  if (app.uploads.length) themes.push(["eigen_data", `${(groups.get("eigen_data") || {}).label || "Eigen data"} (${app.uploads.length})`]);
  fillSelect($("#vk-groep"), themes, groupOf(app.state.laag));
  fillSelect($("#vk-laag"), withLayers.map(([, g]) => ({ group: g.label, options: g.layers })), app.state.laag);
  // only periods that give this gemeente a signal (server: the pipeline's working periods)
  const periods = [...sig.perioden_met_gegevens];
  if (!periods.some((p) => p.van === sig.van && p.tot === sig.tot)) periods.push({ van: sig.van, tot: sig.tot });
  periods.sort((a, b) => b.tot - a.tot || b.van - a.van);
  fillSelect($("#vk-periode"), periods.map((p) => [`${p.van}-${p.tot}`, `${p.van}–${p.tot}`]), `${sig.van}-${sig.tot}`);
  fillSelect($("#vk-referentie"), REFERENCES, app.state.referentie);
  const editions = (app.gemeente && app.gemeente.indelingen) || [];
  fillSelect($("#vk-indeling"), [["", `Standaard (${sig.indeling})`], ...editions.map((e) => [e, `Buurtindeling ${e}`])], app.state.indeling);
  fillSelect($("#vk-klassen"), SCHEMES, app.state.klassen);
  fillBuurtList();
  explain();
}

/** The explanation of the current layer: what, source, year, unit, direction. */
function explain() {
  const box = $("#vk-uitleg");
  if (!box || !app.signals) return;
  clear(box);
  if ($("#vk-groep").value === "eigen_data") {
    box.append(h("p", {}, "Eigen data staat als cirkels over de gekozen kaartlaag. Zet een bestand aan of uit onder 'Eigen data'; de cirkelgrootte volgt de eerste getalkolom."));
    return;
  }
  const layer = app.signals.lagen.find((l) => l.laag === app.state.laag);
  const info = app.meta && app.meta.lagen[app.state.laag];
  if (!layer) return;
  const unit = info && info.eenheid && !["klasse", "aantal"].includes(info.eenheid) ? info.eenheid : null;
  box.append(
    h("p", { class: "vk-uitleg-tekst" }, info ? info.uitleg : layer.titel),
    h("dl", { class: "vk-uitleg-feiten" },
      // a signal layer rests on several sources: the exact line of this view; else the indicator's
      h("dt", {}, "Bron"), h("dd", {}, info && info.groep !== "signaal" ? info.bron : layer.bron),
      h("dt", {}, "Jaar"), h("dd", { id: "vk-uitleg-jaar" }, String(layer.periode || "")),
      unit ? [h("dt", {}, "Eenheid"), h("dd", {}, unit)] : null,
      info ? [h("dt", {}, "Richting"), h("dd", { id: "vk-uitleg-richting" }, info.richting_tekst)] : null),
  );
}

function fillBuurtList() {
  const list = clear($("#vk-buurtlijst"));
  for (const row of app.signals.rijen) list.append(h("option", { value: `${row.naam} (${row.region_code})` }));
}

function bindControls() {
  $("#vk-laag").addEventListener("change", (e) => {
    app.state.laag = e.target.value;
    $("#vk-groep").value = groupOf(app.state.laag) || "";
    changed();
    explain();
    loadLayer();
  });
  $("#vk-groep").addEventListener("change", (e) => {
    const group = e.target.value;
    if (group === "eigen_data") { explain(); $("#vk-eigen-kop").scrollIntoView({ block: "nearest" }); return; }
    const g = layerGroups().get(group);
    if (!g || !g.layers.length) return;
    app.state.laag = g.layers[0][0];
    $("#vk-laag").value = app.state.laag;
    changed();
    explain();
    loadLayer();
  });
  $("#vk-periode").addEventListener("change", (e) => {
    const [van, tot] = e.target.value.split("-").map(Number);
    app.state.van = van;
    app.state.tot = tot;
    changed();
    loadGemeente({ fit: false });
  });
  const basemap = $("#vk-achtergrond");
  if (basemap) basemap.addEventListener("change", () => setBasemap(basemap.checked));
  for (const key of ["indeling", "klassen", "referentie"]) {
    $(`#vk-${key}`).addEventListener("change", (e) => {
      const v = e.target.value;
      app.state[key] = key === "klassen" || key === "referentie" ? v : v === "" ? null : Number(v);
      if (app.state.van !== null && app.state.tot !== null && app.state.tot <= app.state.van) {
        say(`'Tot' (${app.state.tot}) moet later zijn dan 'van' (${app.state.van}).`, "fout");
        return;
      }
      changed();
      loadGemeente({ fit: key === "indeling" });
    });
  }
  $("#vk-buurtzoek").addEventListener("change", (e) => {
    const m = /\((BU[0-9A-Z]{8})\)\s*$/.exec(e.target.value);
    if (m) { selectBuurt(m[1], false); e.target.value = ""; }
  });
  $("#vk-paneel-sluit").addEventListener("click", closePanel);
  $("#vk-vergelijk-knop").addEventListener("click", () => {
    app.compareNext = true;
    say("Klik op een tweede buurt om te vergelijken (of shift-klik op de kaart).");
  });
  document.addEventListener("keydown", (e) => { if (e.key === "Escape" && !$("#vk-paneel").hidden) closePanel(); });
}

// ------------------------------------------------------------------ loading
async function lookupGemeente(code) {
  if (!app.gemeente || app.gemeente.code !== code) {
    const found = await getJSON(`${route("gemeenten")}?q=${encodeURIComponent(code)}`);
    app.gemeente = found.gemeenten.find((g) => g.code === code) || { code, naam: code, indelingen: [] };
  }
  $("#vk-gemeentenaam").textContent = app.gemeente.naam || code;
  document.title = `${app.gemeente.naam || code} – Veerkracht-signaleringskaart`;
}

async function loadGemeente({ fit = true } = {}) {
  const s = app.state;
  if (!s.gemeente) return;
  busy(true);
  say("");
  // The map needs only its GeoJSON: fetch it alongside the (larger) signals, so the
  // buurten are drawn without waiting for the controls' data.
  const layerDone = loadLayer({ fit, silent: true });
  try {
    const named = lookupGemeente(s.gemeente);
    app.signals = await getOnce(links(s).signalen);
    // a view without years shows the most recent period; name it so the URL stays the same view
    if (s.van === null) s.van = app.signals.van;
    if (s.tot === null) s.tot = app.signals.tot;
    let layerError = await layerDone;
    await app.metaReady; // the layer menu's groups and explanations
    if (!app.signals.lagen.some((l) => l.laag === s.laag)) {
      s.laag = "typologie";
      layerError = await loadLayer({ fit, silent: true });
    }
    fillControls();
    renderCoverage(app.signals);
    $("#vk-instellingen").disabled = false;
    syncUrl();
    if (layerError) say(describe(layerError), "fout");
    await Promise.all([named, loadUploads(), loadWijken()]);
    fillControls(); // again: own data (uploads) adds its group
    await findPending();
    rememberView();
    await showPanel();
  } catch (err) {
    await layerDone;
    $("#vk-instellingen").disabled = !app.signals;
    say(describe(err), "fout");
    busy(false);
  }
}

let layerSeq = 0;

/** Fetch and draw the current layer; returns the error instead of showing it when silent. */
async function loadLayer({ fit = false, silent = false } = {}) {
  const s = app.state;
  const seq = ++layerSeq;
  busy(true);
  try {
    const collection = await getOnce(links(s).kaart);
    markOnce("vk-geojson-gelezen");
    if (seq !== layerSeq) return null; // a newer choice is on its way
    app.collection = collection;
    renderLegend(collection.metadata.legenda, collection);
    if (app.map) {
      await app.map.show(collection, { fit: fit || !app.loaded.laag });
      const shown = await app.map.showOverlay(collection, s.overlays);
      app.ownCounts = shown.per;
      renderOwnLegend();
      const count = $("#vk-eigen-aantal");
      if (count) {
        count.textContent = s.overlays.length ? `Eigen gegevens op de kaart in ${shown.n} buurten; symboolgrootte = aantal rijen per buurt.` : "";
      }
      app.map.markSelected(s.buurten);
    }
    if (!performance.getEntriesByName("vk-buurten-getekend").length) {
      if (app.map) await onScreen(); // the first view's mark: once its frame is on the screen
      markOnce("vk-buurten-getekend");
    }
    app.loaded = { laag: s.laag, n: collection.features.length, gemeente: s.gemeente, overlays: [...s.overlays] };
    $("#vk-kaart").dataset.laag = s.laag;
    $("#vk-kaart").dataset.getekend = `${s.gemeente}:${s.laag}:${s.overlays.join(",")}`;
    return null;
  } catch (err) {
    if (silent) return err;
    say(describe(err), "fout");
    return err;
  } finally {
    if (seq === layerSeq) busy(false);
  }
}

// ------------------------------------------------------------------ place context
async function loadWijken() {
  const s = app.state;
  const key = `${s.gemeente}?${dataQuery(s)}`;
  if (app.wijkenKey === key) return;
  try {
    app.wijken = await getJSON(links(s).wijken);
    app.wijkenKey = key;
    if (app.map) await app.map.showWijken(app.wijken);
  } catch (err) {
    app.wijken = null; // the map works without wijk outlines; say why
    say(`Wijkgrenzen konden niet geladen worden: ${describe(err)}`, "info");
  }
}

/** What a search (or a link with #wijk=…) asked for, once the gemeente is drawn:
 * a wijk to zoom to, or a buurt that is not in this buurtindeling under its code. */
async function findPending() {
  const hash = /^#wijk=(WK[0-9A-Z]{6})(?:&naam=(.*))?$/.exec(location.hash);
  const pending = app.pending || (hash ? { wijk: hash[1], naam: hash[2] ? decodeURIComponent(hash[2]) : null } : null);
  app.pending = null;
  if (hash) history.replaceState(null, "", location.pathname + location.search);
  const codes = new Set(app.collection ? app.collection.features.map((f) => f.properties.code) : []);
  if (pending && pending.wijk && app.wijken) {
    let naam = pending.naam;
    const byCode = app.wijken.features.find((f) => f.properties.code === pending.wijk);
    if (!byCode && !naam) naam = await placeName(pending.wijk);
    const f = byCode || app.wijken.features.find((x) => fold(x.properties.naam) === fold(naam));
    if (f) {
      await app.map.showWijk(f);
      say(`Wijk ${f.properties.naam || f.properties.code}: klik een buurt voor het profiel.`);
    } else {
      say(`Wijk ${naam || pending.wijk} staat niet in buurtindeling ${app.signals.grensindeling}; kies een andere buurtindeling.`, "fout");
    }
    return;
  }
  const wanted = app.state.buurten[0];
  const inTable = wanted && app.signals.rijen.find((r) => r.region_code === wanted);
  if (wanted && !codes.has(wanted) && inTable) {
    say(`${inTable.naam || wanted} heeft geen grens in de bron en staat daarom niet op de kaart; het profiel staat rechts.`);
    return;
  }
  if (wanted && !codes.has(wanted)) {
    const naam = (pending && pending.naam) || (await placeName(wanted));
    const f = app.collection.features.find((x) => naam && fold(x.properties.naam) === fold(naam));
    if (f) {
      app.state.buurten = [f.properties.code, ...app.state.buurten.slice(1)].filter((c) => codes.has(c));
      changed();
      app.map.markSelected(app.state.buurten);
      say(`${naam} heeft in buurtindeling ${app.signals.grensindeling} de code ${f.properties.code}.`);
    } else {
      say(`Buurt ${naam || wanted} staat niet op deze kaart (buurtindeling ${app.signals.grensindeling}); kies een andere buurtindeling.`, "fout");
      app.state.buurten = app.state.buurten.filter((c) => codes.has(c));
      changed();
    }
  }
  if (app.state.buurten.length && app.map) {
    const f = app.collection.features.find((x) => x.properties.code === app.state.buurten[0]);
    if (f) app.map.map.jumpTo({ center: centre(f.geometry), zoom: Math.max(app.map.map.getZoom(), 14) });
  }
}

async function placeName(code) {
  try {
    const found = await getJSON(`${route("search")}?q=${encodeURIComponent(code)}`);
    const hit = found.resultaten.find((r) => r.code === code);
    return hit ? hit.naam : null;
  } catch {
    return null;
  }
}

/** A search result chosen on the map page: in this gemeente without reloading. */
function goTo(result) {
  const s = app.state;
  const gm = result.gemeente.code;
  if (result.soort === "gemeente") {
    app.state = normalise({ ...s, gemeente: gm, indeling: null, van: null, tot: null, buurten: [], overlays: [] });
  } else if (result.soort === "wijk") {
    app.pending = { wijk: result.code, naam: result.naam };
    app.state = normalise({ ...s, gemeente: gm, buurten: [], overlays: gm === s.gemeente ? s.overlays : [] });
  } else {
    if (!result.code) { location.href = result.url; return; }
    app.pending = { naam: result.soort === "buurt" ? result.naam : null };
    app.state = normalise({ ...s, gemeente: gm, buurten: [result.code], overlays: gm === s.gemeente ? s.overlays : [] });
  }
  if (gm === s.gemeente && app.signals) {
    changed();
    findPending().then(showPanel);
    return;
  }
  app.gemeente = null;
  app.loaded = { laag: null, n: 0 };
  changed();
  loadGemeente({ fit: true });
}

function rememberView() {
  if (!app.gemeente || !app.signals) return;
  const layer = app.signals.lagen.find((l) => l.laag === app.state.laag);
  remember({
    url: pageUrl({ ...app.state, buurten: [], overlays: [] }),
    gemeente: app.state.gemeente,
    naam: app.gemeente.naam || app.state.gemeente,
    laag: app.state.laag,
    titel: layer ? layer.titel : app.state.laag,
    tijd: new Date().toISOString(),
  });
}

async function setBasemap(on) {
  const box = $("#vk-achtergrond");
  const note = $("#vk-achtergrond-melding");
  if (!app.map) return;
  note.textContent = on ? "Achtergrondkaart laden…" : "";
  const ok = await app.map.basemap(on);
  if (on && !ok) {
    box.checked = false;
    note.textContent = "De achtergrondkaart (PDOK) is nu niet bereikbaar, bijvoorbeeld zonder internet. De kaart werkt zonder.";
    localStorage.removeItem(BASEMAP_KEY);
    return;
  }
  note.textContent = on ? "" : "";
  try { if (on) localStorage.setItem(BASEMAP_KEY, "aan"); else localStorage.removeItem(BASEMAP_KEY); } catch { /* optional */ }
}

// ------------------------------------------------------------------ coverage
/** Period, reference, which indicator groups the signals rest on, rule counts, warnings. */
function renderCoverage(sig) {
  const box = $("#vk-dekking");
  const body = clear($("#vk-dekking-inhoud"));
  const period = `Periode ${sig.van}–${sig.tot}${sig.standaardperiode ? " (meest recente jaren met gegevens)" : ""}; buurtindeling ${sig.indeling}.`;
  body.append(
    h("p", {}, period),
    h("p", {}, `Referentie: ${sig.referentie.uitleg}.`),
    h("ul", {}, sig.dekking.map((line) => h("li", {}, line))),
    h("p", { class: "vk-sub" }, "Regels (buurten aangewezen van beoordeeld): " +
      sig.regels.map((r) => `${r.code} ${r.buurten}/${r.van}`).join(", ")),
    ...sig.waarschuwingen.map((w) => h("p", { class: "vk-fout", role: "note" }, w)),
  );
  box.hidden = false;
}

// ------------------------------------------------------------------ legend
function renderLegend(legend, collection) {
  const box = clear($("#vk-legenda"));
  const missing = collection.features.filter((f) => !f.properties.kleur).length;
  box.append(h("h2", { id: "vk-legenda-titel" }, legend.titel), h("p", { class: "vk-legendatitel" }, legend.legendatitel));
  if (legend.soort === "bivariaat") {
    const grid = h("div", { class: "vk-bigrid", role: "img", "aria-label": `Bivariate legenda: ${legend.assen.x} tegen ${legend.assen.y}` });
    for (let y = 3; y >= 1; y--) {
      for (let x = 1; x <= 3; x++) {
        const k = legend.klassen.find((c) => c.label === `${x}-${y}`);
        grid.append(h("span", { class: "vk-vakje groot", style: `background:${k ? k.kleur : "#ccc"}`, title: `${x}-${y}` }));
      }
    }
    box.append(h("div", { class: "vk-biwrap" }, h("span", { class: "vk-as-y" }, `↑ ${legend.assen.y}`), grid), h("p", { class: "vk-as-x" }, `${legend.assen.x} →`));
  } else {
    const counts = new Map(Object.entries(legend.aantallen || {}));
    if (!legend.aantallen) for (const f of collection.features) counts.set(f.properties.klasse, (counts.get(f.properties.klasse) || 0) + 1);
    box.append(
      h("ul", { class: "vk-klassen" }, legend.klassen.map((k) =>
        h("li", {}, h("span", { class: "vk-vakje", style: `background:${k.kleur}` }), h("span", { class: "vk-klasse-label" }, k.label), h("span", { class: "vk-aantal" }, String(counts.get(k.label) || 0))))),
    );
  }
  if (missing) box.append(h("p", { class: "vk-geen" }, h("span", { class: "vk-vakje vk-arcering" }), `Geen gegevens (${missing} buurten)`));
  const absent = legend.zonder_kaartvlak || [];
  if (absent.length) {
    box.append(h("p", { class: "vk-zonder-vlak", id: "vk-zonder-vlak", title: absent.map((b) => `${b.naam} (${b.code})`).join(", ") },
      `Niet op de kaart (geen grens in de bron), wel geteld: ${absent.length} buurten`));
  }
  if (legend.toelichting) box.append(h("p", { class: "vk-toelichting" }, legend.toelichting));
  box.append(h("p", { class: "vk-bron", id: "vk-bron" }, legend.bron));
}

/** One legend entry per overlay shown: its own symbol and a readable label. */
function renderOwnLegend() {
  const old = $("#vk-legenda-eigen");
  if (old) old.remove();
  const ids = app.state.overlays;
  if (!ids.length) return;
  const list = h("ul", { class: "vk-klassen", id: "vk-legenda-eigen", "aria-label": "Eigen gegevens" });
  for (const id of ids) {
    const up = app.uploads.find((u) => u.id === id);
    const c = (app.ownCounts || {})[id] || { buurten: 0, rijen: 0 };
    const rows = Math.round(c.rijen);
    const title = up ? up.titel : "eigen upload";
    const label = `Eigen gegevens: ${title} (${rows} ${rows === 1 ? "rij" : "rijen"} in ${c.buurten} ${c.buurten === 1 ? "buurt" : "buurten"})`;
    list.append(h("li", {}, h("span", { class: "vk-ruit", "aria-hidden": "true" }), h("span", { class: "vk-klasse-label" }, label)));
  }
  const source = $("#vk-bron");
  $("#vk-legenda").insertBefore(list, source);
}

// ------------------------------------------------------------------ tooltip
function numeric(value) {
  // MapLibre hands feature properties over from its worker; nulls may arrive as "null"
  if (value === null || value === undefined || value === "" || value === "null") return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

function hover(props, point) {
  const tip = $("#vk-tip");
  if (!props) { tip.hidden = true; return; }
  const unit = app.signals && (app.signals.indicatoren.find((i) => i.key === app.state.laag) || {}).eenheid;
  clear(tip).append(...[
    h("strong", {}, props.naam || props.code),
    h("span", { class: "vk-tip-code" }, props.code),
    h("span", {}, props.klasse || "geen gegevens"),
    numeric(props.waarde) !== null ? h("span", {}, `Waarde: ${fmt(numeric(props.waarde), unit)}`) : null,
  ].filter(Boolean));
  tip.hidden = false;
  const box = $("#vk-kaartvak").getBoundingClientRect();
  const x = Math.min(point.x + 14, box.width - tip.offsetWidth - 8);
  const y = Math.min(point.y + 14, box.height - tip.offsetHeight - 8);
  tip.style.transform = `translate(${x}px, ${y}px)`;
}

// ------------------------------------------------------------------ buurten
function selectBuurt(code, add) {
  const s = app.state;
  if ((add || app.compareNext) && s.buurten.length >= 1 && !s.buurten.includes(code)) {
    s.buurten = [s.buurten[0], code];
  } else {
    s.buurten = [code];
  }
  app.compareNext = false;
  say("");
  changed();
  if (app.map) app.map.markSelected(s.buurten);
  showPanel();
}

function closePanel() {
  app.state.buurten = [];
  changed();
  if (app.map) app.map.markSelected([]);
  $("#vk-paneel").hidden = true;
}

async function showPanel() {
  const s = app.state;
  const body = $("#vk-paneel-inhoud");
  if (!s.buurten.length) { $("#vk-paneel").hidden = true; return; }
  $("#vk-paneel").hidden = false;
  clear(body).append(h("p", { class: "vk-sub" }, "Laden…"));
  try {
    if (s.buurten.length >= 2) {
      const data = await getJSON(links(s).vergelijking(s.buurten[0], s.buurten[1]));
      clear(body).append(comparePanel(data));
    } else {
      const data = await getJSON(links(s).profiel(s.buurten[0]));
      clear(body).append(profilePanel(data, app.signals ? app.signals.typologie : [], app.meta));
    }
    $("#vk-vergelijk-knop").hidden = s.buurten.length >= 2;
  } catch (err) {
    clear(body).append(h("p", { class: "vk-fout", role: "alert" }, describe(err)));
  }
}

async function compareGemeenten(other) {
  const s = app.state;
  $("#vk-paneel").hidden = false;
  const body = clear($("#vk-paneel-inhoud"));
  body.append(h("p", { class: "vk-sub" }, "Laden…"));
  try {
    const data = await getJSON(`${route("compare_gemeenten")}?gemeenten=${s.gemeente},${other.code}`);
    clear(body).append(gemeentenPanel(data));
  } catch (err) {
    clear(body).append(h("p", { class: "vk-fout", role: "alert" }, describe(err)));
  }
}

// ------------------------------------------------------------------ exports, account
function updateExports() {
  const urls = links(app.state).export;
  for (const [kind, url] of Object.entries(urls)) {
    const a = $(`#vk-export-${kind}`);
    if (a) { a.href = url; a.removeAttribute("aria-disabled"); }
  }
}

function updateLoginLink() {
  const a = $("#vk-inloggen");
  if (a) a.href = `${route("login_page")}?volgende=${encodeURIComponent(location.pathname + location.search)}`;
}

async function loadUploads() {
  const box = $("#vk-eigen-lijst");
  if (!app.user || !box) return;
  try {
    const data = await getJSON(`${route("uploads")}?gemeente=${app.state.gemeente}`);
    app.uploads = data.uploads;
  } catch (err) {
    app.uploads = [];
    say(describe(err), "fout");
  }
  clear(box);
  if (!app.uploads.length) box.append(h("li", { class: "vk-sub" }, "Nog geen eigen data voor deze gemeente."));
  for (const up of app.uploads) {
    const id = `vk-overlay-${up.id}`;
    const box2 = h("input", { type: "checkbox", id, value: up.id, checked: app.state.overlays.includes(up.id) });
    box2.addEventListener("change", () => toggleOverlay(up.id, box2.checked));
    box.append(h("li", {}, box2, h("label", { for: id }, up.titel, h("span", { class: "vk-sub" }, ` · ${up.organisatie} · ${up.rijen} rijen · indeling ${up.indeling}`))));
  }
  renderOwnLegend();
}

function toggleOverlay(id, on) {
  const s = app.state;
  s.overlays = on ? [...new Set([...s.overlays, id])] : s.overlays.filter((o) => o !== id);
  changed();
  loadLayer();
  if (s.buurten.length) showPanel();
}

async function share(event) {
  event.preventDefault();
  const form = event.target;
  const out = clear($("#vk-deel-uitkomst"));
  const names = form.organisaties.value.split(/[\n,;]/).map((n) => n.trim()).filter(Boolean);
  try {
    if (form.ookdata.checked) {
      const own = app.uploads.filter((u) => app.state.overlays.includes(u.id) && u.organisatie === app.user.organisatie);
      for (const up of own) await postJSON(route("upload_share", { upload_id: up.id }), { organisaties: names });
    }
    const made = await postJSON(route("shares"), { staat: app.state, organisaties: names });
    const url = new URL(made.url, location.origin).href;
    const field = h("input", { type: "text", readonly: true, value: url, id: "vk-deellink", "aria-label": "Gedeelde link" });
    const copy = h("button", { type: "button", class: "vk-knop" }, "Kopieer");
    copy.addEventListener("click", async () => {
      field.select();
      try { await navigator.clipboard.writeText(url); copy.textContent = "Gekopieerd"; } catch { copy.textContent = "Selecteer en kopieer"; }
    });
    out.append(h("p", { class: "vk-ok", role: "status" }, `Gedeeld met ${made.organisaties.join(", ")}.`), h("div", { class: "vk-rij" }, field, copy));
  } catch (err) {
    out.append(h("p", { class: "vk-fout", role: "alert" }, describe(err)));
  }
}

// ------------------------------------------------------------------ start
async function start() {
  const search = new PlaceSearch($("#vk-zoek"), $("#vk-suggesties"), $("#vk-zoek-melding"), goTo);
  const other = new Combobox($("#vk-andere-gemeente"), $("#vk-andere-suggesties"), (g) => compareGemeenten(g));
  void search; void other;
  bindControls();
  const shareForm = $("#vk-deel");
  if (shareForm) shareForm.addEventListener("submit", share);
  updateLoginLink();

  if (webglAvailable()) {
    app.map = new BuurtMap($("#vk-kaart"), { hover, click: (code, shift) => selectBuurt(code, shift) });
    let wanted = false;
    try { wanted = localStorage.getItem(BASEMAP_KEY) === "aan"; } catch { /* optional */ }
    if (wanted) { $("#vk-achtergrond").checked = true; setBasemap(true); }
  } else {
    say("Deze browser ondersteunt geen WebGL; de kaart kan niet getekend worden. Tabellen en downloads werken wel.", "fout");
  }
  if (app.state.gemeente) {
    loadGemeente({ fit: true });
  } else {
    say("Zoek een gemeente, wijk, buurt of postcode in het zoekvak bovenaan.");
    $("#vk-zoek").focus();
  }
}

start();

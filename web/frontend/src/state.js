// The view state and its canonical URL, mirroring src/veerkracht/web/state.py
// (ViewState.query / data_query): same keys, same order, defaults included.
import { route } from "./routes.js";

// van/tot null: the gemeente's most recent period with data (chosen by the server)
export const DEFAULTS = { laag: "typologie", van: null, tot: null, indeling: null, klassen: "kwantielen", referentie: "gemeente" };

const year = (v) => (v === null || v === undefined || v === "" ? null : Number(v));

export function normalise(raw) {
  const s = raw || {};
  return {
    gemeente: s.gemeente || null,
    laag: s.laag || DEFAULTS.laag,
    van: year(s.van),
    tot: year(s.tot),
    indeling: s.indeling === null || s.indeling === undefined || s.indeling === "" ? null : Number(s.indeling),
    klassen: s.klassen || DEFAULTS.klassen,
    referentie: s.referentie || DEFAULTS.referentie,
    buurten: [...(s.buurten || [])],
    overlays: [...(s.overlays || [])],
  };
}

/** Canonical query string of /kaart/{gm}?… (ViewState.query). */
export function query(s) {
  const p = new URLSearchParams();
  p.append("laag", s.laag);
  if (s.van !== null) p.append("van", String(s.van));
  if (s.tot !== null) p.append("tot", String(s.tot));
  if (s.indeling !== null) p.append("indeling", String(s.indeling));
  p.append("klassen", s.klassen);
  if (s.referentie !== DEFAULTS.referentie) p.append("referentie", s.referentie);
  s.buurten.forEach((b) => p.append("buurt", b));
  s.overlays.forEach((o) => p.append("overlay", o));
  return p.toString();
}

/** Query string of the data endpoints (ViewState.data_query). */
export function dataQuery(s, { layer = false, overlays = false } = {}) {
  const p = new URLSearchParams();
  if (layer) p.append("laag", s.laag);
  if (s.van !== null) p.append("van", String(s.van));
  if (s.tot !== null) p.append("tot", String(s.tot));
  if (s.indeling !== null) p.append("indeling", String(s.indeling));
  p.append("klassen", s.klassen);
  if (s.referentie !== DEFAULTS.referentie) p.append("referentie", s.referentie);
  if (overlays) s.overlays.forEach((o) => p.append("overlay", o));
  return p.toString();
}

export function pageUrl(s) {
  return `${route("view_page", { gm: s.gemeente })}?${query(s)}`;
}

export function links(s) {
  const gm = { gm: s.gemeente };
  const withLayer = dataQuery(s, { layer: true, overlays: true });
  const withOwn = dataQuery(s, { overlays: true });
  return {
    signalen: `${route("signals", gm)}?${dataQuery(s)}`,
    kaart: `${route("map", gm)}?${withLayer}`,
    wijken: `${route("wijken", gm)}?${dataQuery(s)}`,
    profiel: (bu) => `${route("profile", { ...gm, bu })}?${withOwn}`,
    vergelijking: (a, b) => `${route("compare_buurten", gm)}?buurten=${a},${b}&${withOwn}`,
    export: {
      // own data travels along: the server draws it (symbol, legend) and adds its columns
      png: `${route("export_png", gm)}?${withLayer}`,
      pdf: `${route("export_pdf", gm)}?${withLayer}`,
      csv: `${route("export_csv", gm)}?${withOwn}`,
      xlsx: `${route("export_xlsx", gm)}?${withOwn}`,
      html: `${route("export_html", gm)}?${withOwn}`,
      // the one-page board map (PDF, landscape), own complexes drawn in
      bestuurskaart: `${route("export_board", gm)}?${withOwn}`,
      bestuurskaart_a3: `${route("export_board", gm)}?${withOwn}&formaat=A3`,
    },
  };
}

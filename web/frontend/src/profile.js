// The buurt profile, the side-by-side buurt comparison and the gemeente comparison.
import { h, s, fmt } from "./dom.js";

const GROUPS = {
  kwetsbaarheid: "Kwetsbare groepen",
  overlast: "Overlast en veiligheid",
  leefbaarheid: "Leefbaarheid",
  context: "Context",
};

function groupName(key) {
  return GROUPS[key] || (key ? key.charAt(0).toUpperCase() + key.slice(1) : "Overig");
}

/** A small trend chart: buurt (solid), gemeente (dashed), Nederland (dotted), with the
 * years under the axis and the buurt's value at each year. */
export function trendChart(ind) {
  const points = ind.trend.filter((p) => [p.waarde, p.gemeente, p.nl].some((v) => v !== null));
  const W = 156, H = 60, L = 4, R = 4, T = 12, B = 13;
  const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, width: W, height: H, class: "vk-trend", role: "img" });
  const values = points.flatMap((p) => [p.waarde, p.gemeente, p.nl]).filter((v) => v !== null);
  const title = points
    .map((p) => `${p.jaar}: buurt ${fmt(p.waarde, ind.eenheid)}, gemeente ${fmt(p.gemeente, ind.eenheid)}, NL ${fmt(p.nl, ind.eenheid)}`)
    .join("; ");
  svg.append(s("title", {}, `Trend ${ind.label}: ${title || "geen gegevens"}`));
  if (!values.length) return svg;
  const years = points.map((p) => p.jaar);
  const [x0, x1] = [Math.min(...years), Math.max(...years)];
  let [y0, y1] = [Math.min(...values), Math.max(...values)];
  if (y0 === y1) { y0 -= 1; y1 += 1; }
  const X = (year) => (x1 === x0 ? W / 2 : L + 15 + ((year - x0) / (x1 - x0)) * (W - L - R - 30));
  const Y = (v) => H - B - ((v - y0) / (y1 - y0)) * (H - T - B);
  svg.append(s("line", { class: "vk-as", x1: L, x2: W - R, y1: H - B + 1, y2: H - B + 1 }));
  for (const year of years) {
    svg.append(s("text", { x: X(year), y: H - 2, "text-anchor": "middle", class: "vk-jaar-as" }, String(year)));
  }
  const series = [
    ["nl", "vk-lijn-nl"],
    ["gemeente", "vk-lijn-gm"],
    ["waarde", "vk-lijn-bu"],
  ];
  for (const [key, cls] of series) {
    const pts = points.filter((p) => p[key] !== null);
    if (pts.length > 1) svg.append(s("polyline", { class: cls, points: pts.map((p) => `${X(p.jaar)},${Y(p[key])}`).join(" ") }));
    for (const p of pts) svg.append(s("circle", { class: cls, cx: X(p.jaar), cy: Y(p[key]), r: key === "waarde" ? 2.4 : 1.6 }));
  }
  // the buurt's own values, above each point (the table shows gemeente and NL)
  for (const p of points.filter((q) => q.waarde !== null)) {
    const y = Math.max(9, Y(p.waarde) - 4);
    svg.append(s("text", { x: X(p.jaar), y, "text-anchor": "middle", class: "vk-waarde", "data-jaar": p.jaar }, fmt(p.waarde, ind.eenheid)));
  }
  return svg;
}

function badge(profile, typologie) {
  const t = typologie.find((k) => k.code === profile.typologie);
  return h(
    "p",
    { class: "vk-badge" },
    h("span", { class: "vk-vakje", style: `background:${t ? t.kleur : "#999"}` }),
    profile.typologie_label || "geen signaal berekend",
  );
}

function reasons(text) {
  if (!text) return null;
  const items = String(text).split(" | ");
  return h("details", { class: "vk-redenen" }, h("summary", {}, "Waarom dit signaal?"), h("ul", {}, items.map((r) => h("li", {}, r))));
}

export function profilePanel(profile, typologie, meta = null) {
  const explain = (key) => (meta && meta.lagen[key] ? `${meta.lagen[key].uitleg} (${meta.lagen[key].richting_tekst})` : null);
  const groups = new Map();
  for (const ind of profile.indicatoren) {
    if (!groups.has(ind.groep)) groups.set(ind.groep, []);
    groups.get(ind.groep).push(ind);
  }
  const tables = [...groups.entries()].map(([group, inds]) =>
    h(
      "table",
      { class: "vk-tabel" },
      h("caption", {}, groupName(group)),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Indicator"), h("th", { scope: "col" }, "Buurt"),
        h("th", { scope: "col" }, "Gemeente"), h("th", { scope: "col" }, "NL"), h("th", { scope: "col" }, "Trend"))),
      h(
        "tbody",
        {},
        inds.map((ind) =>
          h(
            "tr",
            { "data-indicator": ind.key },
            h("th", { scope: "row", title: explain(ind.key) }, ind.label, h("span", { class: "vk-jaar" }, ` ${ind.tot ?? ""}`)),
            h("td", { class: "vk-getal vk-buurtwaarde" }, fmt(ind.waarde, ind.eenheid)),
            h("td", { class: "vk-getal" }, fmt(ind.gemeente, ind.eenheid)),
            h("td", { class: "vk-getal" }, fmt(ind.nl, ind.eenheid)),
            h("td", {}, trendChart(ind)),
          ),
        ),
      ),
    ),
  );
  return h(
    "div",
    { class: "vk-profiel" },
    h("h2", { id: "vk-profiel-naam" }, profile.naam || profile.code),
    h("p", { class: "vk-sub" }, `${profile.code} · ${profile.gemeente.naam} · buurtindeling ${profile.indeling} · ${profile.van}–${profile.tot}`),
    badge(profile, typologie),
    h("p", { class: "vk-kern" }, `Concentratie-index ${fmt(profile.concentratie_index)} (NL = 100), ontwikkeling ${fmt(profile.concentratie_verschil)} procentpunt`),
    reasons(profile.redenen),
    h("p", { class: "vk-legenda-trend", "aria-hidden": "true" },
      h("span", { class: "vk-l-bu" }, "buurt"), h("span", { class: "vk-l-gm" }, "gemeente"), h("span", { class: "vk-l-nl" }, "Nederland")),
    tables,
    ownData(profile.eigen_data),
    h("p", { class: "vk-bron" }, "Bron: " + profile.bronnen.join("; ") + "."),
  );
}

function ownData(items) {
  if (!items || !items.length) return null;
  return h(
    "section",
    { class: "vk-eigen-profiel" },
    h("h3", {}, h("span", { class: "vk-ruit", "aria-hidden": "true" }), "Eigen gegevens"),
    items.map((o) =>
      h(
        "table",
        { class: "vk-tabel" },
        h("caption", {}, `${o.titel} (${o.organisatie})`),
        h("tbody", {}, Object.keys(o.waarden).length
          ? Object.entries(o.waarden).map(([k, v]) => h("tr", {}, h("th", { scope: "row" }, k), h("td", { class: typeof v === "number" ? "vk-getal" : "" }, typeof v === "number" ? fmt(v) : String(v))))
          : h("tr", {}, h("td", {}, "geen gegevens voor deze buurt"))),
      ),
    ),
  );
}

export function comparePanel(data) {
  const [a, b] = data.buurten;
  return h(
    "div",
    { class: "vk-profiel vk-vergelijk" },
    h("h2", {}, "Buurten vergelijken"),
    h("p", { class: "vk-sub" }, `Buurtindeling ${data.indeling}`),
    h(
      "table",
      { class: "vk-tabel" },
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Indicator"),
        h("th", { scope: "col", class: "vk-kop-a" }, a.naam || a.code),
        h("th", { scope: "col", class: "vk-kop-b" }, b.naam || b.code),
        h("th", { scope: "col" }, "Verschil"), h("th", { scope: "col" }, "NL"))),
      h("tbody", {},
        h("tr", {}, h("th", { scope: "row" }, "Signaal"), h("td", {}, a.typologie_label || "–"), h("td", {}, b.typologie_label || "–"), h("td", {}), h("td", {})),
        data.indicatoren.map((r) =>
          h("tr", { "data-indicator": r.key }, h("th", { scope: "row" }, r.label),
            h("td", { class: "vk-getal" }, fmt(r.waarden[0], r.eenheid)),
            h("td", { class: "vk-getal" }, fmt(r.waarden[1], r.eenheid)),
            h("td", { class: "vk-getal" }, fmt(r.verschil, r.eenheid)),
            h("td", { class: "vk-getal" }, fmt(r.nl, r.eenheid))),
        )),
    ),
  );
}

export function gemeentenPanel(data) {
  const gms = data.gemeenten;
  const ok = gms.filter((g) => !g.fout);
  // rows by indicator KEY: every gemeente's value is looked up by key, never by position
  const keys = [];
  for (const g of ok) for (const ind of g.indicatoren) if (!keys.some((k) => k.key === ind.key)) keys.push(ind);
  const valueOf = (g, key) => (g.indicatoren.find((x) => x.key === key) || {});
  return h(
    "div",
    { class: "vk-profiel vk-vergelijk" },
    h("h2", {}, "Gemeenten vergelijken"),
    gms.filter((g) => g.fout).map((g) => h("p", { class: "vk-fout", role: "alert" }, `${g.code}: ${g.fout}. ${g.oplossing || ""}`)),
    h(
      "table",
      { class: "vk-tabel" },
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Indicator"), ok.map((g) => h("th", { scope: "col" }, g.naam)), h("th", { scope: "col" }, "NL"))),
      h("tbody", {},
        h("tr", {}, h("th", { scope: "row" }, "Buurten"), ok.map((g) => h("td", { class: "vk-getal" }, fmt(g.buurten))), h("td", {})),
        keys.map((ind) =>
          h("tr", { "data-indicator": ind.key }, h("th", { scope: "row" }, ind.label),
            ok.map((g) => {
              const own = valueOf(g, ind.key);
              return h("td", { class: "vk-getal", "data-gemeente": g.code }, fmt(own.gemeente, ind.eenheid), h("span", { class: "vk-jaar" }, own.jaar ? ` (${own.jaar})` : ""));
            }),
            h("td", { class: "vk-getal" }, fmt(ind.nl, ind.eenheid))),
        )),
    ),
  );
}

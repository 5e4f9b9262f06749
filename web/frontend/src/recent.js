// Recent views (browser localStorage: stays on this computer) and name folding for
// matching only (the server's search does the same: names are shown as stored).

const KEY = "vk-recent";
const MAX = 8;

export function recent() {
  try {
    const list = JSON.parse(localStorage.getItem(KEY) || "[]");
    return Array.isArray(list) ? list.filter((r) => r && typeof r.url === "string" && r.url.startsWith("/")) : [];
  } catch {
    return [];
  }
}

/** Remember a view: newest first, one entry per gemeente and layer. */
export function remember(entry) {
  try {
    const key = (r) => `${r.gemeente}|${r.laag}`;
    const list = [entry, ...recent().filter((r) => key(r) !== key(entry))].slice(0, MAX);
    localStorage.setItem(KEY, JSON.stringify(list));
  } catch {
    // private browsing or storage full: recent views are a convenience only
  }
}

export function fold(text) {
  return String(text || "").normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
    .replace(/[^0-9a-z]+/g, " ").trim();
}

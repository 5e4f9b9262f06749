// An accessible gemeente search box (WAI-ARIA combobox pattern) fed by /api/gemeenten?q=.
import { getJSON } from "./api.js";
import { clear, h } from "./dom.js";
import { route } from "./routes.js";

let counter = 0;

export class Combobox {
  constructor(input, list, onChoose) {
    this.input = input;
    this.list = list;
    this.onChoose = onChoose;
    this.items = [];
    this.active = -1;
    this.timer = null;
    this.seq = 0;
    this.prefix = `vk-optie-${++counter}`;
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);
    input.addEventListener("input", () => this.schedule());
    input.addEventListener("keydown", (e) => this.key(e));
    input.addEventListener("blur", () => setTimeout(() => this.close(), 150));
    list.addEventListener("mousedown", (e) => e.preventDefault()); // keep focus while clicking
  }

  schedule() {
    clearTimeout(this.timer);
    const q = this.input.value.trim();
    if (q.length < 2) { this.close(); return; }
    this.timer = setTimeout(() => this.search(q), 120);
  }

  async search(q) {
    const seq = ++this.seq;
    const data = await getJSON(`${route("gemeenten")}?q=${encodeURIComponent(q)}`);
    if (seq !== this.seq) return; // an older answer arriving late
    this.items = data.gemeenten.slice(0, 10);
    this.render();
  }

  render() {
    clear(this.list);
    this.active = this.items.findIndex((g) => g.signalen && g.kaart);
    if (!this.items.length) {
      this.list.append(h("li", { class: "vk-geen-optie", role: "option", "aria-disabled": "true" }, "Geen gemeente gevonden"));
    }
    this.items.forEach((g, i) => {
      const li = h(
        "li",
        { id: `${this.prefix}-${i}`, role: "option", "aria-disabled": g.signalen && g.kaart ? null : "true", "data-code": g.code },
        h("span", { class: "vk-optie-naam" }, g.naam || g.code),
        h("span", { class: "vk-optie-code" }, !g.signalen ? `${g.code} · geen buurtcijfers` : !g.kaart ? `${g.code} · geen buurtgrenzen` : g.code),
      );
      li.addEventListener("click", () => this.choose(i));
      this.list.append(li);
    });
    this.list.hidden = false;
    this.input.setAttribute("aria-expanded", "true");
    this.highlight();
  }

  highlight() {
    [...this.list.children].forEach((li, i) => li.setAttribute("aria-selected", i === this.active ? "true" : "false"));
    if (this.active >= 0) this.input.setAttribute("aria-activedescendant", `${this.prefix}-${this.active}`);
    else this.input.removeAttribute("aria-activedescendant");
  }

  key(e) {
    if (this.list.hidden) return;
    const n = this.items.length;
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      if (!n) return;
      const step = e.key === "ArrowDown" ? 1 : -1;
      this.active = (this.active + step + n) % n;
      this.highlight();
    } else if (e.key === "Enter") {
      e.preventDefault();
      if (this.active >= 0) this.choose(this.active);
    } else if (e.key === "Escape") {
      this.close();
    }
  }

  choose(i) {
    const g = this.items[i];
    if (!g || !g.signalen || !g.kaart) return;
    this.close();
    this.input.value = "";
    this.onChoose(g);
  }

  close() {
    this.list.hidden = true;
    this.input.setAttribute("aria-expanded", "false");
    this.input.removeAttribute("aria-activedescendant");
  }
}

const KIND = { gemeente: "Gemeente", wijk: "Wijk", buurt: "Buurt", adres: "Adres", postcode: "Postcode" };

/**
 * The place search (WAI-ARIA combobox) fed by /api/zoeken.json: gemeenten, wijken and
 * buurten by part of a name, buurten by PC4; addresses and PC6 when the server is online.
 * The server's Dutch message (offline, nothing found) is shown under the box.
 */
export class PlaceSearch extends Combobox {
  constructor(input, list, note, onChoose) {
    super(input, list, onChoose);
    this.note = note;
  }

  async search(q) {
    const seq = ++this.seq;
    const data = await getJSON(`${route("search")}?q=${encodeURIComponent(q)}`);
    if (seq !== this.seq) return;
    this.items = data.resultaten.slice(0, 12);
    if (this.note) {
      this.note.textContent = data.melding || "";
      this.note.hidden = !data.melding;
    }
    this.render();
  }

  render() {
    clear(this.list);
    this.active = this.items.findIndex((r) => r.kaart);
    if (!this.items.length) {
      this.list.append(h("li", { class: "vk-geen-optie", role: "option", "aria-disabled": "true" }, "Niets gevonden"));
    }
    this.items.forEach((r, i) => {
      const li = h(
        "li",
        { id: `${this.prefix}-${i}`, role: "option", "data-code": r.code || "", "data-soort": r.soort, "aria-disabled": r.kaart ? null : "true" },
        h("span", { class: "vk-optie-naam" }, r.naam),
        h("span", { class: "vk-optie-code" }, `${KIND[r.soort] || r.soort} · ${r.toelichting}`),
      );
      li.addEventListener("click", () => this.choose(i));
      this.list.append(li);
    });
    this.list.hidden = false;
    this.input.setAttribute("aria-expanded", "true");
    this.highlight();
  }

  choose(i) {
    const r = this.items[i];
    if (!r || !r.kaart) return;
    this.close();
    this.input.value = "";
    if (this.note) this.note.hidden = true;
    this.onChoose(r);
  }
}

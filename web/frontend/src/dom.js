// Tiny DOM helpers: every text goes in through textContent, never innerHTML.

export const SVGNS = "http://www.w3.org/2000/svg"; // a namespace name, never fetched

export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  setAttrs(node, attrs);
  append(node, children);
  return node;
}

export function s(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== null && v !== undefined) node.setAttribute(k, v);
  append(node, children);
  return node;
}

function setAttrs(node, attrs) {
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (k === "class") node.className = v;
    else if (v === true) node.setAttribute(k, "");
    else node.setAttribute(k, v);
  }
}

function append(node, children) {
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export const $ = (sel, root = document) => root.querySelector(sel);

export function clear(node) {
  node.replaceChildren();
  return node;
}

const NF = new Intl.NumberFormat("nl-NL", { maximumFractionDigits: 1 });
const NF2 = new Intl.NumberFormat("nl-NL", { maximumFractionDigits: 2 });

export function fmt(value, unit) {
  if (value === null || value === undefined || Number.isNaN(value)) return "–";
  if (typeof value !== "number") return String(value);
  const text = Math.abs(value) < 1 && value !== 0 ? NF2.format(value) : NF.format(value);
  return unit === "%" ? `${text}%` : text;
}

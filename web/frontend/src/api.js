// Fetch helpers: same-origin only, JSON errors carry the API's Dutch message.

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.fout) || `de server antwoordde met status ${status}`);
    this.status = status;
    this.body = body || {};
  }
}

export async function request(url, options = {}) {
  const response = await fetch(url, {
    credentials: "same-origin",
    headers: { Accept: "application/json", ...(options.headers || {}) },
    ...options,
  });
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (!response.ok) throw new ApiError(response.status, body);
  return body;
}

export const getJSON = (url) => request(url);

export const postJSON = (url, data) =>
  request(url, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(data),
  });

/** Dutch text of an error: message, fix, and for bad files the column and rows. */
export function describe(error) {
  if (!(error instanceof ApiError)) return `Er ging iets mis: ${error.message || error}`;
  const b = error.body;
  const parts = [capital(error.message) + "."];
  if (b.kolom) parts.push(`Kolom: ${b.kolom}.`);
  if (b.rijen && b.rijen.length) parts.push(`Rij(en): ${b.rijen.slice(0, 20).join(", ")}${b.rijen.length > 20 ? " …" : ""}.`);
  if (b.oplossing) parts.push(`Oplossing: ${b.oplossing}`);
  return parts.join(" ");
}

export function capital(text) {
  const t = String(text || "");
  return t.charAt(0).toUpperCase() + t.slice(1);
}

// Build the map app into the Python package (src/veerkracht/web/static/), which is
// git-ignored: the bundle is made by scripts/setup.sh, never committed.
import { build } from "esbuild";
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = process.env.VK_OUT ? resolve(process.env.VK_OUT) : resolve(here, "../../src/veerkracht/web/static");
const require = createRequire(import.meta.url);
mkdirSync(out, { recursive: true });

await build({
  entryPoints: {
    app: resolve(here, "src/main.js"),
    national: resolve(here, "src/national.js"),
    start: resolve(here, "src/start.js"),
  },
  bundle: true,
  minify: true,
  sourcemap: false,
  format: "iife",
  target: ["es2020"],
  outdir: out,
  legalComments: "linked",
  loader: { ".css": "css" },
  logLevel: "warning",
});
await build({
  entryPoints: { app: resolve(here, "src/app.css") },
  bundle: true,
  minify: true,
  outdir: out,
  logLevel: "warning",
});
// The CSP build of MapLibre loads its worker from a same-origin file instead of a
// blob: URL, so the page's Content-Security-Policy needs no exception.
const worker = require.resolve("maplibre-gl/dist/maplibre-gl-csp-worker.js");
copyFileSync(worker, resolve(out, "maplibre-worker.js"));
writeFileSync(resolve(out, "BUILD.txt"), `gebouwd ${new Date().toISOString()}\n`);
console.log(`kaart-app gebouwd in ${out}`);

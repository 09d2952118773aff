// Fails the build when the main bundle — the JavaScript a browser must
// fetch before the first screen: the entry script index.html loads and the
// chunks it imports statically (its modulepreload links) — weighs more than
// 100 kB gzip-compressed, and prints the figure either way. Run after
// precompress.mjs; the size is measured with gzip level 9, as served.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const limit = 100 * 1000; // bytes, gzip
const root = new URL("../dist/app/", import.meta.url).pathname;
const html = await readFile(join(root, "index.html"), "utf8");
const scripts = new Set();
for (const m of html.matchAll(/<script[^>]*type="module"[^>]*src="([^"]+)"/g)) scripts.add(m[1]);
for (const m of html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g)) scripts.add(m[1]);
if (scripts.size === 0) {
  console.error("budget: no module script in dist/app/index.html");
  process.exit(1);
}
let raw = 0, gz = 0;
for (const src of scripts) {
  const data = await readFile(join(root, src.replace(/^\//, "")));
  raw += data.length;
  gz += gzipSync(data, { level: 9 }).length;
}
const kb = (n) => (n / 1000).toFixed(1) + " kB";
const line = `budget: main bundle (${[...scripts].join(", ")}) ${kb(raw)}, gzip ${kb(gz)} of ${kb(limit)} allowed`;
if (gz > limit) {
  console.error(`${line} — TOO BIG: move a page behind a lazy import or drop a dependency`);
  process.exit(1);
}
console.log(line);

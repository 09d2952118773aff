// Writes a .gz and a .br file next to every compressible file of the build
// (dist/app), so that the server sends assets compressed at the best level
// without compressing them on each request (internal/httpapi/webapp.go
// picks the variant the browser accepts). Node's own zlib only: no package.
import { readdir, readFile, writeFile, stat } from "node:fs/promises";
import { join, extname } from "node:path";
import { brotliCompressSync, gzipSync, constants } from "node:zlib";

const root = new URL("../dist/app/", import.meta.url).pathname;
const types = new Set([".js", ".mjs", ".css", ".html", ".svg", ".json", ".txt", ".map", ".webmanifest"]);
const minBytes = 1024; // smaller files gain nothing worth a second request path

async function* files(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(p);
    else yield p;
  }
}

let count = 0, before = 0, brBytes = 0, gzBytes = 0;
for await (const file of files(root)) {
  if (!types.has(extname(file))) continue;
  const data = await readFile(file);
  if (data.length < minBytes) continue;
  const br = brotliCompressSync(data, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_SIZE_HINT]: data.length,
    },
  });
  const gz = gzipSync(data, { level: 9 });
  // A variant that is not smaller would only cost bytes.
  if (br.length < data.length) await writeFile(file + ".br", br);
  if (gz.length < data.length) await writeFile(file + ".gz", gz);
  count++;
  before += data.length;
  brBytes += br.length;
  gzBytes += gz.length;
}
await stat(root); // fails loudly when there is no build to compress
const kb = (n) => (n / 1024).toFixed(1) + " KiB";
console.log(`precompress: ${count} files, ${kb(before)} → brotli ${kb(brBytes)}, gzip ${kb(gzBytes)}`);

import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

// The client's types are generated from api/openapi.yaml: they must be
// regenerated (npm run generate) whenever the contract changes.
describe("generated API types", () => {
  it("match api/openapi.yaml", () => {
    const out = join(mkdtempSync(join(tmpdir(), "recouvra-schema-")), "schema.d.ts");
    execFileSync("node_modules/.bin/openapi-typescript", ["../api/openapi.yaml", "-o", out], { stdio: "pipe" });
    expect(readFileSync(out, "utf8"), "src/api/schema.d.ts is stale: run npm run generate").toBe(readFileSync("src/api/schema.d.ts", "utf8"));
    // Generating from the whole contract in a child process takes seconds on
    // a quiet machine and over 20 s on a loaded one: a harness limit, not a
    // speed check.
  }, 120_000);
});

import { describe, expect, it } from "vitest";
import { fileNameOf, query } from "./saveFile";

describe("fileNameOf", () => {
  it("reads the plain and the encoded names", () => {
    expect(fileNameOf('attachment; filename="dossiers-2026-12-02.csv"')).toBe("dossiers-2026-12-02.csv");
    expect(fileNameOf("attachment; filename*=utf-8''historique-D-2026-000001.xlsx")).toBe("historique-D-2026-000001.xlsx");
    expect(fileNameOf(null)).toBe("");
  });
});

describe("query", () => {
  it("keeps the values that are set", () => {
    expect(query({ format: "csv", stage: undefined, q: "", min: 0 })).toBe("?format=csv&min=0");
    expect(query({})).toBe("");
  });
});

import { describe, expect, it } from "vitest";
import { fill } from "./fill";

describe("fill", () => {
  it("puts each value in its slots, numbers written out", () => {
    expect(fill("{n} facture(s) placée(s), {n} dossier(s) : {pct} %", { n: 2, pct: 40 })).toBe("2 facture(s) placée(s), 2 dossier(s) : 40 %");
  });
  it("leaves a slot without a value empty and other braces alone", () => {
    expect(fill("Échec : {reason}.", {})).toBe("Échec : .");
    expect(fill("{ pas un nom } {n}", { n: "F-1" })).toBe("{ pas un nom } F-1");
  });
  it("writes zero, not an empty slot", () => {
    expect(fill("{present} déjà présente(s)", { present: 0 })).toBe("0 déjà présente(s)");
  });
});

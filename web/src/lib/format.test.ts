import { describe, expect, it } from "vitest";
import { date, money } from "./format";

describe("money", () => {
  it("writes French amounts with grouped thousands and a comma", () => {
    expect(money(123456)).toMatch(/^1\s234,56\u00a0€$/);
    expect(money(5)).toBe("0,05\u00a0€");
    expect(money(-4000)).toBe("-40,00\u00a0€");
    expect(money(100000000)).toMatch(/^1\s000\s000,00\u00a0€$/);
  });
  it("writes English amounts too", () => {
    expect(money(123456, "EUR", "en")).toBe("€1,234.56");
  });
});

describe("date", () => {
  it("never shifts a calendar date", () => {
    expect(date("2026-01-01")).toBe("01/01/2026");
    expect(date("2026-12-31", "en")).toBe("31 Dec 2026");
    expect(date(null)).toBe("—");
  });
});

import { describe, expect, it } from "vitest";
import { parseAmount } from "../../lib/amount";
import {
  amountInput, halfYearChoices, halfYearLabel, parsePercent, percent, percentInput,
} from "./units";

describe("parsePercent", () => {
  it("reads French and plain percentages into basis points", () => {
    expect(parsePercent("12,5")).toBe(1250);
    expect(parsePercent("2,15")).toBe(215);
    expect(parsePercent("2.15 %")).toBe(215);
    expect(parsePercent("2,15\u00a0%")).toBe(215);
    expect(parsePercent(" 4 ")).toBe(400);
    expect(parsePercent("0,07")).toBe(7);
    expect(parsePercent("0")).toBe(0);
    expect(parsePercent("100")).toBe(10000);
    expect(parsePercent("100,00")).toBe(10000);
  });
  it("is exact where floats are not", () => {
    // 0.29 * 100 is 28.999999999999996 in floating point.
    expect(parsePercent("0,29")).toBe(29);
    expect(parsePercent("14,55")).toBe(1455);
  });
  it("refuses what is not a percentage from 0 to 100 in basis points", () => {
    for (const bad of ["", "%", "abc", "-1", "2,155", "1,2,3", "100,01", "150", "1e2", "2,", ",5"]) expect(parsePercent(bad), bad).toBeNull();
  });
});

describe("percent and percentInput", () => {
  it("shows basis points the French way", () => {
    expect(percent(262)).toBe("2,62\u00a0%");
    expect(percent(1450)).toBe("14,50\u00a0%");
    expect(percent(5)).toBe("0,05\u00a0%");
    expect(percent(0)).toBe("0,00\u00a0%");
    expect(percent(262, "en")).toBe("2.62%");
  });
  it("prefills a field that reads back to the same value", () => {
    for (const bps of [0, 7, 215, 1250, 10000]) {
      expect(parsePercent(percentInput(bps)), String(bps)).toBe(bps);
      expect(parsePercent(percentInput(bps, "en")), String(bps)).toBe(bps);
    }
    expect(percentInput(1250)).toBe("12,50");
  });
});

describe("amountInput", () => {
  it("prefills a field that parseAmount reads back", () => {
    expect(amountInput(4000)).toBe("40,00");
    expect(amountInput(123456)).toBe("1234,56");
    expect(amountInput(5, "en")).toBe("0.05");
    for (const c of [0, 5, 4000, 123456]) expect(parseAmount(amountInput(c)), String(c)).toBe(c);
  });
});

describe("half-years", () => {
  it("names half-years like the rate tables", () => {
    expect(halfYearLabel("2026-07-01")).toBe("2026 S2");
    expect(halfYearLabel("2027-01-01")).toBe("2027 S1");
    expect(halfYearLabel("2027-01-01", "en")).toBe("2027 H1");
  });
  it("offers the next half-year first, then back to the oldest row", () => {
    expect(halfYearChoices("2026-11-25", "2025-03-10")).toEqual([
      { start: "2027-01-01", label: "2027 S1" },
      { start: "2026-07-01", label: "2026 S2" },
      { start: "2026-01-01", label: "2026 S1" },
      { start: "2025-07-01", label: "2025 S2" },
      { start: "2025-01-01", label: "2025 S1" },
    ]);
    expect(halfYearChoices("2026-03-01", "2026-01-01").map((h) => h.start)).toEqual(["2026-07-01", "2026-01-01"]);
  });
  it("still offers today's half-year when the oldest row is in the future", () => {
    expect(halfYearChoices("2026-03-01", "2030-01-01").map((h) => h.label)).toEqual(["2026 S2", "2026 S1"]);
  });
});

import { describe, expect, it } from "vitest";
import { parseAmount } from "./amount";

describe("parseAmount", () => {
  it("reads French and plain amounts into cents", () => {
    expect(parseAmount("1 234,56")).toBe(123456);
    expect(parseAmount("1\u202f234,5 €")).toBe(123450);
    expect(parseAmount("40")).toBe(4000);
    expect(parseAmount("0,07")).toBe(7);
    expect(parseAmount("19.99")).toBe(1999);
  });
  it("refuses what is not an amount", () => {
    for (const bad of ["", "abc", "1,234,56", "-5", "1.999", "12e3"]) expect(parseAmount(bad), bad).toBeNull();
  });
  it("reads a credit note's minus sign only when asked", () => {
    expect(parseAmount("-150,00", { signed: true })).toBe(-15000);
    expect(parseAmount("\u2212 12", { signed: true })).toBe(-1200);
    expect(parseAmount("-150,00")).toBeNull();
    expect(parseAmount("--1", { signed: true })).toBeNull();
  });
});

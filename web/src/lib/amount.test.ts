import { describe, expect, it } from "vitest";
import { amountText, parseAmount, tidyAmount } from "./amount";

describe("parseAmount", () => {
  it("reads French and plain amounts into cents", () => {
    expect(parseAmount("1 234,56")).toBe(123456);
    expect(parseAmount("1\u202f234,5 €")).toBe(123450);
    expect(parseAmount("1\u2009234\u00a0567,89")).toBe(123456789);
    expect(parseAmount("40")).toBe(4000);
    expect(parseAmount("0,07")).toBe(7);
    expect(parseAmount("19.99")).toBe(1999);
  });
  it("refuses what is not an amount", () => {
    for (const bad of ["", "abc", "1,234,56", "-5", "1.999", "12e3", "1.234,56", "12,"]) expect(parseAmount(bad), bad).toBeNull();
  });
  it("reads a credit note's minus sign only when asked", () => {
    expect(parseAmount("-150,00", { signed: true })).toBe(-15000);
    expect(parseAmount("\u2212 12", { signed: true })).toBe(-1200);
    expect(parseAmount("-150,00")).toBeNull();
    expect(parseAmount("--1", { signed: true })).toBeNull();
  });
  it("reads English amounts the English way: commas group thousands by threes", () => {
    expect(parseAmount("1,234.56", { lang: "en" })).toBe(123456);
    expect(parseAmount("1,234,567", { lang: "en" })).toBe(123456700);
    expect(parseAmount("1234.5", { lang: "en" })).toBe(123450);
    expect(parseAmount("€ 40", { lang: "en" })).toBe(4000);
    expect(parseAmount("-1,000.00", { lang: "en", signed: true })).toBe(-100000);
    // A French decimal comma is not read as a thousands separator in English.
    for (const bad of ["12,50", "1,23", "1,2345.00", "1.234,56", "1,234.567"]) expect(parseAmount(bad, { lang: "en" }), bad).toBeNull();
  });
});

describe("amountText and tidyAmount", () => {
  it("write cents the way parseAmount reads them back", () => {
    expect(amountText(123456)).toBe("1\u202f234,56");
    expect(amountText(123456, "en")).toBe("1,234.56");
    expect(amountText(-5)).toBe("-0,05");
    for (const cents of [0, 7, 99_999_999_99, -150_00]) {
      for (const lang of ["fr", "en"] as const) expect(parseAmount(amountText(cents, lang), { lang, signed: true })).toBe(cents);
    }
  });
  it("tidy a typed amount, and leave a wrong one for the person to correct", () => {
    expect(tidyAmount("1234,5")).toBe("1\u202f234,50");
    expect(tidyAmount("1234.5", { lang: "en" })).toBe("1,234.50");
    expect(tidyAmount("douze")).toBe("douze");
    expect(tidyAmount("")).toBe("");
  });
});

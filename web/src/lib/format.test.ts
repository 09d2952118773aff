import { describe, expect, it } from "vitest";
import { date, dateTime, longDate, money } from "./format";

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
  it("writes English dates with the month in letters, never 12/02/2026", () => {
    expect(date("2026-12-02", "en")).toBe("2 Dec 2026");
    expect(date("2026-12-02")).toBe("02/12/2026");
  });
});

describe("longDate", () => {
  it("writes a date in words in either language", () => {
    expect(longDate("2026-12-02")).toBe("2 décembre 2026");
    expect(longDate("2027-01-01")).toBe("1er janvier 2027");
    expect(longDate("2026-12-02", "en")).toBe("2 December 2026");
    expect(longDate("")).toBe("—");
  });
});

describe("dateTime", () => {
  it("writes an instant without an ambiguous day/month order in English", () => {
    const at = new Date(2026, 11, 2, 14, 30).toISOString();
    expect(dateTime(at, "en")).toBe("2 Dec 2026, 14:30");
    expect(dateTime(at, "fr")).toBe("02/12/2026 14:30");
  });
});

import { describe, expect, it } from "vitest";
import { daysBetween, todayISO } from "./dates";

describe("daysBetween", () => {
  it("counts calendar days, across a daylight-saving change and a leap day", () => {
    expect(daysBetween("2026-03-28", "2026-03-30")).toBe(2);
    expect(daysBetween("2028-02-28", "2028-03-01")).toBe(2);
    expect(daysBetween("2026-11-25", "2026-11-20")).toBe(-5);
    expect(daysBetween("2026-11-25", "2026-11-25")).toBe(0);
  });
});

describe("todayISO", () => {
  it("is the local calendar date", () => {
    expect(todayISO(new Date(2026, 10, 5, 23, 59))).toBe("2026-11-05");
  });
});

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
  it("is the calendar date in Paris, whatever the reader's time zone", () => {
    // 23:30 UTC in winter is 00:30 the next day in Paris (UTC+1).
    expect(todayISO(new Date(Date.UTC(2026, 11, 2, 23, 30)))).toBe("2026-12-03");
    expect(todayISO(new Date(Date.UTC(2026, 11, 2, 22, 59)))).toBe("2026-12-02");
    // In summer Paris is UTC+2: 22:00 UTC is already the next day.
    expect(todayISO(new Date(Date.UTC(2026, 6, 14, 22, 0)))).toBe("2026-07-15");
    expect(todayISO(new Date(Date.UTC(2026, 6, 14, 21, 59)))).toBe("2026-07-14");
  });
});

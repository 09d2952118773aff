import { describe, expect, it } from "vitest";
import { days, monthLabel, niceMax } from "./performance";

describe("performance", () => {
  it("writes a DSO with one decimal in either language", () => {
    expect(days(74.5)).toBe("74,5\u00a0j");
    expect(days(0)).toBe("0,0\u00a0j");
    expect(days(40.3, "en")).toBe("40.3 d");
    expect(days(31)).toBe("31,0\u00a0j");
  });
  it("names months briefly", () => {
    expect(monthLabel("2026-02")).toBe("févr. 2026");
    expect(monthLabel("2026-12", "en")).toBe("Dec 2026");
    expect(monthLabel("2026-13")).toBe("2026-13");
  });
  it("rounds an axis up to 1, 2 or 5 times a power of ten", () => {
    expect(niceMax(0)).toBe(1);
    expect(niceMax(7)).toBe(10);
    expect(niceMax(120_000)).toBe(200_000);
    expect(niceMax(500)).toBe(500);
    expect(niceMax(501)).toBe(1000);
  });
});

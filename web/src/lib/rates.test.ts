import { describe, expect, it } from "vitest";
import { halfYearOf, missingRates } from "./rates";

describe("halfYearOf", () => {
  it("splits the year on 1 July", () => {
    expect(halfYearOf("2026-06-30")).toEqual({ start: "2026-01-01", name: "2026 S1" });
    expect(halfYearOf("2026-07-01")).toEqual({ start: "2026-07-01", name: "2026 S2" });
    expect(halfYearOf("2026-12-31")).toEqual({ start: "2026-07-01", name: "2026 S2" });
  });
});

describe("missingRates", () => {
  it("names the kinds without this half-year's row", () => {
    const rates = [
      { kind: "ecb_refi", period_start: "2026-01-01" },
      { kind: "ecb_refi", period_start: "2026-07-01" },
      { kind: "legal_other", period_start: "2026-01-01" },
      { kind: "legal_individual", period_start: "2026-07-01" },
      { kind: "recovery_indemnity", period_start: "2013-01-01" },
    ];
    expect(missingRates(rates, "2026-12-02")).toEqual({ half: "2026 S2", kinds: ["legal_other"] });
    expect(missingRates(rates, "2026-03-01")).toEqual({ half: "2026 S1", kinds: ["legal_individual"] });
    expect(missingRates([], "2027-01-01").kinds).toEqual(["ecb_refi", "legal_individual", "legal_other"]);
  });
});

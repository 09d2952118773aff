import { describe, expect, it } from "vitest";
import { previewSchedule } from "./plan";

describe("previewSchedule", () => {
  it("spreads the rest after a down payment, month ends kept", () => {
    expect(previewSchedule(100000, "monthly", 3, "2026-01-31", 10000, "2026-01-15")).toEqual([
      { due_on: "2026-01-15", amount_cents: 10000 },
      { due_on: "2026-01-31", amount_cents: 30000 },
      { due_on: "2026-02-28", amount_cents: 30000 },
      { due_on: "2026-03-31", amount_cents: 30000 },
    ]);
  });
  it("gives the last the cents left, fortnightly by 14 days", () => {
    expect(previewSchedule(10000, "fortnightly", 3, "2026-01-01")).toEqual([
      { due_on: "2026-01-01", amount_cents: 3333 },
      { due_on: "2026-01-15", amount_cents: 3333 },
      { due_on: "2026-01-29", amount_cents: 3334 },
    ]);
  });
  it("makes none from impossible inputs", () => {
    expect(previewSchedule(10000, "monthly", 0, "2026-01-01")).toEqual([]);
    expect(previewSchedule(10000, "monthly", 2, "2026-01-01", 10000, "2026-01-01")).toEqual([]);
  });
});

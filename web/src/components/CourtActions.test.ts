import { describe, expect, it } from "vitest";
import type { Schemas } from "../api/client";
import { nextSteps } from "./CourtActions";

const none: Schemas["InjunctionState"] = {
  court: "", filed_on: null, decision: "", decided_on: null, served_on: null, served_to_person: false, opposed_on: null, enforceable_on: null,
};

describe("nextSteps", () => {
  it("follows the procedure: filed, decided, served, then opposed or enforceable", () => {
    expect(nextSteps(none)).toEqual(["filed"]);
    const filed = { ...none, court: "TC Lyon", filed_on: "2026-11-02" };
    expect(nextSteps(filed)).toEqual(["granted", "rejected"]);
    expect(nextSteps({ ...filed, decision: "rejected", decided_on: "2026-11-10" })).toEqual([]);
    const granted = { ...filed, decision: "granted" as const, decided_on: "2026-11-10" };
    expect(nextSteps(granted)).toEqual(["served"]);
    const served = { ...granted, served_on: "2026-11-20" };
    expect(nextSteps(served)).toEqual(["enforceable", "opposed"]);
    expect(nextSteps({ ...served, opposed_on: "2026-11-24" })).toEqual([]);
  });
});

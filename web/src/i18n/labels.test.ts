import { describe, expect, it } from "vitest";
import type { Schemas } from "../api/client";
import { en, fr } from "./messages";

// Every value the contract can send has its words on screen: a Record over
// the generated union fails to compile when the contract gains a value.
const deadlineKinds: Record<Schemas["Deadline"]["kind"], true> = {
  order_lapse: true,
  opposition_end: true,
  notice_deadline: true,
  time_bar: true,
  title_enforcement: true,
  insolvency_declaration: true,
};
const claimNatures: Record<Schemas["ClaimNature"], true> = { general: true, residential_rent: true };

describe("labels of the contract's values", () => {
  it("name every deadline kind and claim nature in both languages", () => {
    const keys = [...Object.keys(deadlineKinds).map((k) => `deadline.${k}`), ...Object.keys(claimNatures).map((n) => `claimNature.${n}`), "deadline.target"];
    for (const k of keys) {
      expect((fr as Record<string, string>)[k], `fr ${k}`).toBeTruthy();
      expect((en as Record<string, string>)[k], `en ${k}`).toBeTruthy();
    }
    expect(fr["deadline.title_enforcement"]).not.toEqual(fr["deadline.time_bar"]);
    expect(fr["deadline.target"]).toContain("objectif interne");
  });
});

import { describe, expect, it } from "vitest";
import { en, fr } from "./messages";

describe("messages", () => {
  it("has every French key in English, none empty", () => {
    for (const k of Object.keys(fr) as (keyof typeof fr)[]) {
      expect(en[k], k).toBeTruthy();
      expect(fr[k], k).toBeTruthy();
    }
    expect(Object.keys(en).sort()).toEqual(Object.keys(fr).sort());
  });
});

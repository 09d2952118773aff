import { describe, expect, it } from "vitest";
import { checked, mergeById } from "./form";

describe("checked", () => {
  it("is null when every check passed", () => {
    expect(checked({ value: false, source: undefined, name: "" }, "Vérifiez")).toBeNull();
  });
  it("puts each failed check beside its field", () => {
    expect(checked({ value: "Pourcentage invalide", source: null, "mandate.fixed_fee_cents": "Montant invalide" }, "Vérifiez")).toEqual({
      summary: "Vérifiez",
      general: [],
      fields: { value: ["Pourcentage invalide"], "mandate.fixed_fee_cents": ["Montant invalide"] },
    });
  });
});

describe("mergeById", () => {
  it("appends a page without repeating rows already listed", () => {
    const got = mergeById([{ id: "a" }, { id: "new" }], [{ id: "b" }, { id: "new" }]);
    expect(got.map((x) => x.id)).toEqual(["a", "new", "b"]);
  });
});

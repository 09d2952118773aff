import { describe, expect, it } from "vitest";
import { checked, fieldName, formProblem, missing } from "./problem";

describe("fieldName", () => {
  it("drops the request part and turns indexes into path segments", () => {
    expect(fieldName("body.amount_cents")).toBe("amount_cents");
    expect(fieldName("body.claims[1].due_on")).toBe("claims.1.due_on");
    expect(fieldName("to")).toBe("to");
    expect(fieldName(undefined)).toBe("");
  });
});

describe("formProblem", () => {
  const p = {
    type: "about:blank", title: "Données invalides", status: 422, code: "validation", detail: "Le dossier est incomplet.",
    errors: [
      { field: "body.debtor.name", code: "required", message: "Le nom du débiteur est obligatoire." },
      { field: "body.claims[0].amount_cents", code: "invalid", message: "Le montant doit être positif." },
      { field: "body.mandate", code: "forbidden", message: "Le mandat ne le permet pas." },
      { code: "rule", message: "Une règle d'ensemble." },
    ],
  };
  it("puts each message beside its field and keeps the others", () => {
    const f = formProblem(p, ["debtor.name", "claims.0.amount_cents"], "Erreur");
    expect(f.summary).toBe("Le dossier est incomplet.");
    expect(f.fields["debtor.name"]).toEqual(["Le nom du débiteur est obligatoire."]);
    expect(f.fields["claims.0.amount_cents"]).toEqual(["Le montant doit être positif."]);
    expect(f.general).toEqual(["Le mandat ne le permet pas.", "Une règle d'ensemble."]);
  });
  it("falls back when the body is not a problem", () => {
    expect(formProblem(undefined, [], "Erreur").summary).toBe("Erreur");
  });
});

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

describe("missing", () => {
  it("names the required fields left empty, blanks counting as empty", () => {
    const el = (name: string, value: string, disabled = false) => ({ name, value, disabled }) as HTMLInputElement;
    const form = {
      querySelectorAll: (sel: string) => {
        expect(sel).toBe('[aria-required="true"][name]');
        return [el("debtor.name", "  "), el("claims.0.amount_cents", "12,00"), el("creditor_id", ""), el("off", "", true)];
      },
    } as unknown as HTMLFormElement;
    expect(missing(form, "À remplir.")).toEqual({ "debtor.name": "À remplir.", creditor_id: "À remplir." });
  });
});

import { describe, expect, it } from "vitest";
import { identityBody, identityFields, type IdentityName } from "./identity";

const blank = Object.fromEntries([...identityFields.company, ...identityFields.person].map((n) => [n, ""])) as Record<IdentityName, string>;

describe("identityBody", () => {
  it("sends every field, trimmed, under the API's names", () => {
    expect(identityBody({ ...blank, "identity.legal_form": " SARL ", "identity.registry": "RCS Lyon", "identity.representative_name": "Jean Dupont", "identity.representative_title": "gérant" })).toEqual({
      legal_form: "SARL", registry: "RCS Lyon", representative_name: "Jean Dupont", representative_title: "gérant",
      profession: "", nationality: "", born_on: null, born_in: "",
    });
  });
  it("sends the date of birth as typed, and null to clear it", () => {
    expect(identityBody({ ...blank, "identity.born_on": "1956-03-18" }).born_on).toBe("1956-03-18");
    expect(identityBody({ ...blank, "identity.born_on": "" }).born_on).toBeNull();
  });
  it("keeps the hidden fields of the other kind of creditor as they were", () => {
    const body = identityBody({ ...blank, "identity.profession": "ingénieur retraité", "identity.legal_form": "SAS" });
    expect(body.profession).toBe("ingénieur retraité");
    expect(body.legal_form).toBe("SAS");
  });
});

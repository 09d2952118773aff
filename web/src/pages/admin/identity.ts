import type { Schemas } from "../../api/client";

// What a court request says of the creditor (CPC 57, 1407): a company's
// legal form, register and representative, a person's profession,
// nationality, date and place of birth. The names are the API's, so its
// refusals land beside the fields.
export const identityFields = {
  company: ["identity.legal_form", "identity.registry", "identity.representative_name", "identity.representative_title"],
  person: ["identity.profession", "identity.nationality", "identity.born_on", "identity.born_in"],
} as const;
export type IdentityName = (typeof identityFields.company)[number] | (typeof identityFields.person)[number];
type IdentityKey = IdentityName extends `identity.${infer K}` ? K : never;

// identityBody is the identity as the API takes it: every field, the texts
// trimmed, an empty date of birth as null (null clears the stored one).
// The fields of the other kind of creditor, hidden in the form, are sent
// as they were.
export function identityBody(f: Record<IdentityName, string>): Schemas["CreditorIdentityInput"] {
  const out: Record<string, string | null> = {};
  for (const name of [...identityFields.company, ...identityFields.person]) {
    out[name.slice("identity.".length) as IdentityKey] = f[name].trim();
  }
  out.born_on = out.born_on || null;
  return out as Schemas["CreditorIdentityInput"];
}

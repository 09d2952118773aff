import type { Problem } from "../api/client";

// FormProblem is a refusal from the API arranged for a form: the message
// for the whole form, and each field's messages to show beside that field.
export interface FormProblem {
  summary: string;
  general: string[]; // messages no field of the form claims
  fields: Record<string, string[]>;
}

export const noProblem: FormProblem = { summary: "", general: [], fields: {} };

// fieldName turns the API's JSON path into the form field's name:
// "body.claims[0].amount_cents" → "claims.0.amount_cents".
export function fieldName(path: string | undefined): string {
  if (!path) return "";
  return path.replace(/^(body|query|path|header)\./, "").replace(/\[(\d+)\]/g, ".$1");
}

// formProblem sorts a problem+json body's messages between the fields the
// form shows (known) and the rest, so nothing the API said is lost.
export function formProblem(p: unknown, known: readonly string[], fallback: string): FormProblem {
  const pr = (p && typeof p === "object" ? p : {}) as Partial<Problem>;
  const out: FormProblem = { summary: pr.detail ?? pr.title ?? fallback, general: [], fields: {} };
  for (const e of pr.errors ?? []) {
    const name = fieldName(e.field);
    if (name && known.includes(name)) (out.fields[name] ??= []).push(e.message);
    else out.general.push(e.message);
  }
  return out;
}

// checked turns the form's own checks into the same shape as the API's
// refusals, so both are shown beside their fields the same way. It returns
// null when every check passed.
export function checked(fields: Record<string, string | false | null | undefined>, summary: string): FormProblem | null {
  const out: FormProblem = { summary, general: [], fields: {} };
  for (const [name, message] of Object.entries(fields)) if (message) out.fields[name] = [message];
  return Object.keys(out.fields).length ? out : null;
}

// missing names the required fields of a form left empty — those Field
// marks required (aria-required) — each with the message to show beside
// it, ready to merge into checked()'s fields before anything is sent.
export function missing(form: Pick<HTMLFormElement, "querySelectorAll">, message: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const el of form.querySelectorAll<HTMLInputElement>('[aria-required="true"][name]')) {
    if (!el.disabled && !String(el.value ?? "").trim()) out[el.name] = message;
  }
  return out;
}

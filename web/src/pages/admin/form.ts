import { api, type Schemas } from "../../api/client";
import type { FormProblem } from "../../lib/problem";

// checked turns the form's own checks into the same shape as the API's
// refusals, so both are shown beside their fields the same way. It returns
// null when every check passed.
export function checked(fields: Record<string, string | false | null | undefined>, summary: string): FormProblem | null {
  const out: FormProblem = { summary, general: [], fields: {} };
  for (const [name, message] of Object.entries(fields)) if (message) out.fields[name] = [message];
  return Object.keys(out.fields).length ? out : null;
}

// allCreditors reads every page of creditors: the user form offers them all
// in a select and the user list names each creditor account's creditor.
// null means the API refused.
export async function allCreditors(): Promise<Schemas["Creditor"][] | null> {
  const out: Schemas["Creditor"][] = [];
  let cursor: string | undefined;
  do {
    const { data } = await api.GET("/api/v1/creditors", { params: { query: { limit: 200, cursor } } });
    if (!data) return null;
    out.push(...data.items);
    cursor = data.next_cursor;
  } while (cursor);
  return out;
}

// mergeById appends a page to a list, keeping one copy of each row: a row
// added on this screen may come again with a later page.
export function mergeById<T extends { id: string }>(list: T[], page: T[]): T[] {
  const seen = new Set(list.map((x) => x.id));
  return [...list, ...page.filter((x) => !seen.has(x.id))];
}

// byName sorts creditors for a select: by legal name, the French way.
export function byName(a: Schemas["Creditor"], b: Schemas["Creditor"]): number {
  return a.legal_name.localeCompare(b.legal_name, "fr", { sensitivity: "base" });
}

import type { Schemas } from "../../api/client";

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

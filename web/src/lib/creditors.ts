import { api, type Schemas } from "../api/client";

// allCreditors reads every page of creditors, for the selects that offer
// them all and the lists that name each one. null means the API refused.
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

import { api, type Schemas } from "../api/client";

// The agency's settings the screens follow (GET /api/v1/settings), read
// once per page load. Until they arrive, or if they cannot be read, the
// defaults apply: the server's own default threshold, 10 000,00 €.
export const defaultSettings: Schemas["Settings"] = { large_payment_cents: 1_000_000 };

let pending: Promise<Schemas["Settings"]> | null = null;

export function settings(): Promise<Schemas["Settings"]> {
  pending ??= api.GET("/api/v1/settings").then(({ data }) => {
    if (!data) pending = null; // try again next time
    return data ?? defaultSettings;
  });
  return pending;
}

// The schedule a plan form previews, computed as the server generates it
// (recouvra.GenerateSchedule): an optional down payment, then count equal
// instalments, monthly (same day number, the month's last day when it is
// shorter) or every 14 days; the last takes the cents the division leaves.

export interface PreviewInstalment {
  due_on: string;
  amount_cents: number;
}

function addMonths(iso: string, n: number): string {
  const [y, m, d] = iso.split("-").map(Number);
  const first = new Date(Date.UTC(y, m - 1 + n, 1));
  const last = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  first.setUTCDate(Math.min(d, last));
  return first.toISOString().slice(0, 10);
}

function addDays(iso: string, n: number): string {
  const t = new Date(`${iso}T00:00:00Z`);
  t.setUTCDate(t.getUTCDate() + n);
  return t.toISOString().slice(0, 10);
}

// previewSchedule spreads totalCents; [] when the inputs cannot make one.
export function previewSchedule(totalCents: number, frequency: "monthly" | "fortnightly", count: number, firstOn: string,
  downCents = 0, downOn = ""): PreviewInstalment[] {
  if (!firstOn || count < 1 || count > 120 || downCents < 0 || downCents >= totalCents || (downCents > 0 && !downOn)) return [];
  const out: PreviewInstalment[] = [];
  if (downCents > 0) out.push({ due_on: downOn, amount_cents: downCents });
  const rest = totalCents - downCents;
  const each = Math.trunc(rest / count);
  for (let i = 0; i < count; i++) {
    const on = frequency === "fortnightly" ? addDays(firstOn, 14 * i) : addMonths(firstOn, i);
    out.push({ due_on: on, amount_cents: i === count - 1 ? rest - each * (count - 1) : each });
  }
  return out;
}

// The half-yearly legal rates a statement needs: when one is missing for
// the current half-year, statements carry the last known rate forward
// (provisional) and no court request can be filed (the API refuses it).
export const halfYearlyKinds = ["ecb_refi", "legal_individual", "legal_other"] as const;
export type HalfYearlyKind = (typeof halfYearlyKinds)[number];

// halfYearOf is the half-year a calendar date (YYYY-MM-DD) falls in: its
// first day and its name as statements print it ("2026 S2").
export function halfYearOf(day: string): { start: string; name: string } {
  const [y, m] = day.split("-");
  const second = Number(m) >= 7;
  return { start: `${y}-${second ? "07" : "01"}-01`, name: `${y} S${second ? 2 : 1}` };
}

// missingRates lists the half-yearly kinds without a row for the
// half-year of today.
export function missingRates(rates: { kind: string; period_start: string }[], today: string): { half: string; kinds: HalfYearlyKind[] } {
  const { start, name } = halfYearOf(today);
  const kinds = halfYearlyKinds.filter((k) => !rates.some((r) => r.kind === k && r.period_start === start));
  return { half: name, kinds };
}

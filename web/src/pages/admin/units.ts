// Conversions between what an admin types and what the API stores: rates and
// commissions as integer basis points, fees as integer cents, rate periods as
// half-years. Integer arithmetic throughout, so "2,15" is exactly 215.
import type { Lang } from "../../lib/format";

// parsePercent reads a percentage typed the French or English way ("12,5",
// "2.15 %", "4") into basis points (12,5 % → 1250). It returns null for
// anything else, including more than two decimals (a basis point is the
// finest unit stored) and more than 100 % (no rate nor commission exceeds it).
export function parsePercent(input: string): number | null {
  const s = input.replace(/[\s\u00a0\u202f%]/g, "").replace(",", ".");
  const m = /^(\d{1,3})(?:\.(\d{1,2}))?$/.exec(s);
  if (!m) return null;
  const bps = Number(m[1]) * 100 + Number((m[2] ?? "").padEnd(2, "0"));
  return bps <= 10000 ? bps : null;
}

// hundredths writes an integer count of hundredths with two decimals and
// the language's decimal separator, without grouping: 123456 → "1234,56".
function hundredths(n: number, lang: Lang): string {
  const sep = lang === "fr" ? "," : ".";
  return `${Math.floor(n / 100)}${sep}${String(n % 100).padStart(2, "0")}`;
}

// percentInput writes basis points back the way parsePercent reads them, to
// prefill a form: 1250 → "12,50" in French, "12.50" in English.
export function percentInput(bps: number, lang: Lang = "fr"): string {
  return hundredths(bps, lang);
}

// percent shows basis points as a percentage: 262 → "2,62 %" in French (with
// the non-breaking space French typography puts before the sign), "2.62%" in
// English.
export function percent(bps: number, lang: Lang = "fr"): string {
  return lang === "fr" ? `${percentInput(bps, lang)}\u00a0%` : `${percentInput(bps, lang)}%`;
}

// amountInput writes cents the way parseAmount reads them, without grouping
// so the field is easy to edit: 123456 → "1234,56".
export function amountInput(cents: number, lang: Lang = "fr"): string {
  return hundredths(cents, lang);
}

export interface HalfYear {
  start: string; // YYYY-01-01 or YYYY-07-01, the rate's period_start
  label: string; // "2026 S2"
}

// halfYearLabel names a half-year the way the rate tables do: "2026 S2" in
// French (semestre), "2026 H2" in English.
export function halfYearLabel(start: string, lang: Lang = "fr"): string {
  return `${start.slice(0, 4)} ${lang === "fr" ? "S" : "H"}${start.slice(5, 7) === "01" ? 1 : 2}`;
}

// halfYearChoices lists the half-years an admin may enter a rate for, newest
// first: from the one after today's (rates are published ahead: the legal
// rate in December and June) back to the one holding `oldest`.
export function halfYearChoices(today: string, oldest: string, lang: Lang = "fr"): HalfYear[] {
  const idx = (iso: string) => Number(iso.slice(0, 4)) * 2 + (Number(iso.slice(5, 7)) < 7 ? 0 : 1);
  const out: HalfYear[] = [];
  for (let i = idx(today) + 1; i >= Math.min(idx(oldest), idx(today)); i--) {
    const start = `${String(Math.floor(i / 2)).padStart(4, "0")}-${i % 2 === 0 ? "01" : "07"}-01`;
    out.push({ start, label: halfYearLabel(start, lang) });
  }
  return out;
}

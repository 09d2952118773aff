import type { Lang } from "./format";

// days writes a DSO (days to one decimal, as the API gives it): "74,5 j",
// "74.5 d".
export function days(d: number, lang: Lang = "fr"): string {
  const s = d.toFixed(1);
  return lang === "fr" ? `${s.replace(".", ",")}\u00a0j` : `${s} d`;
}

const shortFr = ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."];
const shortEn = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

// monthLabel writes a "YYYY-MM" month: "nov. 2026", "Nov 2026".
export function monthLabel(ym: string, lang: Lang = "fr"): string {
  const [y, m] = ym.split("-");
  const i = Number(m) - 1;
  if (!y || !(i >= 0 && i < 12)) return ym;
  return `${(lang === "fr" ? shortFr : shortEn)[i]} ${y}`;
}

// niceMax rounds a chart's largest value up to 1, 2 or 5 times a power of
// ten, so the axis reads well; at least 1.
export function niceMax(v: number): number {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const f of [1, 2, 5, 10]) if (f * p >= v) return f * p;
  return 10 * p;
}

import type { Lang } from "./format";

// percent shows basis points as a percentage with one decimal, by integer
// arithmetic: 1667 → "16,7 %" (rounded half up).
export function percent(bps: number, lang: Lang = "fr"): string {
  const tenths = Math.floor((Math.abs(bps) + 5) / 10);
  const sign = bps < 0 ? "-" : "";
  const s = `${sign}${Math.floor(tenths / 10)}${lang === "fr" ? "," : "."}${tenths % 10}`;
  return lang === "fr" ? `${s}\u00a0%` : `${s}%`;
}

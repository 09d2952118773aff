import type { Lang } from "./format";

// Spaces a person may type or paste between thousands: plain, no-break,
// narrow no-break (French typography, Intl's output) and thin.
const spaces = /[\s\u00a0\u202f\u2009]/g;

// parseAmount reads an amount typed the way the reader's language writes
// it into integer cents, without ever going through a float. In French
// ("1 234,56", "1234.5", "40") spaces group the thousands and a comma (or a
// point) marks the cents; in English ("1,234.56", "1234.5") commas group
// the thousands, by threes only, and a point marks the cents, so "12,50" is
// refused rather than read as 1 250. It returns null for anything else. A
// minus sign is accepted only when signed (a credit note), never for a
// payment.
export function parseAmount(input: string, { signed = false, lang = "fr" as Lang } = {}): number | null {
  let s = input.replace(spaces, "").replace(/€/g, "").replace(/^[\u2212]/, "-");
  if (lang === "en") {
    if (s.includes(",") && !/^-?\d{1,3}(,\d{3})+(\.\d*)?$/.test(s)) return null;
    s = s.replace(/,/g, "");
  } else s = s.replace(",", ".");
  const m = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(s);
  if (!m || (m[1] && !signed)) return null;
  const units = Number(m[2]);
  const cents = units * 100 + Number((m[3] ?? "").padEnd(2, "0"));
  if (!Number.isSafeInteger(cents)) return null;
  return m[1] ? -cents : cents;
}

// amountText writes cents back as a person types them, grouped the
// language's way and without the currency: 123456 → "1 234,56" (narrow
// no-break spaces, as French typography and Intl write them) or "1,234.56".
// parseAmount reads it back to the same cents.
export function amountText(cents: number, lang: Lang = "fr"): string {
  const abs = Math.abs(cents);
  const units = new Intl.NumberFormat(lang === "fr" ? "fr-FR" : "en-GB", { maximumFractionDigits: 0 }).format(Math.floor(abs / 100));
  return `${cents < 0 ? "-" : ""}${units}${lang === "fr" ? "," : "."}${String(abs % 100).padStart(2, "0")}`;
}

// tidyAmount is what an amount field shows once the person leaves it: the
// same amount written the language's way ("1234,5" → "1 234,50"), or the
// text untouched when it is not an amount, so the person can correct it.
export function tidyAmount(input: string, opts: { signed?: boolean; lang?: Lang } = {}): string {
  if (!input.trim()) return input;
  const cents = parseAmount(input, opts);
  return cents === null ? input : amountText(cents, opts.lang);
}

// French-first formatting of amounts and dates. Amounts arrive as integer
// cents and are split into units and cents with integer arithmetic.

export type Lang = "fr" | "en";

const locales: Record<Lang, string> = { fr: "fr-FR", en: "en-GB" };

export function money(cents: number, currency = "EUR", lang: Lang = "fr"): string {
  const negative = cents < 0;
  const abs = Math.abs(cents);
  const units = Math.floor(abs / 100);
  const rest = abs % 100;
  const grouped = new Intl.NumberFormat(locales[lang], { maximumFractionDigits: 0 }).format(units);
  const symbol = currency === "EUR" ? "€" : currency;
  const sign = negative ? "-" : "";
  const decimals = String(rest).padStart(2, "0");
  return lang === "fr" ? `${sign}${grouped},${decimals}\u00a0${symbol}` : `${sign}${symbol}${grouped}.${decimals}`;
}

// date formats a calendar date (YYYY-MM-DD) without any time zone shift.
export function date(iso: string | null | undefined, lang: Lang = "fr"): string {
  if (!iso) return "—";
  const [y, m, d] = iso.slice(0, 10).split("-");
  if (!y || !m || !d) return iso;
  return lang === "fr" ? `${d}/${m}/${y}` : `${d} ${["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][Number(m) - 1]} ${y}`;
}

// dateTime formats an instant in the reader's time zone.
export function dateTime(iso: string, lang: Lang = "fr"): string {
  return new Intl.DateTimeFormat(locales[lang], { dateStyle: "short", timeStyle: "short" }).format(new Date(iso));
}

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

const monthsEn = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const monthsFr = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"];
const monthsEnLong = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

// date formats a calendar date (YYYY-MM-DD) without any time zone shift:
// 02/12/2026 in French, "2 Dec 2026" in English — never 12/02/2026, which
// an English reader could take for the 2nd of December or the 12th of
// February.
export function date(iso: string | null | undefined, lang: Lang = "fr"): string {
  if (!iso) return "—";
  const [y, m, d] = iso.slice(0, 10).split("-");
  if (!y || !m || !d) return iso;
  return lang === "fr" ? `${d}/${m}/${y}` : `${Number(d)} ${monthsEn[Number(m) - 1]} ${y}`;
}

// longDate writes a calendar date in words: "2 décembre 2026" (1er for the
// first of the month, as French writes it), "2 December 2026".
export function longDate(iso: string | null | undefined, lang: Lang = "fr"): string {
  if (!iso) return "—";
  const [y, m, d] = iso.slice(0, 10).split("-");
  if (!y || !m || !d || !(Number(m) >= 1 && Number(m) <= 12)) return iso;
  if (lang === "en") return `${Number(d)} ${monthsEnLong[Number(m) - 1]} ${y}`;
  return `${d === "01" ? "1er" : Number(d)} ${monthsFr[Number(m) - 1]} ${y}`;
}

// dateTime formats an instant in the reader's time zone: "02/12/2026 14:30"
// in French, "2 Dec 2026, 14:30" in English (the month in letters, as for
// dates).
export function dateTime(iso: string, lang: Lang = "fr"): string {
  const opts: Intl.DateTimeFormatOptions =
    lang === "fr" ? { dateStyle: "short", timeStyle: "short" } : { day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
  return new Intl.DateTimeFormat(locales[lang], opts).format(new Date(iso));
}

// Amounts in words, as a cheque or a confirmation reads them back:
// "quarante-quatre mille euros et douze centimes", "forty-four thousand
// euros and twelve cents". Whole numbers only (integer cents in, integer
// arithmetic throughout). French follows the traditional spelling: hyphens
// inside numbers below one hundred, "et" in 21, 31… 71, "quatre-vingts" and
// "deux cents" plural only at the end of a number or before million and
// milliard (nouns), never before mille, which never varies.
import type { Lang } from "./format";

const frUnits = [
  "zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix",
  "onze", "douze", "treize", "quatorze", "quinze", "seize", "dix-sept", "dix-huit", "dix-neuf",
];
const frTens = ["", "", "vingt", "trente", "quarante", "cinquante", "soixante"];

// frBelow100 writes 0 < n < 100.
function frBelow100(n: number, final: boolean): string {
  if (n < 20) return frUnits[n];
  if (n < 70) {
    const t = Math.floor(n / 10), u = n % 10;
    if (u === 0) return frTens[t];
    return u === 1 ? `${frTens[t]} et un` : `${frTens[t]}-${frUnits[u]}`;
  }
  if (n < 80) return n === 71 ? "soixante et onze" : `soixante-${frUnits[n - 60]}`;
  if (n === 80) return final ? "quatre-vingts" : "quatre-vingt";
  return `quatre-vingt-${frUnits[n - 80]}`;
}

// frBelow1000 writes 0 < n < 1000; final says that nothing follows but a
// noun (million, milliard) or the end, so vingts and cents keep their s.
function frBelow1000(n: number, final: boolean): string {
  const h = Math.floor(n / 100), rest = n % 100;
  const parts: string[] = [];
  if (h > 0) parts.push(h === 1 ? "cent" : `${frUnits[h]} ${rest === 0 && final ? "cents" : "cent"}`);
  if (rest > 0) parts.push(frBelow100(rest, final));
  return parts.join(" ");
}

const frScales: [number, string, string][] = [
  [1e12, "billion", "billions"],
  [1e9, "milliard", "milliards"],
  [1e6, "million", "millions"],
];

// frenchNumber writes a whole number in French words.
export function frenchNumber(n: number): string {
  if (!Number.isSafeInteger(n)) throw new RangeError(`not a whole number: ${n}`);
  if (n < 0) return `moins ${frenchNumber(-n)}`;
  if (n === 0) return "zéro";
  const parts: string[] = [];
  let rest = n;
  for (const [size, one, many] of frScales) {
    const q = Math.floor(rest / size);
    rest %= size;
    if (q > 0) parts.push(q === 1 ? `un ${one}` : `${frBelow1000Big(q)} ${many}`);
  }
  const thousands = Math.floor(rest / 1000);
  rest %= 1000;
  if (thousands > 0) parts.push(thousands === 1 ? "mille" : `${frBelow1000(thousands, false)} mille`);
  if (rest > 0) parts.push(frBelow1000(rest, true));
  return parts.join(" ");
}

// frBelow1000Big is frBelow1000 for a count of millions or more, which may
// itself run past a thousand (a thousand billions).
function frBelow1000Big(q: number): string {
  return q < 1000 ? frBelow1000(q, true) : frenchNumber(q);
}

const enUnits = [
  "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
  "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
];
const enTens = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"];

function enBelow100(n: number): string {
  if (n < 20) return enUnits[n];
  const t = Math.floor(n / 10), u = n % 10;
  return u === 0 ? enTens[t] : `${enTens[t]}-${enUnits[u]}`;
}

function enBelow1000(n: number): string {
  const h = Math.floor(n / 100), rest = n % 100;
  if (h === 0) return enBelow100(rest);
  return rest === 0 ? `${enUnits[h]} hundred` : `${enUnits[h]} hundred and ${enBelow100(rest)}`;
}

const enScales: [number, string][] = [
  [1e12, "trillion"],
  [1e9, "billion"],
  [1e6, "million"],
  [1e3, "thousand"],
];

// englishNumber writes a whole number in (British) English words.
export function englishNumber(n: number): string {
  if (!Number.isSafeInteger(n)) throw new RangeError(`not a whole number: ${n}`);
  if (n < 0) return `minus ${englishNumber(-n)}`;
  if (n === 0) return "zero";
  const parts: string[] = [];
  let rest = n;
  for (const [size, name] of enScales) {
    const q = Math.floor(rest / size);
    rest %= size;
    if (q > 0) parts.push(`${q < 1000 ? enBelow1000(q) : englishNumber(q)} ${name}`);
  }
  // "one thousand and five": the last group below a hundred after a scale.
  if (rest > 0) parts.push(parts.length > 0 && rest < 100 ? `and ${enBelow100(rest)}` : enBelow1000(rest));
  return parts.join(" ");
}

interface Unit {
  one: string;
  many: string;
}

const currencies: Record<string, Record<Lang, [Unit, Unit]>> = {
  EUR: {
    fr: [{ one: "euro", many: "euros" }, { one: "centime", many: "centimes" }],
    en: [{ one: "euro", many: "euros" }, { one: "cent", many: "cents" }],
  },
};

function unitsOf(currency: string, lang: Lang): [Unit, Unit] {
  const c = currencies[currency];
  if (c) return c[lang];
  return lang === "fr"
    ? [{ one: currency, many: currency }, { one: "centième", many: "centièmes" }]
    : [{ one: currency, many: currency }, { one: "hundredth", many: "hundredths" }];
}

// amountInWords writes an amount of integer cents in words in the given
// language: "quarante-quatre mille euros et douze centimes", "un million
// d'euros", "zéro euro"; "forty-four thousand euros and twelve cents".
export function amountInWords(cents: number, currency = "EUR", lang: Lang = "fr"): string {
  if (!Number.isSafeInteger(cents)) throw new RangeError(`not a whole number of cents: ${cents}`);
  const sign = cents < 0 ? (lang === "fr" ? "moins " : "minus ") : "";
  const abs = Math.abs(cents);
  const units = Math.floor(abs / 100), rest = abs % 100;
  const [main, sub] = unitsOf(currency, lang);
  const number = lang === "fr" ? frenchNumber : englishNumber;
  const plural = (n: number, u: Unit) => (lang === "fr" ? (n >= 2 ? u.many : u.one) : n === 1 ? u.one : u.many);
  let whole = "";
  if (units > 0 || rest === 0) {
    const w = number(units);
    // French says "un million d'euros": de after a number ending in
    // million or milliard.
    const de = lang === "fr" && units >= 1e6 && units % 1e6 === 0 && currency in currencies;
    whole = de ? `${w} d'${main.many}` : `${w} ${plural(units, main)}`;
  }
  if (rest === 0) return sign + whole;
  const part = `${number(rest)} ${plural(rest, sub)}`;
  if (!whole) return sign + part;
  return `${sign}${whole} ${lang === "fr" ? "et" : "and"} ${part}`;
}

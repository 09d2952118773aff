// parseAmount reads an amount typed the French way ("1 234,56", "1234.5",
// "40") into integer cents, without ever going through a float. It returns
// null for anything else.
export function parseAmount(input: string): number | null {
  const s = input.replace(/[\s\u00a0\u202f€]/g, "").replace(",", ".");
  const m = /^(\d+)(?:\.(\d{1,2}))?$/.exec(s);
  if (!m) return null;
  const units = Number(m[1]);
  const cents = Number((m[2] ?? "").padEnd(2, "0"));
  if (!Number.isSafeInteger(units * 100 + cents)) return null;
  return units * 100 + cents;
}

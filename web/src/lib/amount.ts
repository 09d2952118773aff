// parseAmount reads an amount typed the French way ("1 234,56", "1234.5",
// "40") into integer cents, without ever going through a float. It returns
// null for anything else. A minus sign is accepted only when signed (a
// credit note), never for a payment.
export function parseAmount(input: string, { signed = false } = {}): number | null {
  const s = input.replace(/[\s\u00a0\u202f€]/g, "").replace(",", ".").replace(/^[\u2212]/, "-");
  const m = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(s);
  if (!m || (m[1] && !signed)) return null;
  const units = Number(m[2]);
  const cents = units * 100 + Number((m[3] ?? "").padEnd(2, "0"));
  if (!Number.isSafeInteger(cents)) return null;
  return m[1] ? -cents : cents;
}

// fill puts values into a message's {name} slots: "Facture {n} annulée"
// with { n: "F-12" }. A slot without a value is left empty.
export const fill = (s: string, v: Record<string, string | number>) => s.replace(/\{(\w+)\}/g, (_, k: string) => String(v[k] ?? ""));

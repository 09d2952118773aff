import { describe, expect, it } from "vitest";
import { apiQuery, ariaSort, caseQueryString, emptyQuery, readCaseQuery, sortBy } from "./caseQuery";

describe("caseQuery", () => {
  it("reads back what it writes", () => {
    const q = { ...emptyQuery, q: "Dupont", stage: "formal_notice" as const, status: "open" as const, from: "2026-01-01", to: "2026-06-30", min: 123456, max: 500000, sort: "balance" as const, order: "asc" as const };
    const s = caseQueryString(q);
    expect(s).toBe("?q=Dupont&stage=formal_notice&status=open&from=2026-01-01&to=2026-06-30&min=123456&max=500000&sort=balance&order=asc");
    expect(readCaseQuery(s)).toEqual(q);
    expect(caseQueryString(emptyQuery)).toBe("");
  });
  it("drops what it cannot read", () => {
    const q = readCaseQuery("?stage=lost&status=gone&from=02/12/2026&min=12,5&max=-3&sort=password&order=asc");
    expect(q).toEqual(emptyQuery);
  });
  it("asks the API only for what is set", () => {
    expect(apiQuery(emptyQuery)).toEqual({});
    const p = apiQuery({ ...emptyQuery, stage: "closed", min: 0, sort: "debtor", order: "asc" });
    expect(Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined))).toEqual({ stage: ["closed"], min_balance_cents: 0, sort: "debtor", order: "asc" });
  });
  it("turns a column the other way on a second click", () => {
    let q = sortBy(emptyQuery, "balance");
    expect([q.sort, q.order, ariaSort(q, "balance"), ariaSort(q, "debtor")]).toEqual(["balance", "desc", "descending", "none"]);
    q = sortBy(q, "balance");
    expect(ariaSort(q, "balance")).toBe("ascending");
    q = sortBy(q, "debtor");
    expect([q.sort, q.order]).toEqual(["debtor", "asc"]);
    expect(ariaSort(emptyQuery, "placed")).toBe("none");
  });
});

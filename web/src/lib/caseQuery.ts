// The case list's filters and sort, kept in the page's address so that a
// link (or a reload, or a new tab) opens the same list: ?q=…&stage=…&
// status=…&from=YYYY-MM-DD&to=YYYY-MM-DD&min=<cents>&max=<cents>&sort=…&order=…
// Anything unreadable in the address is dropped, never sent.

export const sortColumns = ["placed", "reference", "debtor", "stage", "balance", "principal", "next_action"] as const;
export type SortColumn = (typeof sortColumns)[number];
export const stages = ["amicable", "formal_notice", "injunction", "irrecoverable", "closed"] as const;
export type Stage = (typeof stages)[number];

export interface CaseQuery {
  q: string;
  stage: Stage | "";
  status: "open" | "closed" | "";
  from: string; // placed on or after, YYYY-MM-DD
  to: string; // placed on or before
  min: number | null; // balance, cents
  max: number | null;
  sort: SortColumn | ""; // "": newest first
  order: "asc" | "desc";
}

export const emptyQuery: CaseQuery = { q: "", stage: "", status: "", from: "", to: "", min: null, max: null, sort: "", order: "desc" };

const isDate = (s: string) => /^\d{4}-\d{2}-\d{2}$/.test(s);
const cents = (s: string | null) => (s !== null && /^\d{1,15}$/.test(s) ? Number(s) : null);
function oneOf<T extends string>(list: readonly T[], v: string | null): T | "" {
  return v !== null && (list as readonly string[]).includes(v) ? (v as T) : "";
}

export function readCaseQuery(search: string): CaseQuery {
  const p = new URLSearchParams(search);
  const sort = oneOf(sortColumns, p.get("sort"));
  return {
    q: (p.get("q") ?? "").slice(0, 200),
    stage: oneOf(stages, p.get("stage")),
    status: oneOf(["open", "closed"] as const, p.get("status")),
    from: isDate(p.get("from") ?? "") ? p.get("from")! : "",
    to: isDate(p.get("to") ?? "") ? p.get("to")! : "",
    min: cents(p.get("min")),
    max: cents(p.get("max")),
    sort,
    order: sort && p.get("order") === "asc" ? "asc" : "desc",
  };
}

// caseQueryString writes the address's query for q, empty fields left out
// ("" when nothing is set).
export function caseQueryString(q: CaseQuery): string {
  const p = new URLSearchParams();
  if (q.q) p.set("q", q.q);
  if (q.stage) p.set("stage", q.stage);
  if (q.status) p.set("status", q.status);
  if (q.from) p.set("from", q.from);
  if (q.to) p.set("to", q.to);
  if (q.min !== null) p.set("min", String(q.min));
  if (q.max !== null) p.set("max", String(q.max));
  if (q.sort) {
    p.set("sort", q.sort);
    p.set("order", q.order);
  }
  const s = p.toString();
  return s ? `?${s}` : "";
}

// apiQuery is the list request's parameters for q (GET /api/v1/cases).
export function apiQuery(q: CaseQuery) {
  return {
    q: q.q || undefined,
    stage: q.stage ? [q.stage] : undefined,
    status: q.status || undefined,
    placed_from: q.from || undefined,
    placed_to: q.to || undefined,
    min_balance_cents: q.min ?? undefined,
    max_balance_cents: q.max ?? undefined,
    sort: q.sort || undefined,
    order: q.sort ? q.order : undefined,
  };
}

// The direction a column starts in when first clicked: amounts and the
// day placed largest or latest first, words and the next action in order.
const firstOrder: Record<SortColumn, "asc" | "desc"> = {
  placed: "desc", balance: "desc", principal: "desc", reference: "asc", debtor: "asc", stage: "asc", next_action: "asc",
};

// sortBy is the query after a click on a column's header: the same column
// turns the other way, another one starts in its own direction.
export function sortBy(q: CaseQuery, col: SortColumn): CaseQuery {
  if (q.sort === col) return { ...q, order: q.order === "asc" ? "desc" : "asc" };
  return { ...q, sort: col, order: firstOrder[col] };
}

// ariaSort is a column header's aria-sort for q (none of them without a
// sort: the list is then in the order cases were entered, newest first).
export function ariaSort(q: CaseQuery, col: SortColumn): "ascending" | "descending" | "none" {
  if (q.sort !== col) return "none";
  return q.order === "asc" ? "ascending" : "descending";
}

import type { Schemas } from "../api/client";
import { useI18n } from "../i18n";
import type { Key } from "../i18n/messages";
import { ariaSort, type CaseQuery, type SortColumn } from "../lib/caseQuery";
import { date, money } from "../lib/format";
import { Link } from "./Link";

type CaseSummary = Schemas["CaseSummary"];

// SortableCaseTable is the case list with a header per sortable column: a
// button that sorts by it (again: the other way), its state said by
// aria-sort on the header cell. The sort itself is the server's.
export function SortableCaseTable({ items, query, onSort }: { items: CaseSummary[]; query: CaseQuery; onSort: (col: SortColumn) => void }) {
  const { t, lang } = useI18n();
  const head = (col: SortColumn, label: Key, num = false) => {
    const state = ariaSort(query, col);
    return (
      <th scope="col" aria-sort={state} className={num ? "num" : undefined} data-sort={col}>
        <button type="button" className="sort" onClick={() => onSort(col)}>
          {t(label)}
          <span aria-hidden="true">{state === "ascending" ? "▲" : state === "descending" ? "▼" : "↕"}</span>
        </button>
      </th>
    );
  };
  return (
    <table className="cases cards" data-testid="case-list">
      <thead>
        <tr>
          {head("reference", "cases.reference")}
          {head("debtor", "cases.debtor")}
          {head("stage", "cases.stage")}
          {head("placed", "list.placed")}
          {head("balance", "cases.balance", true)}
          {head("next_action", "cases.next")}
        </tr>
      </thead>
      <tbody>
        {items.map((c) => (
          <tr key={c.id} data-id={c.id}>
            <td>
              <Link to={`/dossiers/${c.id}`}>{c.reference}</Link>
            </td>
            <td data-label={t("cases.debtor")}>{c.debtor_name}</td>
            <td data-label={t("cases.stage")}>{t(`stage.${c.stage}`)}</td>
            <td data-label={t("list.placed")}>{date(c.created_at, lang)}</td>
            <td className="num" data-label={t("cases.balance")} data-cents={c.balance_cents}>
              {money(c.balance_cents, c.currency, lang)}
            </td>
            <td data-label={t("cases.next")}>{date(c.next_action_on, lang)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

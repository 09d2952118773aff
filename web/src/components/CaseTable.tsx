import type { ReactNode } from "react";
import type { Schemas } from "../api/client";
import { useI18n } from "../i18n";
import type { Key } from "../i18n/messages";
import { money } from "../lib/format";
import { Link } from "./Link";

type CaseSummary = Schemas["CaseSummary"];

// CaseTable lists cases, each opening on its page: reference, debtor,
// stage, balance, and a last column the page chooses.
export function CaseTable({ items, lastHead, last }: { items: CaseSummary[]; lastHead: Key; last: (c: CaseSummary) => ReactNode }) {
  const { t, lang } = useI18n();
  return (
    <table className="cases cards">
      <thead>
        <tr>
          <th scope="col">{t("cases.reference")}</th>
          <th scope="col">{t("cases.debtor")}</th>
          <th scope="col">{t("cases.stage")}</th>
          <th scope="col" className="num">
            {t("cases.balance")}
          </th>
          <th scope="col">{t(lastHead)}</th>
        </tr>
      </thead>
      <tbody>
        {items.map((c) => (
          <tr key={c.id}>
            <td>
              <Link to={`/dossiers/${c.id}`}>{c.reference}</Link>
            </td>
            <td data-label={t("cases.debtor")}>{c.debtor_name}</td>
            <td data-label={t("cases.stage")}>{t(`stage.${c.stage}`)}</td>
            <td className="num" data-label={t("cases.balance")}>{money(c.balance_cents, c.currency, lang)}</td>
            <td data-label={t(lastHead)}>{last(c)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

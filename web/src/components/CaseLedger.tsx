import { useEffect, useState } from "react";
import { api, type Schemas } from "../api/client";
import { useI18n } from "../i18n";
import type { Key } from "../i18n/messages";
import { date, money } from "../lib/format";

// CaseLedger lists what a case is made of and what came in: every invoice
// and credit note, and every payment (date, amount, method, receipt;
// reversed ones struck through). It reads GET /api/v1/cases/{id}/payments,
// which answers in the caller's scope like the case itself; tick reads it
// again.
export function CaseLedger({ c, tick }: { c: Schemas["Case"]; tick: number }) {
  const { t, lang } = useI18n();
  const [payments, setPayments] = useState<Schemas["Payment"][] | null>(null);
  useEffect(() => {
    void api.GET("/api/v1/cases/{id}/payments", { params: { path: { id: c.id } } }).then(({ data }) => data && setPayments(data.items));
  }, [c.id, tick]);
  const cur = c.currency;
  const total = c.claims.reduce((n, cl) => n + cl.amount_cents, 0);
  return (
    <section aria-labelledby="ledger-title" className="ledger card">
      <h2 id="ledger-title">{t("ledger.claims")}</h2>
      <table data-testid="claims">
        <thead>
          <tr>
            <th scope="col">{t("ledger.number")}</th>
            <th scope="col">{t("ledger.kind")}</th>
            <th scope="col">{t("ledger.issued")}</th>
            <th scope="col">{t("ledger.due")}</th>
            <th scope="col" className="num">{t("ledger.amount")}</th>
          </tr>
        </thead>
        <tbody>
          {c.claims.map((cl) => (
            <tr key={cl.id}>
              <th scope="row">{cl.invoice_number}</th>
              <td>{cl.credit_note ? t("ledger.creditNote") : t("ledger.invoice")}</td>
              <td>{date(cl.issued_on, lang)}</td>
              <td>{cl.credit_note ? "—" : date(cl.due_on, lang)}</td>
              <td className="num">{money(cl.amount_cents, cur, lang)}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row" colSpan={4}>{t("ledger.total")}</th>
            <td className="num">{money(total, cur, lang)}</td>
          </tr>
        </tfoot>
      </table>
      <h2 id="payments-title">{t("ledger.payments")}</h2>
      {payments === null ? (
        <p className="status">{t("loading")}</p>
      ) : payments.length === 0 ? (
        <p>{t("ledger.noPayments")}</p>
      ) : (
        <table data-testid="payments" aria-labelledby="payments-title">
          <thead>
            <tr>
              <th scope="col">{t("ledger.received")}</th>
              <th scope="col" className="num">{t("ledger.amount")}</th>
              <th scope="col">{t("ledger.method")}</th>
              <th scope="col">{t("ledger.receipt")}</th>
            </tr>
          </thead>
          <tbody>
            {payments.map((p) => (
              <tr key={p.id} className={p.reversed_at ? "reversed" : undefined}>
                <td>{date(p.received_on, lang)}</td>
                <td className="num">{money(p.amount_cents, p.currency, lang)}</td>
                <td>
                  {t(`method.${p.method}` as Key)}
                  {p.reversed_at && <strong> — {t("ledger.reversed")}</strong>}
                </td>
                <td>{p.receipt_number}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

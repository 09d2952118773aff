import { useEffect, useState } from "react";
import { api, type Schemas } from "../api/client";
import { contactOutcome } from "../components/DebtorContact";
import { Link } from "../components/Link";
import { NextCase } from "../components/NextCase";
import { useI18n } from "../i18n";
import type { Key } from "../i18n/messages";
import { date, dateTime, money, type Lang } from "../lib/format";

type Item = Schemas["QueueItem"];

// Queue is the agent's home: the cases due for action, best first, each
// with its creditor, amount, days overdue, last contact, promises and why
// it stands where it does (the ranking's own reasons), the queue's total,
// and "Dossier suivant" (button and s) that hands over one case nobody
// else holds.
export function Queue() {
  const { t, lang } = useI18n();
  const [q, setQueue] = useState<{ items: Item[]; total: number } | null>(null);

  useEffect(() => {
    void api.GET("/api/v1/queue", { params: { query: { limit: 50 } } }).then(({ data }) => setQueue(data ?? { items: [], total: 0 }));
  }, []);

  return (
    <section aria-labelledby="queue-title">
      <h1 id="queue-title">{t("queue.title")}</h1>
      <NextCase primary />
      {q === null ? (
        <p className="status">{t("loading")}</p>
      ) : q.items.length === 0 ? (
        <p className="status">{t("queue.empty")}</p>
      ) : (
        <>
          <p data-testid="queue-total">
            <strong>{q.total}</strong> {t(q.total === 1 ? "queue.total1" : "queue.totalN")}
            {q.total > q.items.length && ` (${q.items.length} ${t("queue.shown")})`}
          </p>
          <table className="cases cards queue" data-testid="queue">
            <thead>
              <tr>
                <th scope="col">{t("queue.col.case")}</th>
                <th scope="col">{t("queue.col.debtor")}</th>
                <th scope="col">{t("queue.col.creditor")}</th>
                <th scope="col" className="num">{t("queue.col.balance")}</th>
                <th scope="col" className="num">{t("queue.col.overdue")}</th>
                <th scope="col">{t("queue.col.lastContact")}</th>
                <th scope="col">{t("queue.col.promise")}</th>
                <th scope="col">{t("queue.col.why")}</th>
              </tr>
            </thead>
            <tbody>
              {q.items.map((c) => (
                <tr key={c.id}>
                  <td data-label={t("queue.col.case")}>
                    <Link to={`/dossiers/${c.id}`}>{c.reference}</Link>
                  </td>
                  <td data-label={t("queue.col.debtor")}>{c.debtor_name}</td>
                  <td data-label={t("queue.col.creditor")}>{c.creditor_name}</td>
                  <td data-label={t("queue.col.balance")} className="num">{money(c.balance_cents, c.currency, lang)}</td>
                  <td data-label={t("queue.col.overdue")} className="num">
                    {c.days_overdue} {t("queue.days")}
                  </td>
                  <td data-label={t("queue.col.lastContact")}>
                    {c.last_contact ? (
                      <>
                        <time dateTime={c.last_contact.at}>{dateTime(c.last_contact.at, lang)}</time> — {t(`contact.${c.last_contact.type}` as Key)}
                        {c.last_contact.outcome && ` (${contactOutcome(t, c.last_contact.type, c.last_contact.outcome)})`}
                      </>
                    ) : (
                      t("queue.never")
                    )}
                  </td>
                  <td data-label={t("queue.col.promise")}>{promises(t, lang, c)}</td>
                  <td data-label={t("queue.col.why")}>
                    <ul className="reasons">
                      {c.reasons.map((r) => (
                        <li key={r.code}>{reason(t, lang, c, r.code)}</li>
                      ))}
                    </ul>
                    {c.call_task && <p className="hint" data-testid="call-script">{c.call_task.script}</p>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}

// promises says the pending promise and the broken ones.
function promises(t: (k: Key) => string, lang: Lang, c: Item): string {
  const parts: string[] = [];
  if (c.promise_due_on && c.promise_amount_cents !== null)
    parts.push(`${t("queue.promiseOf")} ${money(c.promise_amount_cents, c.currency, lang)} ${t("queue.promiseOn")} ${date(c.promise_due_on, lang)}`);
  if (c.broken_promises > 0) parts.push(`✗ ${c.broken_promises} ${t(c.broken_promises === 1 ? "queue.broken1" : "queue.brokenN")}`);
  return parts.join(" · ") || "—";
}

// reason says one of the ranking's reasons in the reader's language, from
// the case's own fields (the API gives the French words too).
export function reason(t: (k: Key) => string, lang: Lang, c: Item, code: Schemas["QueueReason"]["code"]): string {
  const fill = (k: Key, vars: Record<string, string>) => Object.entries(vars).reduce((s, [name, v]) => s.replace(`{${name}}`, v), t(k));
  switch (code) {
    case "held":
      return t("queue.reason.held");
    case "call_task_due":
      return t("queue.reason.call_task_due");
    case "promise_to_check":
      return fill("queue.reason.promise_to_check", { date: date(c.promise_due_on, lang) });
    case "priority":
      return fill("queue.reason.priority", { p: t(`priority.${Math.min(Math.max(c.priority, 0), 3)}` as Key) });
    case "broken_promises":
      return fill("queue.reason.broken_promises", { n: String(c.broken_promises), promises: t(c.broken_promises === 1 ? "queue.broken1" : "queue.brokenN") });
    case "balance":
      return fill("queue.reason.balance", { amount: money(c.balance_cents, c.currency, lang) });
  }
}

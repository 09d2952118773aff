import { useCallback, useEffect, useMemo, useState } from "react";
import { api, type Schemas } from "../../api/client";
import { ExportButtons } from "../../components/ExportButtons";
import { useI18n } from "../../i18n";
import { fill, moneyEn, moneyFr, type MoneyKey } from "../../i18n/money";
import { allCreditors } from "../../lib/creditors";
import { date, money } from "../../lib/format";
import { LoadError } from "./LoadError";

type Balances = Schemas["LedgerBalances"];
type Entry = Schemas["LedgerEntry"];
type Month = Schemas["CommissionMonth"];

const entriesShown = 200;

// Ledger is the accounting screen of the client account: what is held for
// each creditor (and what is held longer than R124-6 allows), what the
// agency earned each month, and the entries themselves. Each list has its
// CSV and Excel export.
export function Ledger() {
  const { t, lang } = useI18n();
  const m = (k: MoneyKey) => (lang === "en" ? moneyEn : moneyFr)[k];
  const [overdueOnly, setOverdueOnly] = useState(false);
  const [balances, setBalances] = useState<Balances | null>(null);
  const [months, setMonths] = useState<Month[] | null>(null);
  const [entries, setEntries] = useState<{ items: Entry[]; truncated: boolean } | null>(null);
  const [creditorId, setCreditorId] = useState("");
  const [creditors, setCreditors] = useState<Schemas["Creditor"][]>([]);
  const [failed, setFailed] = useState(false);

  const names = useMemo(() => new Map(creditors.map((c) => [c.id, c.legal_name])), [creditors]);
  useEffect(() => void allCreditors().then((cs) => cs && setCreditors(cs)), []);

  const load = useCallback(async () => {
    setFailed(false);
    const [b, c] = await Promise.all([
      api.GET("/api/v1/ledger/balances", { params: { query: { overdue: overdueOnly } } }),
      api.GET("/api/v1/ledger/commission"),
    ]);
    if (!b.data || !c.data) return setFailed(true);
    setBalances(b.data);
    setMonths(c.data.months);
  }, [overdueOnly]);
  useEffect(() => void load(), [load]);

  const loadEntries = useCallback(async () => {
    const { data } = await api.GET("/api/v1/ledger/entries", { params: { query: { creditor_id: creditorId || undefined, limit: entriesShown } } });
    if (!data) return setFailed(true);
    setEntries(data);
  }, [creditorId]);
  useEffect(() => void loadEntries(), [loadEntries]);

  if (failed) return <LoadError onRetry={() => (void load(), void loadEntries())} />;
  if (!balances || !months) return <p>{t("admin.loading")}</p>;
  const cur = balances.currency;
  const accountName = (e: Entry) => {
    const base = m(`account.${e.account.split(":")[0]}` as MoneyKey) ?? e.account;
    return e.creditor_id ? `${base} — ${names.get(e.creditor_id) ?? e.creditor_id}` : base;
  };

  return (
    <section aria-labelledby="ledger-title" data-testid="ledger">
      <h1 id="ledger-title">{m("ledgerTitle")}</h1>
      <p className="hint">{m("ledgerIntro")}</p>
      <p className="status">
        {m("asOf")} {date(balances.as_of, lang)}
      </p>
      <dl className="figures" data-testid="ledger-figures">
        {balances.client_bank_cents != null && (
          <div className="figure">
            <dt>{m("clientBank")}</dt>
            <dd>{money(balances.client_bank_cents, cur, lang)}</dd>
          </div>
        )}
        <div className="figure">
          <dt>{m("heldTotal")}</dt>
          <dd data-testid="held-total">{money(balances.held_total_cents, cur, lang)}</dd>
        </div>
        <div className="figure">
          <dt>{m("overdueTotal")}</dt>
          <dd data-testid="overdue-total">{money(balances.overdue_total_cents, cur, lang)}</dd>
        </div>
        {balances.unexplained_cents != null && (
          <div className="figure">
            <dt>{m("unexplained")}</dt>
            <dd data-testid="unexplained">{money(balances.unexplained_cents, cur, lang)}</dd>
            <dd className="hint">{m("unexplainedHint")}</dd>
          </div>
        )}
      </dl>

      <h2>{m("balancesTitle")}</h2>
      <div className="filters">
        <label className="check">
          <input type="checkbox" checked={overdueOnly} onChange={(e) => setOverdueOnly(e.target.checked)} /> {m("overdueOnly")}
        </label>
        <ExportButtons path="/api/v1/ledger/balances/export" params={{ overdue: overdueOnly || undefined }} fallback="soldes" testid="balances-export" />
      </div>
      {balances.creditors.length === 0 ? (
        <p>{m("noBalance")}</p>
      ) : (
        <table className="cards" data-testid="balances">
          <thead>
            <tr>
              <th scope="col">{m("creditor")}</th>
              <th scope="col" className="num">{m("held")}</th>
              <th scope="col" className="num">{m("receivable")}</th>
              <th scope="col" className="num">{m("overdue")}</th>
              <th scope="col">{m("delay")}</th>
            </tr>
          </thead>
          <tbody>
            {balances.creditors.map((c) => (
              <tr key={c.creditor_id} className={c.overdue_cents > 0 ? "warn" : undefined}>
                <td data-label={m("creditor")}>{c.legal_name}</td>
                <td data-label={m("held")} className="num">{money(c.held_cents, cur, lang)}</td>
                <td data-label={m("receivable")} className="num" title={m("receivableHint")}>{money(c.commission_receivable_cents, cur, lang)}</td>
                <td data-label={m("overdue")} className="num">
                  {money(c.overdue_cents, cur, lang)}
                  {c.oldest_overdue_on && <div className="hint">{m("since")} {date(c.oldest_overdue_on, lang)}</div>}
                </td>
                <td data-label={m("delay")}>{c.remit_within_days ? fill(m("days"), { n: c.remit_within_days }) : m("oneMonth")}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <h2>{m("commissionTitle")}</h2>
      <ExportButtons path="/api/v1/ledger/commission/export" fallback="commissions" testid="commission-export" />
      <table className="cards" data-testid="commission">
        <thead>
          <tr>
            <th scope="col">{m("month")}</th>
            <th scope="col" className="num">{m("commission")}</th>
            <th scope="col" className="num">{m("fees")}</th>
            <th scope="col" className="num">{m("vat")}</th>
            <th scope="col" className="num">{m("gross")}</th>
          </tr>
        </thead>
        <tbody>
          {months.map((x) => (
            <tr key={x.month}>
              <td data-label={m("month")}>{x.month.slice(5)}/{x.month.slice(0, 4)}</td>
              <td data-label={m("commission")} className="num">{money(x.commission_cents, cur, lang)}</td>
              <td data-label={m("fees")} className="num">{money(x.fees_cents, cur, lang)}</td>
              <td data-label={m("vat")} className="num">{money(x.vat_cents, cur, lang)}</td>
              <td data-label={m("gross")} className="num">{money(x.commission_cents + x.fees_cents + x.vat_cents, cur, lang)}</td>
            </tr>
          ))}
        </tbody>
      </table>

      <h2>{m("entriesTitle")}</h2>
      <p className="hint">{m("entriesIntro")}</p>
      <div className="filters">
        <label>
          {m("creditor")}
          <select value={creditorId} onChange={(e) => setCreditorId(e.target.value)}>
            <option value="">{m("allCreditors")}</option>
            {creditors.map((c) => (
              <option key={c.id} value={c.id}>{c.legal_name}</option>
            ))}
          </select>
        </label>
        <ExportButtons path="/api/v1/ledger/entries/export" params={{ creditor_id: creditorId || undefined }} fallback="ecritures" testid="entries-export" />
      </div>
      {entries === null ? null : entries.items.length === 0 ? (
        <p>{m("noEntry")}</p>
      ) : (
        <>
          {entries.truncated && <p className="hint">{fill(m("truncated"), { n: entriesShown })}</p>}
          <table className="cards" data-testid="entries">
            <thead>
              <tr>
                <th scope="col">{m("bookedOn")}</th>
                <th scope="col">{m("operation")}</th>
                <th scope="col">{m("account")}</th>
                <th scope="col" className="num">{m("debit")}</th>
                <th scope="col" className="num">{m("credit")}</th>
              </tr>
            </thead>
            <tbody>
              {entries.items.map((e) => (
                <tr key={e.id}>
                  <td data-label={m("bookedOn")}>{date(e.booked_on, lang)}</td>
                  <td data-label={m("operation")}>{m(`kind.${e.kind}` as MoneyKey) ?? e.kind}</td>
                  <td data-label={m("account")}>{accountName(e)}</td>
                  <td data-label={m("debit")} className="num">{e.amount_cents > 0 ? money(e.amount_cents, e.currency, lang) : ""}</td>
                  <td data-label={m("credit")} className="num">{e.amount_cents < 0 ? money(-e.amount_cents, e.currency, lang) : ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}

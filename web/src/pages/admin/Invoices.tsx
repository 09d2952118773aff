import { useCallback, useEffect, useRef, useState, type FormEvent } from "react";
import { api, type Problem, type Schemas } from "../../api/client";
import { useI18n } from "../../i18n";
import { fill, moneyEn, moneyFr, vatRate, type MoneyKey } from "../../i18n/money";
import { Submission } from "../../lib/confirm";
import { allCreditors } from "../../lib/creditors";
import { date, money } from "../../lib/format";
import { saveFile } from "../../lib/saveFile";
import { LoadError } from "./LoadError";

type Invoice = Schemas["Invoice"];

// problemText is an API refusal in its own words: the detail, then each
// field's message (a correction refused says why there).
function problemText(body: unknown): string {
  const p = (body ?? {}) as Partial<Problem>;
  return [p.detail ?? p.title, ...(p.errors ?? []).map((e) => e.message)].filter(Boolean).join(" ");
}

// Invoices is the accounting screen of the agency's own invoices for its
// commission, one per creditor and booked remittance run, and of the
// credit notes cancelling them: newest first, each with its PDF and its
// EN 16931 XML, and the correction of an invoice (a credit note and a
// replacing invoice, never an edit) after a reason and a confirmation.
export function Invoices() {
  const { t, lang } = useI18n();
  const m = (k: MoneyKey) => (lang === "en" ? moneyEn : moneyFr)[k];
  const [invoices, setInvoices] = useState<Invoice[] | null>(null);
  const [failed, setFailed] = useState(false);
  const [creditors, setCreditors] = useState<Schemas["Creditor"][]>([]);
  const [creditorId, setCreditorId] = useState("");
  const [correcting, setCorrecting] = useState<Invoice | null>(null);
  const [reason, setReason] = useState("");
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState("");
  const [error, setError] = useState("");
  // One Idempotency-Key per submission: a retry of the same correction
  // after a lost answer issues one credit note, not two.
  const submission = useRef(new Submission());

  useEffect(() => void allCreditors().then((cs) => cs && setCreditors(cs)), []);
  const load = useCallback(async () => {
    setFailed(false);
    const { data } = await api.GET("/api/v1/invoices", { params: { query: { creditor_id: creditorId || undefined, limit: 500 } } });
    if (!data) return setFailed(true);
    setInvoices(data.items);
  }, [creditorId]);
  useEffect(() => void load(), [load]);

  const fetchFile = async (url: string, name: string) => {
    if (!(await saveFile(url, name))) setError(m("downloadFailed"));
  };

  const startCorrection = (inv: Invoice) => {
    setCorrecting(inv);
    setReason("");
    setConfirming(false);
    setStatus("");
    setError("");
  };
  const stopCorrection = () => {
    setCorrecting(null);
    setConfirming(false);
  };

  const askConfirmation = (e: FormEvent) => {
    e.preventDefault();
    if (reason.trim()) setConfirming(true);
  };

  const correct = async (inv: Invoice) => {
    if (busy) return;
    setBusy(true);
    setError("");
    const body = { reason: reason.trim() };
    const key = submission.current.keyFor({ id: inv.id, ...body });
    const { data, error: refusal, response } = await api.POST("/api/v1/invoices/{id}/correct", {
      params: { path: { id: inv.id }, header: { "Idempotency-Key": key } },
      body,
    });
    // A refusal is final: the next submission gets a new key. A server
    // error or a lost answer keeps it, so sending again is safe.
    if (data || response.status < 500) submission.current.done();
    setBusy(false);
    setConfirming(false);
    if (!data) return setError(`${m("failed")} ${problemText(refusal)}`);
    setCorrecting(null);
    setStatus(fill(m("corrected"), { n: inv.number, cn: data.credit_note.number, ni: data.invoice.number }));
    void load();
  };

  // The numbers of the invoices and credit notes listed, to name the one
  // a credit note cancels or an invoice was cancelled by.
  const numbers = new Map((invoices ?? []).map((i) => [i.id, i.number]));

  return (
    <section aria-labelledby="invoices-title" data-testid="invoices">
      <h1 id="invoices-title">{m("invoicesTitle")}</h1>
      <p className="hint">{m("invoicesIntro")}</p>
      <label>
        {m("creditor")}{" "}
        <select value={creditorId} onChange={(e) => setCreditorId(e.target.value)} data-testid="invoices-creditor">
          <option value="">{m("allCreditors")}</option>
          {creditors.map((c) => (
            <option key={c.id} value={c.id}>{c.legal_name}</option>
          ))}
        </select>
      </label>
      {status && <p role="status" data-testid="invoice-status">{status}</p>}
      {error && <p role="alert" className="error" data-testid="invoice-error">{error}</p>}

      {correcting && (
        <form className="card admin-form" onSubmit={askConfirmation} aria-labelledby="invoice-correct-title" data-testid="invoice-correct-form">
          <h2 id="invoice-correct-title">{fill(m("correctTitle"), { n: correcting.number })}</h2>
          <p className="hint">{m("correctHint")}</p>
          <label>
            {m("reason")}
            <input value={reason} onChange={(e) => setReason(e.target.value)} required maxLength={500} disabled={busy || confirming} data-testid="invoice-reason" />
          </label>
          {!confirming && (
            <div className="actions">
              <button type="submit" disabled={busy || !reason.trim()} data-testid="invoice-correct-next">{m("correctNext")}</button>{" "}
              <button type="button" className="secondary" onClick={stopCorrection}>{m("close")}</button>
            </div>
          )}
          {confirming && (
            <div role="alertdialog" aria-labelledby="invoice-confirm" className="card" data-testid="invoice-confirm">
              <p id="invoice-confirm">{fill(m("confirmCorrect"), { n: correcting.number })}</p>
              <button type="button" disabled={busy} onClick={() => void correct(correcting)} data-testid="invoice-confirm-yes">
                {busy ? m("correcting") : m("correct")}
              </button>{" "}
              <button type="button" className="secondary" disabled={busy} onClick={() => setConfirming(false)}>{m("close")}</button>
            </div>
          )}
        </form>
      )}

      {failed ? (
        <LoadError onRetry={() => void load()} />
      ) : invoices === null ? (
        <p>{t("admin.loading")}</p>
      ) : invoices.length === 0 ? (
        <p>{m("noInvoices")}</p>
      ) : (
        <table className="cards" data-testid="invoices-list">
          <thead>
            <tr>
              <th scope="col">{m("invoiceNumber")}</th>
              <th scope="col">{m("invoiceKind")}</th>
              <th scope="col">{m("creditor")}</th>
              <th scope="col">{m("issuedOn")}</th>
              <th scope="col">{m("period")}</th>
              <th scope="col" className="num">{m("netExclVat")}</th>
              <th scope="col" className="num">{m("vat")}</th>
              <th scope="col" className="num">{m("grossInclVat")}</th>
              <th scope="col">{t("admin.actions")}</th>
            </tr>
          </thead>
          <tbody>
            {invoices.map((i) => (
              <tr key={i.id} data-testid="invoice-row" data-number={i.number} data-kind={i.kind}>
                <td data-label={m("invoiceNumber")} style={{ whiteSpace: "nowrap" }}>
                  {i.number}
                </td>
                <td data-label={m("invoiceKind")}>
                  {m(`kind.${i.kind}`)}
                  {i.kind === "credit_note" && (i.corrects_number || (i.corrects_id && numbers.get(i.corrects_id))) && (
                    <div className="hint">{fill(m("cancels"), { n: i.corrects_number || numbers.get(i.corrects_id ?? "") || "" })}</div>
                  )}
                  {i.kind === "invoice" && i.credited_by && (
                    <div className="hint">{fill(m("cancelledBy"), { n: numbers.get(i.credited_by) ?? "" })}</div>
                  )}
                </td>
                <td data-label={m("creditor")}>{i.buyer.name}</td>
                <td data-label={m("issuedOn")}>{date(i.issued_on, lang)}</td>
                <td data-label={m("period")}>{date(i.period_from, lang)} – {date(i.period_to, lang)}</td>
                <td data-label={m("netExclVat")} className="num">{money(i.net_cents, i.currency, lang)}</td>
                <td data-label={m("vat")} className="num" title={fill(m("vatAt"), { rate: vatRate(i.vat_rate_bps, lang) })}>{money(i.vat_cents, i.currency, lang)}</td>
                <td data-label={m("grossInclVat")} className="num">{money(i.gross_cents, i.currency, lang)}</td>
                <td data-label={t("admin.actions")}>
                  <button type="button" className="secondary" onClick={() => void fetchFile(`/api/v1/invoices/${i.id}/pdf`, `${i.number}.pdf`)} data-testid="invoice-pdf">
                    {m("pdf")}
                  </button>{" "}
                  <button type="button" className="secondary" onClick={() => void fetchFile(`/api/v1/invoices/${i.id}/cii`, `${i.number}.xml`)} data-testid="invoice-cii">
                    {m("cii")}
                  </button>
                  {i.kind === "invoice" && !i.credited_by && (
                    <>
                      {" "}
                      <button type="button" disabled={busy} onClick={() => startCorrection(i)} data-testid="invoice-correct">{m("correct")}</button>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

import { useCallback, useEffect, useState, type FormEvent } from "react";
import { api, type Problem, type Schemas } from "../../api/client";
import { ExportButtons } from "../../components/ExportButtons";
import { useI18n } from "../../i18n";
import { fill, moneyEn, moneyFr, vatRate, type MoneyKey } from "../../i18n/money";
import { allCreditors } from "../../lib/creditors";
import { date, money } from "../../lib/format";
import { saveFile } from "../../lib/saveFile";
import { LoadError } from "./LoadError";

type Run = Schemas["RemittanceRun"];
type Action = "book" | "sent" | "cancel";

// problemText is an API refusal in its own words: the detail, then each
// field's message (a run refused names the reason there).
function problemText(body: unknown): string {
  const p = (body ?? {}) as Partial<Problem>;
  return [p.detail ?? p.title, ...(p.errors ?? []).map((e) => e.message)].filter(Boolean).join(" ");
}

// RemittanceRuns is the admin's screen for paying creditors what the
// client account holds for them: draw up a run (a draft whose figures can
// be read before anything moves), book it, download its SEPA transfer
// file and statements, mark the file sent, or cancel it before then.
export function RemittanceRuns() {
  const { t, lang } = useI18n();
  const m = (k: MoneyKey) => (lang === "en" ? moneyEn : moneyFr)[k];
  const [runs, setRuns] = useState<Run[] | null>(null);
  const [failed, setFailed] = useState(false);
  const [creditors, setCreditors] = useState<Schemas["Creditor"][]>([]);
  const [creditorId, setCreditorId] = useState("");
  const [busy, setBusy] = useState(false);
  const [open, setOpen] = useState<Run | null>(null);
  const [confirming, setConfirming] = useState<Action | null>(null);
  const [status, setStatus] = useState("");
  const [error, setError] = useState("");

  useEffect(() => void allCreditors().then((cs) => cs && setCreditors(cs)), []);
  const load = useCallback(async () => {
    setFailed(false);
    const { data } = await api.GET("/api/v1/remittance-runs", { params: { query: { limit: 200 } } });
    if (!data) return setFailed(true);
    setRuns(data.items);
  }, []);
  useEffect(() => void load(), [load]);

  const show = async (id: string) => {
    const { data } = await api.GET("/api/v1/remittance-runs/{id}", { params: { path: { id } } });
    if (data) setOpen(data);
  };

  const drawUp = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError("");
    setStatus("");
    const { data, error: refusal } = await api.POST("/api/v1/remittance-runs", { body: { creditor_id: creditorId || undefined } });
    setBusy(false);
    if (!data) return setError(`${m("failed")} ${problemText(refusal)}`);
    setOpen(data);
    void load();
  };

  const act = async (run: Run, action: Action) => {
    setConfirming(null);
    setBusy(true);
    setError("");
    const params = { params: { path: { id: run.id } } };
    const { data, error: refusal } =
      action === "book"
        ? await api.POST("/api/v1/remittance-runs/{id}/book", params)
        : action === "sent"
          ? await api.POST("/api/v1/remittance-runs/{id}/sent", params)
          : await api.POST("/api/v1/remittance-runs/{id}/cancel", params);
    setBusy(false);
    if (!data) return setError(`${m("failed")} ${problemText(refusal)}`);
    setOpen(data);
    setStatus(`${fill(m("runOf"), { ref: data.reference })} : ${m(`state.${data.state}`)}.`);
    void load();
  };

  const fetchFile = async (url: string, name: string) => {
    if (!(await saveFile(url, name))) setError(m("downloadFailed"));
  };

  const stamp = (r: Run) =>
    [
      r.booked_at && fill(m("bookedAt"), { d: date(r.booked_at, lang) }),
      r.sent_at && fill(m("sentAt"), { d: date(r.sent_at, lang) }),
      r.cancelled_at && fill(m("cancelledAt"), { d: date(r.cancelled_at, lang) }),
    ]
      .filter(Boolean)
      .join(", ");

  return (
    <section aria-labelledby="runs-title" data-testid="runs">
      <h1 id="runs-title">{m("runsTitle")}</h1>
      <p className="hint">{m("runsIntro")}</p>
      <form className="card admin-form" onSubmit={(e) => void drawUp(e)} aria-labelledby="run-new-title" data-testid="run-new">
        <h2 id="run-new-title">{m("newRun")}</h2>
        <label>
          {m("forWhom")}
          <select value={creditorId} onChange={(e) => setCreditorId(e.target.value)} data-testid="run-creditor">
            <option value="">{m("everyCreditor")}</option>
            {creditors.map((c) => (
              <option key={c.id} value={c.id}>{c.legal_name}</option>
            ))}
          </select>
        </label>
        <button type="submit" disabled={busy}>{busy ? m("drawing") : m("drawUp")}</button>
      </form>
      {status && <p role="status" data-testid="run-status">{status}</p>}
      {error && <p role="alert" className="error" data-testid="run-error">{error}</p>}

      {open && (
        <section className="card" aria-labelledby="run-open-title" data-testid="run-open">
          <h2 id="run-open-title">
            {fill(m("runOf"), { ref: open.reference })} — <span data-testid="run-state">{m(`state.${open.state}`)}</span>
          </h2>
          <p className="hint">
            {m("createdAt")} {date(open.created_at, lang)}
            {stamp(open) && ` — ${stamp(open)}`}
          </p>
          <table className="cards" data-testid="run-lines">
            <thead>
              <tr>
                <th scope="col">{m("creditor")}</th>
                <th scope="col">{m("iban")}</th>
                <th scope="col">{m("period")}</th>
                <th scope="col" className="num">{m("held")}</th>
                <th scope="col" className="num">{m("commissionNet")}</th>
                <th scope="col" className="num">{m("vat")}</th>
                <th scope="col" className="num">{m("commissionGross")}</th>
                <th scope="col" className="num">{m("net")}</th>
                <th scope="col">{m("statement")}</th>
              </tr>
            </thead>
            <tbody>
              {open.lines.map((l) => (
                <tr key={l.creditor_id} data-testid="run-line">
                  <td data-label={m("creditor")}>{l.legal_name}</td>
                  <td data-label={m("iban")}>{l.iban}</td>
                  <td data-label={m("period")}>{date(l.period_from, lang)} – {date(l.period_to, lang)}</td>
                  <td data-label={m("held")} className="num">{money(l.held_cents, l.currency, lang)}</td>
                  <td data-label={m("commissionNet")} className="num">{money(l.commission_net_cents, l.currency, lang)}</td>
                  <td data-label={m("vat")} className="num" title={fill(m("vatAt"), { rate: vatRate(l.vat_rate_bps, lang) })}>{money(l.vat_cents, l.currency, lang)}</td>
                  <td data-label={m("commissionGross")} className="num">{money(l.commission_gross_cents, l.currency, lang)}</td>
                  <td data-label={m("net")} className="num" data-testid="run-line-net">{money(l.net_cents, l.currency, lang)}</td>
                  <td data-label={m("statement")}>
                    {l.document_id && (
                      <button type="button" className="secondary" onClick={() => void fetchFile(`/api/v1/documents/${l.document_id}/content`, `releve-${l.end_to_end_id}.pdf`)}>
                        {m("download")}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {open.skipped.length > 0 && (
            <>
              <h3>{m("skippedTitle")}</h3>
              <ul data-testid="run-skipped">
                {open.skipped.map((s) => (
                  <li key={s.creditor_id}>
                    {s.legal_name} — {s.reason}
                  </li>
                ))}
              </ul>
            </>
          )}
          <div className="actions">
            {open.state === "draft" && (
              <button type="button" disabled={busy} onClick={() => void act(open, "book")} data-testid="run-book">{m("book")}</button>
            )}
            {open.state === "booked" && (
              <button type="button" className="secondary" onClick={() => void fetchFile(`/api/v1/remittance-runs/${open.id}/pain001`, `pain001-${open.reference}.xml`)} data-testid="run-pain001">
                {m("pain001")}
              </button>
            )}
            {open.state === "booked" && (
              <button type="button" disabled={busy} onClick={() => setConfirming("sent")} data-testid="run-sent">{m("markSent")}</button>
            )}
            {(open.state === "draft" || open.state === "booked") && (
              <button type="button" className="secondary" disabled={busy} onClick={() => setConfirming("cancel")} data-testid="run-cancel">{m("cancel")}</button>
            )}
            {open.state === "sent" && (
              <button type="button" className="secondary" onClick={() => void fetchFile(`/api/v1/remittance-runs/${open.id}/pain001`, `pain001-${open.reference}.xml`)}>
                {m("pain001")}
              </button>
            )}
            <ExportButtons path={`/api/v1/remittance-runs/${open.id}/export`} fallback={`reversement-${open.reference}`} testid="run-export" />
            <button type="button" className="secondary" onClick={() => setOpen(null)}>{m("close")}</button>
          </div>
          {confirming && (
            <div role="alertdialog" aria-labelledby="run-confirm" className="card" data-testid="run-confirm">
              <p id="run-confirm">{confirming === "cancel" ? m("confirmCancel") : m("confirmSent")}</p>
              <button type="button" onClick={() => void act(open, confirming)} data-testid="run-confirm-yes">{confirming === "cancel" ? m("cancel") : m("markSent")}</button>{" "}
              <button type="button" className="secondary" onClick={() => setConfirming(null)}>{m("close")}</button>
            </div>
          )}
        </section>
      )}

      <h2>{m("runsTitle")}</h2>
      <ExportButtons path="/api/v1/remittance-runs/export" fallback="reversements" testid="runs-export" />
      {failed ? (
        <LoadError onRetry={() => void load()} />
      ) : runs === null ? (
        <p>{t("admin.loading")}</p>
      ) : runs.length === 0 ? (
        <p>{m("noRun")}</p>
      ) : (
        <table className="cards" data-testid="runs-list">
          <thead>
            <tr>
              <th scope="col">{m("reference")}</th>
              <th scope="col">{m("state")}</th>
              <th scope="col">{m("forWhom")}</th>
              <th scope="col" className="num">{m("transfers")}</th>
              <th scope="col" className="num">{m("totalNet")}</th>
              <th scope="col">{m("createdAt")}</th>
              <th scope="col">{t("admin.actions")}</th>
            </tr>
          </thead>
          <tbody>
            {runs.map((r) => (
              <tr key={r.id}>
                <td data-label={m("reference")}>{r.reference}</td>
                <td data-label={m("state")}>
                  {m(`state.${r.state}`)}
                  {stamp(r) && <div className="hint">{stamp(r)}</div>}
                </td>
                <td data-label={m("forWhom")}>{r.creditor_id ? (creditors.find((c) => c.id === r.creditor_id)?.legal_name ?? r.creditor_id) : m("allCreditors")}</td>
                <td data-label={m("transfers")} className="num">{r.transfers}</td>
                <td data-label={m("totalNet")} className="num">{money(r.total_net_cents, r.currency, lang)}</td>
                <td data-label={m("createdAt")}>{date(r.created_at, lang)}</td>
                <td data-label={t("admin.actions")}>
                  <button type="button" className="secondary" onClick={() => void show(r.id)}>{m("open")}</button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

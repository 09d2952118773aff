import { useEffect, useRef, useState, type FormEvent } from "react";
import { api, type Problem, type Schemas } from "../../api/client";
import { useI18n } from "../../i18n";
import type { Key } from "../../i18n/messages";
import { date, money } from "../../lib/format";
import { upload } from "../../lib/upload";
import { LoadError } from "./LoadError";

type Entry = Schemas["BankEntry"];
type Result = Schemas["BankImportResult"];
type Format = "" | "camt.053" | "cfonb120";

// problemText is an API refusal in its own words: the detail, then each
// field's message (a statement refused names its line and element there).
function problemText(body: unknown): string {
  const p = (body ?? {}) as Partial<Problem>;
  return [p.detail ?? p.title, ...(p.errors ?? []).map((e) => e.message)].filter(Boolean).join(" ");
}

// BankStatements is the admin's bank screen: import a statement of the
// agency's account, see what became of its entries, and work the transfers
// no case was sure enough for — book each to a suggested case or reject it.
export function BankStatements() {
  const { t, lang } = useI18n();
  const [format, setFormat] = useState<Format>("");
  const [progress, setProgress] = useState<number | null>(null);
  const [result, setResult] = useState<Result | null>(null);
  const [error, setError] = useState("");
  const file = useRef<HTMLInputElement>(null);

  const [entries, setEntries] = useState<Entry[] | null>(null);
  const [next, setNext] = useState<string | undefined>();
  const [loadError, setLoadError] = useState(false);
  const [reasons, setReasons] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState("");
  const [status, setStatus] = useState("");
  const [actionError, setActionError] = useState("");

  const load = async (cursor?: string) => {
    setLoadError(false);
    const { data } = await api.GET("/api/v1/bank-entries", { params: { query: { status: "unmatched", cursor } } });
    if (!data) return setLoadError(true);
    setEntries((prev) => (cursor ? [...(prev ?? []), ...data.items] : data.items));
    setNext(data.next_cursor);
  };
  useEffect(() => void load(), []);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const f = file.current?.files?.[0];
    setResult(null);
    if (!f) return setError(t("bank.fileRequired"));
    setError("");
    const form = new FormData();
    if (format) form.set("format", format);
    form.set("file", f, f.name);
    setProgress(0);
    const { status, body } = await upload("/api/v1/bank-statements", form, setProgress);
    setProgress(null);
    if (status !== 201) return setError(`${t("bank.refused")} ${problemText(body)}`);
    if (file.current) file.current.value = "";
    setResult(body as Result);
    void load();
  };

  const book = async (entry: Entry, caseId: string, reference: string) => {
    setBusy(entry.id);
    setActionError("");
    const { data, error } = await api.POST("/api/v1/bank-entries/{id}/book", { params: { path: { id: entry.id } }, body: { case_id: caseId } });
    setBusy("");
    if (!data) return setActionError(`${t("bank.actionFailed")} ${problemText(error)}`);
    setEntries((prev) => (prev ?? []).filter((x) => x.id !== entry.id));
    setStatus(`${t("bank.bookedDone")} ${reference} — ${money(entry.amount_cents, entry.currency, lang)}`);
  };

  const reject = async (entry: Entry) => {
    const reason = (reasons[entry.id] ?? "").trim();
    if (!reason) return setActionError(t("bank.reasonRequired"));
    setBusy(entry.id);
    setActionError("");
    const { data, error } = await api.POST("/api/v1/bank-entries/{id}/reject", { params: { path: { id: entry.id } }, body: { reason } });
    setBusy("");
    if (!data) return setActionError(`${t("bank.actionFailed")} ${problemText(error)}`);
    setEntries((prev) => (prev ?? []).filter((x) => x.id !== entry.id));
    setStatus(`${t("bank.rejectedDone")} ${money(entry.amount_cents, entry.currency, lang)} — ${reason}`);
  };

  const counts: [keyof Result, Key][] = [
    ["entries", "bank.count.entries"], ["booked", "bank.count.booked"], ["unmatched", "bank.count.unmatched"],
    ["duplicates", "bank.count.duplicates"], ["reversed", "bank.count.reversed"], ["ignored", "bank.count.ignored"],
  ];

  return (
    <section aria-labelledby="admin-bank-title">
      <h1 id="admin-bank-title">{t("bank.title")}</h1>
      <p className="hint">{t("bank.intro")}</p>
      <form className="card admin-form" onSubmit={(e) => void submit(e)} noValidate aria-labelledby="bank-import-title" data-testid="bank-import">
        <h2 id="bank-import-title">{t("bank.import")}</h2>
        <div className="admin-grid">
          <label>
            {t("bank.file")}
            <input ref={file} type="file" name="file" accept=".xml,.txt,.120,.cfonb,.dat" aria-describedby="bank-file-hint" data-testid="bank-file" />
            <span id="bank-file-hint" className="hint">{t("bank.fileHint")}</span>
          </label>
          <label>
            {t("bank.format")}
            <select value={format} onChange={(e) => setFormat(e.target.value as Format)} data-testid="bank-format">
              <option value="">{t("bank.format.auto")}</option>
              <option value="camt.053">{t("bank.format.camt")}</option>
              <option value="cfonb120">{t("bank.format.cfonb")}</option>
            </select>
          </label>
        </div>
        <button type="submit" disabled={progress !== null}>{progress !== null ? t("bank.sending") : t("bank.send")}</button>
        {progress !== null && <progress max={1} value={progress} aria-label={t("bank.sending")} />}
        {error && <p role="alert" className="error" data-testid="bank-error">{error}</p>}
        {result && (
          <p role="status" data-testid="bank-result">
            {t("bank.done")} {counts.map(([k, label]) => `${result[k]} ${t(label)}`).join(", ")}.
          </p>
        )}
      </form>

      <h2>{t("bank.queue")}</h2>
      {status && <p role="status" data-testid="bank-status">{status}</p>}
      {actionError && <p role="alert" className="error">{actionError}</p>}
      {loadError ? (
        <LoadError onRetry={() => void load()} />
      ) : entries === null ? (
        <p>{t("admin.loading")}</p>
      ) : entries.length === 0 ? (
        <p data-testid="bank-queue-empty">{t("bank.queueEmpty")}</p>
      ) : (
        <table className="cards" data-testid="bank-queue">
          <thead>
            <tr>
              <th scope="col">{t("bank.bookedOn")}</th>
              <th scope="col">{t("bank.amount")}</th>
              <th scope="col">{t("bank.payer")}</th>
              <th scope="col">{t("bank.remittance")}</th>
              <th scope="col">{t("bank.suggestions")}</th>
              <th scope="col">{t("admin.actions")}</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.id} data-testid="bank-entry">
                <td data-label={t("bank.bookedOn")}>{date(e.booked_on, lang)}</td>
                <td data-label={t("bank.amount")}>{money(e.amount_cents, e.currency, lang)}</td>
                <td data-label={t("bank.payer")}>{[e.debtor_name, e.debtor_iban].filter(Boolean).join(" — ")}</td>
                <td data-label={t("bank.remittance")}>
                  {[e.structured_reference, e.remittance_information].filter(Boolean).join(" — ")}
                  {e.note && <div className="hint">{e.note}</div>}
                </td>
                <td data-label={t("bank.suggestions")}>
                  {e.suggestions.length === 0 ? (
                    t("bank.noSuggestion")
                  ) : (
                    <ul className="plain">
                      {e.suggestions.map((s) => (
                        <li key={s.case_id}>
                          <button type="button" className="secondary" disabled={busy === e.id || !s.open}
                            onClick={() => void book(e, s.case_id, s.case_reference)}>
                            {t("bank.bookTo")} {s.case_reference}
                          </button>{" "}
                          {s.debtor_name}, {s.creditor_name} — {t("bank.balance")} {money(s.balance_cents, e.currency, lang)},{" "}
                          {t("bank.confidence")} {s.confidence} % ({t(`bank.rule.${s.rule}` as Key)}){!s.open && ` — ${t("bank.closed")}`}
                        </li>
                      ))}
                    </ul>
                  )}
                </td>
                <td data-label={t("admin.actions")}>
                  <label>
                    {t("bank.rejectReason")}
                    <input value={reasons[e.id] ?? ""} maxLength={500} onChange={(ev) => setReasons({ ...reasons, [e.id]: ev.target.value })} />
                  </label>
                  <button type="button" className="secondary" disabled={busy === e.id} onClick={() => void reject(e)}>{t("bank.reject")}</button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {next && <button type="button" className="secondary" onClick={() => void load(next)}>{t("bank.more")}</button>}
    </section>
  );
}

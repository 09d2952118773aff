import { useState, type FormEvent } from "react";
import { api, type Schemas } from "../api/client";
import { useI18n } from "../i18n";
import { creditorActionsEn, creditorActionsFr, type CreditorActionsKey } from "../i18n/creditorActions";
import { parseAmount } from "../lib/amount";
import { fill } from "../lib/fill";
import { date, money } from "../lib/format";
import { checked, formProblem, noProblem, type FormProblem } from "../lib/problem";
import { Field } from "./Field";
import { AmountInput, DateInput } from "./Inputs";

type Kind = "message" | "direct_payment_reported" | "withdrawal_requested";

// CreditorActions are what the creditor may post on its own case
// (POST /api/v1/cases/{id}/events, x-rbac cases:log): a message to the
// agent, a payment the debtor made to it directly, a request to withdraw
// the case. The last two change the money or the case's course, so they
// are confirmed first.
export function CreditorActions({ c, onDone }: { c: Schemas["Case"]; onDone: () => void }) {
  const { lang } = useI18n();
  const w = (k: CreditorActionsKey) => (lang === "en" ? creditorActionsEn : creditorActionsFr)[k];
  const [problems, setProblems] = useState<Record<Kind, FormProblem>>({
    message: noProblem,
    direct_payment_reported: noProblem,
    withdrawal_requested: noProblem,
  });
  const [status, setStatus] = useState("");
  const [busy, setBusy] = useState(false);
  const setProblem = (k: Kind, p: FormProblem) => setProblems((prev) => ({ ...prev, [k]: p }));

  const post = async (kind: Kind, data: Record<string, unknown>, form: HTMLFormElement, done: CreditorActionsKey) => {
    setBusy(true);
    const { error } = await api.POST("/api/v1/cases/{id}/events", { params: { path: { id: c.id } }, body: { type: kind, data } });
    setBusy(false);
    if (error) {
      setStatus("");
      // The API names the fields body.data.<name>; the forms name them <name>.
      const pr = error as Partial<Schemas["Problem"]>;
      const errors = (pr.errors ?? []).map((e) => ({ ...e, field: e.field?.replace(/^(body\.)?data\./, "") }));
      setProblem(kind, formProblem({ ...pr, errors }, ["text", "amount_cents", "received_on", "note", "reason"], w("error")));
      return;
    }
    setProblem(kind, noProblem);
    form.reset();
    setStatus(w(done));
    onDone();
  };

  const message = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const text = String(new FormData(e.currentTarget).get("text") ?? "").trim();
    const bad = checked({ text: !text && w("textMissing") }, w("error"));
    if (bad) return setProblem("message", bad);
    void post("message", { text }, e.currentTarget, "messageSent");
  };

  const payment = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const cents = parseAmount(String(f.get("amount_cents") ?? ""), { lang });
    const on = String(f.get("received_on") ?? "");
    const note = String(f.get("note") ?? "").trim();
    const bad = checked({ amount_cents: (cents === null || cents <= 0) && w("amountInvalid"), received_on: !on && w("dateMissing") }, w("error"));
    if (bad || cents === null) return setProblem("direct_payment_reported", bad ?? noProblem);
    if (!window.confirm(fill(w("paymentConfirm"), { amount: money(cents, c.currency, lang), on: date(on, lang) }))) return;
    void post("direct_payment_reported", { amount_cents: cents, received_on: on, ...(note ? { note } : {}) }, e.currentTarget, "paymentSent");
  };

  const withdraw = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const reason = String(new FormData(e.currentTarget).get("reason") ?? "").trim();
    const bad = checked({ reason: !reason && w("textMissing") }, w("error"));
    if (bad) return setProblem("withdrawal_requested", bad);
    if (!window.confirm(fill(w("withdrawConfirm"), { reference: c.reference }))) return;
    void post("withdrawal_requested", { reason }, e.currentTarget, "withdrawSent");
  };

  const summary = (p: FormProblem) =>
    (p.summary || p.general.length > 0) && (
      <div role="alert" className="field-error">
        <p>{p.summary}</p>
        {p.general.map((m) => (
          <p key={m}>{m}</p>
        ))}
      </div>
    );

  return (
    <section aria-labelledby="creditor-actions-title" className="card" data-testid="creditor-actions">
      <h2 id="creditor-actions-title">{w("title")}</h2>
      <p role="status" aria-live="polite" data-testid="creditor-actions-status">
        {status}
      </p>
      <form onSubmit={message} noValidate data-testid="creditor-message">
        <h3>{w("messageTitle")}</h3>
        {summary(problems.message)}
        <Field label={w("messageLabel")} name="text" problem={problems.message} required>
          {(a) => <textarea {...a} rows={3} maxLength={2000} />}
        </Field>
        <button type="submit" disabled={busy}>
          {w("messageSend")}
        </button>
      </form>
      {c.status === "open" && (
        <form onSubmit={payment} noValidate data-testid="creditor-direct-payment">
          <h3>{w("paymentTitle")}</h3>
          <p className="hint">{w("paymentHint")}</p>
          {summary(problems.direct_payment_reported)}
          <Field label={w("paymentAmount")} name="amount_cents" problem={problems.direct_payment_reported} required>
            {(a) => <AmountInput {...a} currency={c.currency} />}
          </Field>
          <Field label={w("paymentOn")} name="received_on" problem={problems.direct_payment_reported} required>
            {(a) => <DateInput {...a} />}
          </Field>
          <Field label={w("paymentNote")} name="note" problem={problems.direct_payment_reported}>
            {(a) => <input {...a} maxLength={500} />}
          </Field>
          <button type="submit" disabled={busy}>
            {w("paymentSend")}
          </button>
        </form>
      )}
      {c.status === "open" &&
        (c.withdrawal_requested ? (
          <p data-testid="creditor-withdrawal-pending">{w("withdrawPending")}</p>
        ) : (
          <form onSubmit={withdraw} noValidate data-testid="creditor-withdrawal">
            <h3>{w("withdrawTitle")}</h3>
            <p className="hint">{w("withdrawHint")}</p>
            {summary(problems.withdrawal_requested)}
            <Field label={w("withdrawReason")} name="reason" problem={problems.withdrawal_requested} required>
              {(a) => <textarea {...a} rows={2} maxLength={1000} />}
            </Field>
            <button type="submit" disabled={busy}>
              {w("withdrawSend")}
            </button>
          </form>
        ))}
    </section>
  );
}

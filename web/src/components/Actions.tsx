import { useEffect, useRef, useState, type FormEvent, type ReactNode } from "react";
import { api, type Schemas } from "../api/client";
import { useI18n } from "../i18n";
import type { Key } from "../i18n/messages";
import { parseAmount } from "../lib/amount";
import { checkPayment, Once, Submission, type PaymentCheck } from "../lib/confirm";
import { money } from "../lib/format";
import { defaultSettings, settings } from "../lib/settings";
import { amountInWords } from "../lib/words";
import { todayISO } from "../lib/dates";
import { formProblem, noProblem, type FormProblem } from "../lib/problem";
import { FormErrors, RequiredMark } from "./Field";
import { AmountInput, DateInput } from "./Inputs";

type Kind = "call" | "promise" | "dispute" | "note" | "payment";

type Action = Kind | "letter" | "formalNotice";

const shortcuts: Record<string, Action> = {
  a: "call", p: "promise", l: "dispute", n: "note", e: "payment", r: "letter", m: "formalNotice",
};

type PaymentBody = Schemas["PaymentInput"];

// Confirming is what waits for the agent's yes: a payment above what is
// due or unusually large (with its figures), the amicable letter, the move
// to formal notice — nothing is sent before it.
type Confirming = { kind: "payment"; body: PaymentBody; check: PaymentCheck } | { kind: "letter" } | { kind: "formalNotice" };

// Actions are the agent's quick actions on a case, each one click or one
// key away — only those the case's state allows, the others shown disabled
// with the reason; refusals from the API are shown in words beside the
// form. What cannot be taken back asks first: a payment above what is due
// or of at least the agency's threshold (amount in words, balance after),
// the amicable letter, the move to formal notice. One submission at a
// time, and a payment sent again with the same values carries the same
// Idempotency-Key, so a double Enter records it once.
export function Actions({ c, dueCents, onDone }: { c: Schemas["Case"]; dueCents: number; onDone: () => void }) {
  const { t, lang } = useI18n();
  const [open, setOpen] = useState<Kind | null>(null);
  const [problem, setProblem] = useState<FormProblem>(noProblem);
  const [done, setDone] = useState("");
  const [confirming, setConfirming] = useState<Confirming | null>(null);
  const [refused, setRefused] = useState("");
  const [busy, setBusy] = useState(false);
  const [large, setLarge] = useState(defaultSettings.large_payment_cents);
  const first = useRef<HTMLElement | null>(null);
  const confirmButton = useRef<HTMLButtonElement | null>(null);
  const cancelButton = useRef<HTMLButtonElement | null>(null);
  const once = useRef(new Once());
  const payment = useRef(new Submission());

  useEffect(() => {
    void settings().then((s) => setLarge(s.large_payment_cents));
  }, []);

  // send runs one request at a time; a second one while it runs is dropped.
  const send = (request: () => Promise<{ error?: unknown }>, doneText: string) =>
    once.current.run(async () => {
      setBusy(true);
      try {
        const { error } = await request();
        finish(error, doneText);
      } catch {
        setProblem({ ...noProblem, summary: t("error.generic") });
      } finally {
        setBusy(false);
      }
    });
  const finish = (error: unknown, doneText: string) => {
    setConfirming(null);
    if (error) {
      setProblem(formProblem(error, [], t("error.generic")));
      return;
    }
    setProblem(noProblem);
    setOpen(null);
    setDone(doneText);
    onDone();
  };
  const event = (type: Schemas["EventInput"]["type"], data: Record<string, unknown>) =>
    send(() => api.POST("/api/v1/cases/{id}/events", { params: { path: { id: c.id } }, body: { type, data } }), t("actions.done"));
  const letter = () =>
    send(() => api.POST("/api/v1/cases/{id}/documents", { params: { path: { id: c.id } }, body: { kind: "amicable_letter" } }), t("agent.letterDone"));
  const formalNotice = () =>
    send(
      () => api.POST("/api/v1/cases/{id}/transitions", { params: { path: { id: c.id }, header: { "If-Match": `"${c.version}"` } }, body: { to: "formal_notice" } }),
      t("agent.noticeDone"),
    );
  const pay = (body: PaymentBody) =>
    send(async () => {
      // A retry of the same values (a double Enter, a lost answer) carries
      // the same key: the server answers it once.
      const key = payment.current.keyFor(body);
      const r = await api.POST("/api/v1/cases/{id}/payments", { params: { path: { id: c.id }, header: { "Idempotency-Key": key } }, body });
      if (!r.error || r.response.status < 500) payment.current.done();
      return r;
    }, t("actions.done"));

  // Why each action is impossible in the case's state (none: possible).
  // The server's words, in French; in English, or for the move refused
  // by the stage alone, the app's own.
  const ownWords = ["guard.transition_not_allowed", "guard.case_closed"];
  const guard = (b: Schemas["FieldError"]) => (lang === "en" || ownWords.includes(b.code) ? (t(`blocker.${b.code}` as Key) ?? b.message) : b.message);
  const blockers: Record<Action, string[]> = {
    call: [], dispute: [], note: [], payment: [],
    promise: c.balance_cents > 0 ? [] : [t("agent.nothingDue")],
    letter: c.action_blockers.amicable_letter.map(guard),
    formalNotice: c.action_blockers.formal_notice.map(guard),
  };
  const labels: Record<Action, Key> = {
    call: "actions.call", promise: "actions.promise", dispute: c.open_dispute ? "actions.resolve" : "actions.dispute", note: "actions.note",
    payment: "actions.payment", letter: "actions.letter", formalNotice: "actions.formalNotice",
  };
  const act = (a: Action) => {
    setRefused("");
    setDone("");
    if (blockers[a].length > 0) {
      setRefused(`${t("agent.keyRefused")} ${t(labels[a])} — ${blockers[a].join(" ")}`);
      return;
    }
    if (a === "letter" || a === "formalNotice") {
      setOpen(null);
      setConfirming({ kind: a });
    } else {
      setConfirming(null);
      setOpen(a);
    }
  };

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const el = e.target as HTMLElement;
      if (confirming && e.key === "Escape" && !once.current.busy) {
        // Escape cancels a confirmation wherever the focus is.
        e.preventDefault();
        cancel();
        return;
      }
      if (e.repeat || e.ctrlKey || e.metaKey || e.altKey || ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName)) return;
      const a = shortcuts[e.key];
      if (!a || confirming || once.current.busy) return;
      e.preventDefault();
      act(a);
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  });
  useEffect(() => {
    if (!open) return;
    setTimeout(() => first.current?.focus(), 0);
  }, [open]);
  // A confirmation takes the focus: on Cancel for a payment (a second
  // Enter must not record a mistyped amount), on Confirm for a letter or
  // the formal notice, asked for by their own key.
  useEffect(() => {
    if (!confirming) return;
    setTimeout(() => (confirming.kind === "payment" ? cancelButton : confirmButton).current?.focus(), 0);
  }, [confirming]);
  const cancel = () => {
    const wasPayment = confirming?.kind === "payment";
    setConfirming(null);
    if (wasPayment) setTimeout(() => first.current?.focus(), 0); // back to the form, nothing recorded
  };
  const confirm = () => {
    if (!confirming) return;
    if (confirming.kind === "payment") void pay(confirming.body);
    else if (confirming.kind === "letter") void letter();
    else void formalNotice();
  };

  const button = (a: Action, key: string) => {
    const why = blockers[a];
    return (
      <button type="button" onClick={() => act(a)} aria-keyshortcuts={key} disabled={why.length > 0 || busy} title={why.join(" ") || undefined}
        data-testid={`action-${a}`}>
        {t(labels[a])} <kbd>{key}</kbd>
      </button>
    );
  };
  const unavailable = (Object.keys(shortcuts) as string[]).filter((k) => blockers[shortcuts[k]].length > 0);
  return (
    <section aria-labelledby="actions-title" className="card actions">
      <h2 id="actions-title">{t("actions.title")}</h2>
      <div className="buttons">
        {button("call", "a")}
        {button("promise", "p")}
        {button("dispute", "l")}
        {button("note", "n")}
        {button("letter", "r")}
        {button("payment", "e")}
        {button("formalNotice", "m")}
      </div>
      <p className="hint">{t("actions.hint")}</p>
      {unavailable.length > 0 && (
        <div className="unavailable" data-testid="unavailable">
          <p>{t("agent.unavailable")}</p>
          <ul>
            {unavailable.map((k) => (
              <li key={k}>
                <kbd>{k}</kbd> {t(labels[shortcuts[k]])} — {blockers[shortcuts[k]].join(" ")}
              </li>
            ))}
          </ul>
        </div>
      )}
      {refused && (
        <p role="alert" className="warning" data-testid="key-refused">
          {refused}
        </p>
      )}
      {confirming && confirming.kind !== "payment" && (
        <div role="alertdialog" aria-labelledby="confirm-text" className="confirm" data-testid={`confirm-${confirming.kind}`}>
          <p id="confirm-text">{t(confirming.kind === "letter" ? "agent.confirmLetter" : "agent.confirmNotice")}</p>
          <div className="buttons">
            <button type="button" className="primary" ref={confirmButton} onClick={confirm} disabled={busy}>
              {busy ? t("agent.busy") : t("agent.confirm")}
            </button>
            <button type="button" className="secondary" ref={cancelButton} onClick={cancel} disabled={busy}>
              {t("actions.cancel")}
            </button>
          </div>
        </div>
      )}
      {open === "call" && (
        <ActionForm title={t("actions.call")} onCancel={() => setOpen(null)} busy={busy}
          onSubmit={(f) => event("call", { outcome: f.get("outcome"), note: f.get("note") })}>
          <label>
            {t("field.outcome")}
            <select name="outcome" ref={(el) => { first.current = el; }}>
              {(["reached", "no_answer", "voicemail", "wrong_number", "refused"] as const).map((o) => (
                <option key={o} value={o}>{t(`outcome.${o}`)}</option>
              ))}
            </select>
          </label>
          <label>
            {t("field.note")}
            <textarea name="note" rows={2} />
          </label>
        </ActionForm>
      )}
      {open === "promise" && (
        <ActionForm title={t("actions.promise")} onCancel={() => setOpen(null)} busy={busy}
          onSubmit={(f) => {
            const cents = parseAmount(String(f.get("amount")), { lang });
            if (cents === null) return setProblem({ ...noProblem, summary: t("field.amountInvalid") });
            return event("promise", { amount_cents: cents, due_on: f.get("due_on") });
          }}>
          <label>
            <span className="label-text">
              {t("field.amount")}
              <RequiredMark />
            </span>
            <AmountInput name="amount" required aria-required inputRef={(el) => { first.current = el; }} />
          </label>
          <label>
            <span className="label-text">
              {t("field.dueOn")}
              <RequiredMark />
            </span>
            <DateInput name="due_on" required aria-required min={todayISO()} />
          </label>
        </ActionForm>
      )}
      {open === "dispute" && (
        <ActionForm title={t(c.open_dispute ? "actions.resolve" : "actions.dispute")} onCancel={() => setOpen(null)} busy={busy}
          onSubmit={(f) => (c.open_dispute ? event("dispute_resolved", { resolution: f.get("text") }) : event("dispute_opened", { reason: f.get("text") }))}>
          <label>
            {t(c.open_dispute ? "field.resolution" : "field.reason")}
            <textarea name="text" rows={2} required ref={(el) => { first.current = el; }} />
          </label>
        </ActionForm>
      )}
      {open === "note" && (
        <ActionForm title={t("actions.note")} onCancel={() => setOpen(null)} busy={busy} onSubmit={(f) => event("note", { text: f.get("text") })}>
          <label>
            {t("field.text")}
            <textarea name="text" rows={3} required ref={(el) => { first.current = el; }} />
          </label>
        </ActionForm>
      )}
      {open === "payment" && (
        <ActionForm title={t("actions.payment")} onCancel={() => setOpen(null)} busy={busy} hideButtons={confirming?.kind === "payment"}
          onSubmit={(f) => {
            const cents = parseAmount(String(f.get("amount")), { lang });
            if (cents === null) return setProblem({ ...noProblem, summary: t("field.amountInvalid") });
            setProblem(noProblem);
            const body: PaymentBody = { amount_cents: cents, received_on: String(f.get("received_on")), method: f.get("method") as PaymentBody["method"] };
            const check = checkPayment(cents, dueCents, large);
            if (check.concerns.length > 0) return setConfirming({ kind: "payment", body, check });
            return pay(body);
          }}
          after={confirming?.kind === "payment" && (
            <div role="alertdialog" aria-labelledby="confirm-payment-title" aria-describedby="confirm-payment-figures" className="confirm" data-testid="confirm-payment">
              <h3 id="confirm-payment-title">{t("agent.confirmPayment")}</h3>
              <ul>
                {confirming.check.concerns.map((k) => (
                  <li key={k}>{t(`agent.concern.${k}`)}</li>
                ))}
              </ul>
              <dl id="confirm-payment-figures" className="amounts">
                <dt>{t("field.amount")}</dt>
                <dd data-testid="confirm-amount">{money(confirming.body.amount_cents, c.currency, lang)}</dd>
                <dt className="words">{t("agent.amountWords")}</dt>
                <dd className="words" data-testid="amount-words">{amountInWords(confirming.body.amount_cents, c.currency, lang)}</dd>
                <dt>{t("agent.dueNow")}</dt>
                <dd>{money(dueCents, c.currency, lang)}</dd>
                <dt>{t("agent.balanceAfter")}</dt>
                <dd data-testid="balance-after">{money(confirming.check.balanceAfterCents, c.currency, lang)}</dd>
                {confirming.check.excessCents > 0 && (
                  <>
                    <dt>{t("agent.excess")}</dt>
                    <dd data-testid="excess">{money(confirming.check.excessCents, c.currency, lang)}</dd>
                  </>
                )}
              </dl>
              <div className="buttons">
                <button type="button" className="primary" ref={confirmButton} onClick={confirm} disabled={busy} data-testid="confirm-yes">
                  {busy ? t("agent.busy") : t("agent.confirm")}
                </button>
                <button type="button" className="secondary" ref={cancelButton} onClick={cancel} disabled={busy} data-testid="confirm-cancel">
                  {t("actions.cancel")}
                </button>
              </div>
            </div>
          )}>
          <label>
            <span className="label-text">
              {t("field.amount")}
              <RequiredMark />
            </span>
            <AmountInput name="amount" required aria-required inputRef={(el) => { first.current = el; }} />
          </label>
          <label>
            <span className="label-text">
              {t("field.receivedOn")}
              <RequiredMark />
            </span>
            <DateInput name="received_on" required aria-required defaultValue={todayISO()} max={todayISO()} />
          </label>
          <label>
            {t("field.method")}
            <select name="method">
              {(["transfer", "cheque", "card", "cash", "direct_to_creditor"] as const).map((m) => (
                <option key={m} value={m}>{t(`method.${m}`)}</option>
              ))}
            </select>
          </label>
        </ActionForm>
      )}
      <FormErrors problem={problem} />
      {done && !problem.summary && (
        <p role="status" className="ok">
          {done}
        </p>
      )}
    </section>
  );
}

// ActionForm is one action's form. While a submission is in flight its
// Save button is disabled (and Actions drops a second submission anyway);
// after is shown below the fields, in place of the buttons when
// hideButtons (a confirmation).
function ActionForm({ title, children, onSubmit, onCancel, busy, hideButtons, after }: {
  title: string; children: ReactNode; onSubmit: (f: FormData) => unknown; onCancel: () => void; busy: boolean; hideButtons?: boolean; after?: ReactNode;
}) {
  const { t } = useI18n();
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (busy || hideButtons) return;
    void onSubmit(new FormData(e.currentTarget));
  };
  return (
    <form onSubmit={submit} className="action-form" aria-label={title} aria-busy={busy} onKeyDown={(e) => e.key === "Escape" && !hideButtons && onCancel()}>
      {children}
      {!hideButtons && (
        <div className="buttons">
          <button type="submit" disabled={busy}>
            {busy ? t("agent.busy") : t("actions.save")}
          </button>
          <button type="button" className="secondary" onClick={onCancel}>
            {t("actions.cancel")}
          </button>
        </div>
      )}
      {after}
    </form>
  );
}


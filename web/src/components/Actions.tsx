import { useEffect, useRef, useState, type FormEvent, type ReactNode } from "react";
import { api, type Schemas } from "../api/client";
import { useI18n } from "../i18n";
import type { Key } from "../i18n/messages";
import { parseAmount } from "../lib/amount";
import { todayISO } from "../lib/dates";
import { formProblem, noProblem, type FormProblem } from "../lib/problem";
import { FormErrors } from "./Field";

type Kind = "call" | "promise" | "dispute" | "note" | "payment";

const shortcuts: Record<string, Kind | "letter" | "formalNotice"> = {
  a: "call", p: "promise", l: "dispute", n: "note", e: "payment", r: "letter", m: "formalNotice",
};

// Actions are the agent's quick actions on a case, each one click or one
// key away; refusals from the API are shown in words beside the form.
export function Actions({ c, onDone }: { c: Schemas["Case"]; onDone: () => void }) {
  const { t } = useI18n();
  const [open, setOpen] = useState<Kind | null>(null);
  const [problem, setProblem] = useState<FormProblem>(noProblem);
  const [done, setDone] = useState(false);
  const first = useRef<HTMLElement | null>(null);

  const finish = (error: unknown) => {
    if (error) {
      setProblem(formProblem(error, [], t("error.generic")));
      return;
    }
    setProblem(noProblem);
    setOpen(null);
    setDone(true);
    onDone();
  };
  const event = async (type: Schemas["EventInput"]["type"], data: Record<string, unknown>) => {
    const { error } = await api.POST("/api/v1/cases/{id}/events", { params: { path: { id: c.id } }, body: { type, data } });
    finish(error);
  };
  const letter = async () => {
    const { error } = await api.POST("/api/v1/cases/{id}/documents", { params: { path: { id: c.id } }, body: { kind: "amicable_letter" } });
    finish(error);
  };
  const formalNotice = async () => {
    const { error } = await api.POST("/api/v1/cases/{id}/transitions", {
      params: { path: { id: c.id }, header: { "If-Match": `"${c.version}"` } },
      body: { to: "formal_notice" },
    });
    finish(error);
  };

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const el = e.target as HTMLElement;
      if (e.ctrlKey || e.metaKey || e.altKey || ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName)) return;
      const a = shortcuts[e.key];
      if (!a) return;
      e.preventDefault();
      if (a === "letter") void letter();
      else if (a === "formalNotice") void formalNotice();
      else setOpen(a);
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  });
  useEffect(() => {
    if (!open) return;
    setDone(false);
    setTimeout(() => first.current?.focus(), 0);
  }, [open]);

  const button = (k: Key, onClick: () => void, key: string) => (
    <button type="button" onClick={onClick} aria-keyshortcuts={key}>
      {t(k)} <kbd>{key}</kbd>
    </button>
  );
  return (
    <section aria-labelledby="actions-title" className="card actions">
      <h2 id="actions-title">{t("actions.title")}</h2>
      <div className="buttons">
        {button("actions.call", () => setOpen("call"), "a")}
        {button("actions.promise", () => setOpen("promise"), "p")}
        {button(c.open_dispute ? "actions.resolve" : "actions.dispute", () => setOpen("dispute"), "l")}
        {button("actions.note", () => setOpen("note"), "n")}
        {button("actions.letter", () => void letter(), "r")}
        {button("actions.payment", () => setOpen("payment"), "e")}
        {c.stage === "amicable" && button("actions.formalNotice", () => void formalNotice(), "m")}
      </div>
      <p className="hint">{t("actions.hint")}</p>
      {open === "call" && (
        <ActionForm title={t("actions.call")} onCancel={() => setOpen(null)}
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
        <ActionForm title={t("actions.promise")} onCancel={() => setOpen(null)}
          onSubmit={(f) => {
            const cents = parseAmount(String(f.get("amount")));
            if (cents === null) return setProblem({ ...noProblem, summary: t("field.amountInvalid") });
            return event("promise", { amount_cents: cents, due_on: f.get("due_on") });
          }}>
          <label>
            {t("field.amount")}
            <input name="amount" inputMode="decimal" required ref={(el) => { first.current = el; }} />
          </label>
          <label>
            {t("field.dueOn")}
            <input name="due_on" type="date" required min={todayISO()} />
          </label>
        </ActionForm>
      )}
      {open === "dispute" && (
        <ActionForm title={t(c.open_dispute ? "actions.resolve" : "actions.dispute")} onCancel={() => setOpen(null)}
          onSubmit={(f) => (c.open_dispute ? event("dispute_resolved", { resolution: f.get("text") }) : event("dispute_opened", { reason: f.get("text") }))}>
          <label>
            {t(c.open_dispute ? "field.resolution" : "field.reason")}
            <textarea name="text" rows={2} required ref={(el) => { first.current = el; }} />
          </label>
        </ActionForm>
      )}
      {open === "note" && (
        <ActionForm title={t("actions.note")} onCancel={() => setOpen(null)} onSubmit={(f) => event("note", { text: f.get("text") })}>
          <label>
            {t("field.text")}
            <textarea name="text" rows={3} required ref={(el) => { first.current = el; }} />
          </label>
        </ActionForm>
      )}
      {open === "payment" && (
        <ActionForm title={t("actions.payment")} onCancel={() => setOpen(null)}
          onSubmit={async (f) => {
            const cents = parseAmount(String(f.get("amount")));
            if (cents === null) return setProblem({ ...noProblem, summary: t("field.amountInvalid") });
            const { error } = await api.POST("/api/v1/cases/{id}/payments", {
              params: { path: { id: c.id }, header: { "Idempotency-Key": crypto.randomUUID() } },
              body: { amount_cents: cents, received_on: String(f.get("received_on")), method: f.get("method") as Schemas["PaymentInput"]["method"] },
            });
            finish(error);
          }}>
          <label>
            {t("field.amount")}
            <input name="amount" inputMode="decimal" required ref={(el) => { first.current = el; }} />
          </label>
          <label>
            {t("field.receivedOn")}
            <input name="received_on" type="date" required defaultValue={todayISO()} max={todayISO()} />
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
          {t("actions.done")}
        </p>
      )}
    </section>
  );
}

function ActionForm({ title, children, onSubmit, onCancel }: { title: string; children: ReactNode; onSubmit: (f: FormData) => unknown; onCancel: () => void }) {
  const { t } = useI18n();
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    void onSubmit(new FormData(e.currentTarget));
  };
  return (
    <form onSubmit={submit} className="action-form" aria-label={title} onKeyDown={(e) => e.key === "Escape" && onCancel()}>
      {children}
      <div className="buttons">
        <button type="submit">{t("actions.save")}</button>
        <button type="button" className="secondary" onClick={onCancel}>
          {t("actions.cancel")}
        </button>
      </div>
    </form>
  );
}


import { useEffect, useRef, useState, type FormEvent } from "react";
import { api, type Schemas } from "../api/client";
import { useI18n } from "../i18n";
import type { Key } from "../i18n/messages";
import { parseAmount } from "../lib/amount";
import { Once, Submission } from "../lib/confirm";
import { fill } from "../lib/fill";
import { date, money } from "../lib/format";
import { previewSchedule } from "../lib/plan";
import { formProblem, noProblem, type FormProblem } from "../lib/problem";
import { Field, FormErrors } from "./Field";
import { AmountInput, DateInput } from "./Inputs";

type Plan = Schemas["Plan"];

// PlanPanel shows a case's payment plans (GET /api/v1/cases/{id}/plans),
// each instalment with what was matched to it and its state; tick — moved
// by the case's event stream — reads them again, so a creditor's answer
// shows at once on the agent's open page. Agents propose a plan from a
// generated schedule previewed before it is sent, cancel it, record the
// debtor's signature and produce the agreement; the creditor approves or
// refuses a plan waiting for it.
export function PlanPanel({ c, me, dueCents, tick, onDone }: { c: Schemas["Case"]; me: Schemas["Me"]; dueCents: number; tick: number; onDone: () => void }) {
  const { t, lang } = useI18n();
  const [plans, setPlans] = useState<Plan[] | null>(null);
  const [problem, setProblem] = useState<FormProblem>(noProblem);
  const [done, setDone] = useState("");
  const [reason, setReason] = useState("");
  const [form, setForm] = useState({ frequency: "monthly" as "monthly" | "fortnightly", count: "3", first: "", down: "", downOn: "", grace: "5", approval: false });
  const once = useRef(new Once());
  const submission = useRef(new Submission());
  useEffect(() => {
    void api.GET("/api/v1/cases/{id}/plans", { params: { path: { id: c.id } } }).then(({ data }) => data && setPlans(data.items));
  }, [c.id, tick]);

  const staff = me.role === "agent" || me.role === "admin";
  const open = plans?.some((p) => p.status === "kept" || p.status === "pending_approval") ?? true;
  const downCents = form.down.trim() ? (parseAmount(form.down, { lang }) ?? -1) : 0;
  const preview = previewSchedule(dueCents, form.frequency, Number(form.count), form.first, downCents, form.downOn);
  const cur = c.currency;

  const run = (request: () => Promise<{ error?: unknown; response: Response }>, ok: string) =>
    once.current.run(async () => {
      setDone("");
      const r = await request();
      if (r.error) {
        setProblem(formProblem(r.error, ["schedule.count", "schedule.first_on", "schedule.down_payment_cents", "schedule.down_payment_on", "grace_days"], t("plan.refusedForm")));
        return;
      }
      setProblem(noProblem);
      setDone(ok);
      onDone();
    });

  const create = (e: FormEvent) => {
    e.preventDefault();
    const schedule: Schemas["ScheduleInput"] = { frequency: form.frequency, count: Number(form.count), first_on: form.first };
    if (downCents > 0) Object.assign(schedule, { down_payment_cents: downCents, down_payment_on: form.downOn });
    const body: Schemas["PlanInput"] = { schedule, grace_days: Number(form.grace), request_approval: form.approval };
    void run(async () => {
      const key = submission.current.keyFor(body);
      const r = await api.POST("/api/v1/cases/{id}/plans", { params: { path: { id: c.id }, header: { "Idempotency-Key": key } }, body });
      if (!r.error || r.response.status < 500) submission.current.done();
      return r;
    }, t("plan.created"));
  };
  const act = (p: Plan, what: "approve" | "refuse" | "cancel" | "sign") =>
    void run(() => {
      const path = { params: { path: { id: p.id } } };
      switch (what) {
        case "approve":
          return api.POST("/api/v1/plans/{id}/approve", { ...path, body: reason ? { reason } : {} });
        case "refuse":
          return api.POST("/api/v1/plans/{id}/refuse", { ...path, body: { reason } });
        case "cancel":
          return api.POST("/api/v1/plans/{id}/cancel", { ...path, body: reason ? { reason } : {} });
        default:
          return api.POST("/api/v1/plans/{id}/sign", { ...path, body: {} });
      }
    }, t(`event.plan_${what === "approve" ? "approved" : what === "refuse" ? "refused" : what === "cancel" ? "cancelled" : "accepted"}` as Key));
  const agreement = (p: Plan) =>
    void run(
      () => api.POST("/api/v1/cases/{id}/documents", { params: { path: { id: c.id } }, body: { kind: "plan_agreement", options: { plan_id: p.id } } }),
      t("plan.agreement"),
    );

  return (
    <section aria-labelledby="plans-title" className="card plans" data-testid="plans">
      <h2 id="plans-title">{t("plan.title")}</h2>
      <FormErrors problem={problem} />
      {done && <p role="status">{done}</p>}
      {plans === null ? (
        <p className="status">{t("loading")}</p>
      ) : plans.length === 0 ? (
        <p>{t("plan.none")}</p>
      ) : (
        plans.map((p) => (
          <div key={p.id} className="plan" data-testid="plan" data-status={p.status}>
            <h3>
              {t(`planStatus.${p.status}` as Key)} — {money(p.total_cents, p.currency, lang)}
            </h3>
            {p.origin === "court" && p.court_decision_on && <p>{fill(t("plan.court"), { court: p.court, date: date(p.court_decision_on, lang) })}</p>}
            {p.signed_on && <p>{fill(t("plan.signedOn"), { date: date(p.signed_on, lang) })}</p>}
            {p.decision_reason && (
              <p>
                {t("plan.reason")} : {p.decision_reason}
              </p>
            )}
            {p.deviations.length > 0 && (
              <>
                <p>{t("plan.deviations")}</p>
                <ul>
                  {p.deviations.map((d) => (
                    <li key={`${d.field}-${d.code}`}>{d.message}</li>
                  ))}
                </ul>
              </>
            )}
            <table>
              <thead>
                <tr>
                  <th scope="col">{t("plan.instalment")}</th>
                  <th scope="col">{t("plan.due")}</th>
                  <th scope="col" className="num">{t("plan.amount")}</th>
                  <th scope="col" className="num">{t("plan.paid")}</th>
                  <th scope="col">{t("plan.state")}</th>
                </tr>
              </thead>
              <tbody>
                {p.instalments.map((i) => (
                  <tr key={i.seq}>
                    <th scope="row">{i.seq + 1}</th>
                    <td>{date(i.due_on, lang)}</td>
                    <td className="num">{money(i.amount_cents, p.currency, lang)}</td>
                    <td className="num">{money(i.paid_cents, p.currency, lang)}</td>
                    <td>{t(`instalment.${i.status}` as Key)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <p>{fill(t("plan.remaining"), { amount: money(p.remaining_cents, p.currency, lang) })}</p>
            {(p.status === "pending_approval" || p.status === "kept") && (me.role === "creditor" || staff) && (
              <div className="field">
                <label htmlFor={`reason-${p.id}`}>{t("plan.reason")}</label>
                <input id={`reason-${p.id}`} value={reason} maxLength={1000} onChange={(e) => setReason(e.target.value)} />
              </div>
            )}
            {me.role === "creditor" && p.status === "pending_approval" && (
              <p>
                <button type="button" onClick={() => act(p, "approve")}>{t("plan.approve")}</button>{" "}
                <button type="button" onClick={() => act(p, "refuse")}>{t("plan.refuse")}</button>
              </p>
            )}
            {staff && (p.status === "kept" || p.status === "pending_approval") && (
              <p>
                <button type="button" onClick={() => act(p, "cancel")}>{t("plan.cancel")}</button>{" "}
                {p.status === "kept" && !p.signed_on && <button type="button" onClick={() => act(p, "sign")}>{t("plan.sign")}</button>}{" "}
                {p.status === "kept" && <button type="button" onClick={() => agreement(p)}>{t("plan.agreement")}</button>}
              </p>
            )}
          </div>
        ))
      )}
      {staff && c.status === "open" && !open && dueCents > 0 && (
        <form onSubmit={create} aria-labelledby="plan-new">
          <h3 id="plan-new">{t("plan.new")}</h3>
          <div className="field">
            <label htmlFor="plan-frequency">{t("plan.frequency")}</label>
            <select id="plan-frequency" value={form.frequency} onChange={(e) => setForm({ ...form, frequency: e.target.value as "monthly" | "fortnightly" })}>
              <option value="monthly">{t("plan.monthly")}</option>
              <option value="fortnightly">{t("plan.fortnightly")}</option>
            </select>
          </div>
          <Field label={t("plan.count")} name="schedule.count" problem={problem} required>
            {(a) => <input {...a} type="number" min={1} max={120} value={form.count} onChange={(e) => setForm({ ...form, count: e.target.value })} />}
          </Field>
          <Field label={t("plan.firstOn")} name="schedule.first_on" problem={problem} required>
            {(a) => <DateInput {...a} value={form.first} onChange={(e) => setForm({ ...form, first: e.target.value })} />}
          </Field>
          <Field label={t("plan.down")} name="schedule.down_payment_cents" problem={problem}>
            {(a) => <AmountInput {...a} currency={cur} value={form.down} onChange={(e) => setForm({ ...form, down: e.target.value })} />}
          </Field>
          <Field label={t("plan.downOn")} name="schedule.down_payment_on" problem={problem}>
            {(a) => <DateInput {...a} value={form.downOn} onChange={(e) => setForm({ ...form, downOn: e.target.value })} />}
          </Field>
          <Field label={t("plan.grace")} name="grace_days" problem={problem}>
            {(a) => <input {...a} type="number" min={0} max={30} value={form.grace} onChange={(e) => setForm({ ...form, grace: e.target.value })} />}
          </Field>
          <div className="field">
            <label>
              <input type="checkbox" checked={form.approval} onChange={(e) => setForm({ ...form, approval: e.target.checked })} /> {t("plan.approval")}
            </label>
          </div>
          {preview.length > 0 && (
            <table data-testid="plan-preview">
              <caption>{t("plan.preview")}</caption>
              <thead>
                <tr>
                  <th scope="col">{t("plan.instalment")}</th>
                  <th scope="col">{t("plan.due")}</th>
                  <th scope="col" className="num">{t("plan.amount")}</th>
                </tr>
              </thead>
              <tbody>
                {preview.map((i, n) => (
                  <tr key={i.due_on + n}>
                    <th scope="row">{n + 1}</th>
                    <td>{date(i.due_on, lang)}</td>
                    <td className="num">{money(i.amount_cents, cur, lang)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <button type="submit">{t("plan.create")}</button>
        </form>
      )}
    </section>
  );
}

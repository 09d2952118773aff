import { useState, type FormEvent } from "react";
import { api, type Schemas } from "../api/client";
import { useI18n } from "../i18n";
import type { Key } from "../i18n/messages";
import { todayISO } from "../lib/dates";
import { download } from "../lib/download";
import { checked, formProblem, missing, noProblem, type FormProblem } from "../lib/problem";
import { Field, FormErrors } from "./Field";
import { DateInput } from "./Inputs";

type Step = Schemas["CourtStepInput"]["step"];

// nextSteps are the court steps that may follow what is recorded, in the
// order of the procedure (the API refuses any other).
export function nextSteps(inj: Schemas["InjunctionState"]): Step[] {
  if (!inj.filed_on) return ["filed"];
  if (!inj.decision) return ["granted", "rejected"];
  if (inj.decision === "rejected") return [];
  if (!inj.served_on) return ["served"];
  if (!inj.opposed_on && !inj.enforceable_on) return ["enforceable", "opposed"];
  return [];
}

// CourtActions are the lawyer's moves on a case: take it to court once
// nothing blocks it, record each court step, and produce the injunction
// request with its exhibits, downloaded at once.
export function CourtActions({ c, onDone }: { c: Schemas["Case"]; onDone: () => void }) {
  const { t } = useI18n();
  const [problem, setProblem] = useState<FormProblem>(noProblem);
  const [message, setMessage] = useState("");
  const [busy, setBusy] = useState(false);
  const steps = c.stage === "injunction" ? nextSteps(c.injunction) : [];
  const [step, setStep] = useState<Step | "">("");
  const current = step && steps.includes(step) ? step : steps[0];

  const done = (error: unknown, ok: string, fields: string[]) => {
    if (error) {
      setMessage("");
      setProblem(formProblem(error, fields, t("court.error")));
      return false;
    }
    setProblem(noProblem);
    setMessage(ok);
    onDone();
    return true;
  };
  const toInjunction = async () => {
    const { error } = await api.POST("/api/v1/cases/{id}/transitions", {
      params: { path: { id: c.id }, header: { "If-Match": `"${c.version}"` } },
      body: { to: "injunction" },
    });
    done(error, t("court.saved"), []);
  };
  const record = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const empty = checked(missing(e.currentTarget, t("form.missing")), t("court.error"));
    if (empty) return (setMessage(""), setProblem(empty));
    const f = new FormData(e.currentTarget);
    const body: Schemas["CourtStepInput"] = { step: current as Step, on: String(f.get("on")) };
    if (current === "filed") body.court = String(f.get("court") ?? "").trim();
    if (current === "served") body.served_to_person = f.get("served_to_person") === "on";
    const { error } = await api.POST("/api/v1/cases/{id}/court-steps", {
      params: { path: { id: c.id }, header: { "If-Match": `"${c.version}"` } },
      body,
    });
    done(error, t("court.saved"), ["step", "on", "court"]);
  };
  const receipt = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const empty = checked(missing(e.currentTarget, t("form.missing")), t("court.error"));
    if (empty) return (setMessage(""), setProblem(empty));
    const on = String(new FormData(e.currentTarget).get("received_on"));
    const { error } = await api.POST("/api/v1/cases/{id}/events", {
      params: { path: { id: c.id } },
      body: { type: "formal_notice_received", data: { received_on: on } },
    });
    done(error, t("court.saved"), ["received_on"]);
  };
  const packet = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const court = String(new FormData(e.currentTarget).get("options.court") ?? "").trim();
    setBusy(true);
    const { data, error } = await api.POST("/api/v1/cases/{id}/documents", {
      params: { path: { id: c.id } },
      body: { kind: "injunction_packet", options: court ? { court } : undefined },
    });
    setBusy(false);
    if (done(error, t("court.downloaded"), ["options.court"]) && data) await download(data);
  };

  return (
    <section aria-labelledby="court-title" className="card court">
      <h2 id="court-title">{t("court.title")}</h2>
      <FormErrors problem={problem} />
      <p>
        <strong>{t("court.competence")} :</strong> {c.court.suggested || c.court.label} — <small>{c.court.basis}</small>
      </p>
      {c.court.blockers.length > 0 && (
        <div data-testid="court-blockers">
          <h3>{t("court.blockers")}</h3>
          <ul className="blockers">
            {c.court.blockers.map((b) => (
              <li key={`${b.field}-${b.code}`}>{b.message}</li>
            ))}
          </ul>
        </div>
      )}
      {c.formal_notice.sent_on && !c.formal_notice.received_on && (c.stage === "formal_notice" || c.stage === "injunction") && (
        <form onSubmit={(e) => void receipt(e)} className="action-form" aria-label={t("court.recordReceipt")} noValidate>
          <Field label={t("court.receivedOn")} name="received_on" problem={problem} required>
            {(a) => <DateInput {...a} min={c.formal_notice.sent_on ?? undefined} max={todayISO()} />}
          </Field>
          <div className="buttons">
            <button type="submit">{t("court.recordReceipt")}</button>
          </div>
        </form>
      )}
      {c.stage === "formal_notice" && (
        <div className="buttons">
          <button type="button" onClick={() => void toInjunction()}>
            {t("court.toInjunction")}
          </button>
        </div>
      )}
      {current && (
        <form onSubmit={(e) => void record(e)} className="action-form" aria-label={t("court.step")} noValidate>
          <Field label={t("court.step")} name="step" problem={problem}>
            {(a) => (
              <select {...a} value={current} onChange={(e) => setStep(e.target.value as Step)}>
                {steps.map((s) => (
                  <option key={s} value={s}>
                    {t(`step.${s}` as Key)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label={t("court.on")} name="on" problem={problem} required>
            {(a) => <DateInput {...a} defaultValue={todayISO()} max={todayISO()} />}
          </Field>
          {current === "filed" && (
            <Field label={t("court.court")} name="court" problem={problem} required>
              {(a) => <input {...a} maxLength={200} defaultValue={c.injunction.court} />}
            </Field>
          )}
          {current === "served" && (
            <label className="check">
              <input type="checkbox" name="served_to_person" /> {t("court.servedToPerson")}
            </label>
          )}
          <div className="buttons">
            <button type="submit">{t("court.record")}</button>
          </div>
        </form>
      )}
      {c.stage === "injunction" && (
        <form onSubmit={(e) => void packet(e)} className="action-form" aria-label={t("court.packet")}>
          <Field label={t("court.packetCourt")} name="options.court" problem={problem}>
            {(a) => <input {...a} maxLength={200} defaultValue={c.injunction.court || c.court.suggested} />}
          </Field>
          <div className="buttons">
            <button type="submit" disabled={busy} data-testid="packet">
              {busy ? t("court.generating") : t("court.packet")}
            </button>
          </div>
        </form>
      )}
      {message && (
        <p role="status" className="ok">
          {message}
        </p>
      )}
    </section>
  );
}

import { useEffect, useState, type FormEvent } from "react";
import { api, type Schemas } from "../api/client";
import { Field, FormErrors, RequiredNote } from "../components/Field";
import { AmountInput, DateInput } from "../components/Inputs";
import { useI18n } from "../i18n";
import { parseAmount } from "../lib/amount";
import { allCreditors } from "../lib/creditors";
import { money } from "../lib/format";
import { checked, formProblem, missing, noProblem, type FormProblem } from "../lib/problem";
import { navigate } from "../lib/router";

interface ClaimRow {
  key: number;
  invoice_number: string;
  issued_on: string;
  due_on: string;
  amount: string;
  vat: string;
  // The nature chooses the time bar where the law gives one of its own
  // (residential rent: three years, law 89-462 art. 7-1).
  nature: Schemas["ClaimNature"];
  // A credit note may name the invoice it corrects: it then reduces that
  // invoice, not the oldest one due (C. civ. 1342-10).
  corrects: string;
}

const emptyClaim = (key: number): ClaimRow => ({ key, invoice_number: "", issued_on: "", due_on: "", amount: "", vat: "", nature: "general", corrects: "" });
const natures: Schemas["ClaimNature"][] = ["general", "residential_rent"];

const debtorFields = ["debtor.kind", "debtor.name", "debtor.siren", "debtor.address.line1", "debtor.address.line2", "debtor.address.postal_code",
  "debtor.address.city", "debtor.emails.0", "debtor.phones.0", "debtor.best_time_to_call"];
const claimFields = ["invoice_number", "issued_on", "due_on", "amount_cents", "vat_cents", "nature", "corrects_invoice_number"];

// NewCase is the form a creditor (or the agency for it) places a case
// with: the debtor and the unpaid invoices. The API's refusals show beside
// the field they concern.
export function NewCase({ me }: { me: Schemas["Me"] }) {
  const { t, lang } = useI18n();
  const staff = me.role !== "creditor";
  const [creditors, setCreditors] = useState<Schemas["Creditor"][]>([]);
  const [claims, setClaims] = useState<ClaimRow[]>([emptyClaim(0)]);
  const [problem, setProblem] = useState<FormProblem>(noProblem);
  const [sending, setSending] = useState(false);

  useEffect(() => {
    if (staff) void allCreditors().then((c) => c && setCreditors(c));
  }, [staff]);

  const known = [...debtorFields, ...(staff ? ["creditor_id"] : []), "creditor_reference", "claims", ...claims.flatMap((_, i) => claimFields.map((f) => `claims.${i}.${f}`))];
  const setClaim = (i: number, field: keyof ClaimRow, value: string) =>
    setClaims((prev) => prev.map((c, j) => (j === i ? { ...c, [field]: value } : c)));
  const total = claims.reduce((sum, c) => sum + (parseAmount(c.amount, { signed: true, lang }) ?? 0), 0);

  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const s = (k: string) => String(f.get(k) ?? "").trim();
    // Empty required fields and amounts are checked here, so a slip is
    // shown beside its field before any call.
    const checks: Record<string, string | false> = missing(e.currentTarget, t("form.missing"));
    const body: Schemas["CaseCreate"] = {
      creditor_reference: s("creditor_reference") || undefined,
      debtor: {
        kind: s("debtor.kind") as "company" | "person",
        name: s("debtor.name"),
        siren: s("debtor.siren") || undefined,
        address: { line1: s("debtor.address.line1"), line2: s("debtor.address.line2") || undefined, postal_code: s("debtor.address.postal_code"), city: s("debtor.address.city") },
        emails: s("debtor.emails.0") ? [s("debtor.emails.0")] : undefined,
        phones: s("debtor.phones.0") ? [s("debtor.phones.0")] : undefined,
        best_time_to_call: s("debtor.best_time_to_call") || undefined,
      },
      claims: claims.map((c, i) => {
        const amount = parseAmount(c.amount, { signed: true, lang });
        const vat = c.vat.trim() ? parseAmount(c.vat, { signed: true, lang }) : 0;
        checks[`claims.${i}.amount_cents`] ||= amount === null && t("field.amountInvalid");
        checks[`claims.${i}.vat_cents`] ||= vat === null && t("field.amountInvalid");
        const corrects = amount !== null && amount < 0 && c.corrects ? c.corrects : undefined;
        return { invoice_number: c.invoice_number.trim(), issued_on: c.issued_on, due_on: c.due_on, amount_cents: amount ?? 0, vat_cents: vat ?? 0, nature: c.nature,
          corrects_invoice_number: corrects };
      }),
    };
    if (staff) body.creditor_id = s("creditor_id");
    const local = checked(checks, t("newCase.error"));
    if (local) return setProblem(local);
    setSending(true);
    const { data, error } = await api.POST("/api/v1/cases", { body });
    setSending(false);
    if (data) return navigate(`/dossiers/${data.id}`);
    setProblem(formProblem(error, known, t("newCase.error")));
  };

  return (
    <section aria-labelledby="new-case-title">
      <h1 id="new-case-title">{t("newCase.title")}</h1>
      <form onSubmit={(e) => void submit(e)} className="card new-case" noValidate>
        <RequiredNote />
        <FormErrors problem={problem} />
        {staff && (
          <Field label={t("newCase.creditor")} name="creditor_id" problem={problem} required>
            {(a) => (
              <select {...a} defaultValue="">
                <option value="" disabled>
                  {t("newCase.chooseCreditor")}
                </option>
                {creditors.map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.legal_name}
                  </option>
                ))}
              </select>
            )}
          </Field>
        )}
        <Field label={t("newCase.reference")} name="creditor_reference" problem={problem}>
          {(a) => <input {...a} maxLength={100} />}
        </Field>
        <fieldset>
          <legend>{t("newCase.debtor")}</legend>
          <div className="grid-2">
            <Field label={t("newCase.kind")} name="debtor.kind" problem={problem}>
              {(a) => (
                <select {...a} defaultValue="company">
                  <option value="company">{t("newCase.company")}</option>
                  <option value="person">{t("newCase.person")}</option>
                </select>
              )}
            </Field>
            <Field label={t("newCase.name")} name="debtor.name" problem={problem} required>
              {(a) => <input {...a} maxLength={200} autoComplete="off" />}
            </Field>
            <Field label={t("newCase.siren")} name="debtor.siren" problem={problem} hint={t("newCase.sirenHint")}>
              {(a) => <input {...a} inputMode="numeric" maxLength={20} />}
            </Field>
            <Field label={t("newCase.line1")} name="debtor.address.line1" problem={problem} required>
              {(a) => <input {...a} maxLength={200} />}
            </Field>
            <Field label={t("newCase.line2")} name="debtor.address.line2" problem={problem}>
              {(a) => <input {...a} maxLength={200} />}
            </Field>
            <Field label={t("newCase.postalCode")} name="debtor.address.postal_code" problem={problem} required>
              {(a) => <input {...a} maxLength={20} inputMode="numeric" />}
            </Field>
            <Field label={t("newCase.city")} name="debtor.address.city" problem={problem} required>
              {(a) => <input {...a} maxLength={100} />}
            </Field>
            <Field label={t("newCase.email")} name="debtor.emails.0" problem={problem}>
              {(a) => <input {...a} type="email" maxLength={254} />}
            </Field>
            <Field label={t("newCase.phone")} name="debtor.phones.0" problem={problem}>
              {(a) => <input {...a} type="tel" maxLength={40} />}
            </Field>
            <Field label={t("agent.bestTime")} name="debtor.best_time_to_call" problem={problem} hint={t("newCase.bestTimeHint")}>
              {(a) => <input {...a} maxLength={200} />}
            </Field>
          </div>
        </fieldset>
        <fieldset>
          <legend>{t("newCase.claims")}</legend>
          {problem.fields.claims && <p className="field-error">{problem.fields.claims.join(" ")}</p>}
          {claims.map((c, i) => (
            <div key={c.key} className="claim-row" role="group" aria-label={`${t("newCase.claimN")} ${i + 1}`}>
              <Field label={t("newCase.invoice")} name={`claims.${i}.invoice_number`} problem={problem} required>
                {(a) => <input {...a} maxLength={100} value={c.invoice_number} onChange={(e) => setClaim(i, "invoice_number", e.target.value)} />}
              </Field>
              <Field label={t("newCase.issuedOn")} name={`claims.${i}.issued_on`} problem={problem} required>
                {(a) => <DateInput {...a} value={c.issued_on} onChange={(e) => setClaim(i, "issued_on", e.target.value)} />}
              </Field>
              <Field label={t("newCase.dueOn")} name={`claims.${i}.due_on`} problem={problem} required>
                {(a) => <DateInput {...a} value={c.due_on} onChange={(e) => setClaim(i, "due_on", e.target.value)} />}
              </Field>
              <Field label={t("newCase.amount")} name={`claims.${i}.amount_cents`} problem={problem} hint={i === 0 ? t("newCase.amountHint") : undefined} required>
                {(a) => <AmountInput {...a} signed value={c.amount} onChange={(e) => setClaim(i, "amount", e.target.value)} />}
              </Field>
              <Field label={t("newCase.vat")} name={`claims.${i}.vat_cents`} problem={problem}>
                {(a) => <AmountInput {...a} signed value={c.vat} onChange={(e) => setClaim(i, "vat", e.target.value)} />}
              </Field>
              <Field label={t("newCase.nature")} name={`claims.${i}.nature`} problem={problem}>
                {(a) => (
                  <select {...a} value={c.nature} onChange={(e) => setClaim(i, "nature", e.target.value)}>
                    {natures.map((n) => (
                      <option key={n} value={n}>
                        {t(`claimNature.${n}`)}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
              {(parseAmount(c.amount, { signed: true, lang }) ?? 0) < 0 && (
                <Field label={t("newCase.corrects")} name={`claims.${i}.corrects_invoice_number`} problem={problem} hint={t("newCase.correctsHint")}>
                  {(a) => (
                    <select {...a} value={c.corrects} onChange={(e) => setClaim(i, "corrects", e.target.value)}>
                      <option value="">{t("newCase.correctsOldest")}</option>
                      {claims
                        .filter((o, j) => j !== i && o.invoice_number.trim() && (parseAmount(o.amount, { signed: true, lang }) ?? 0) > 0)
                        .map((o) => (
                          <option key={o.key} value={o.invoice_number.trim()}>
                            {o.invoice_number.trim()}
                          </option>
                        ))}
                    </select>
                  )}
                </Field>
              )}
              {claims.length > 1 && (
                <button type="button" className="secondary remove" onClick={() => setClaims((prev) => prev.filter((_, j) => j !== i))}>
                  {t("newCase.removeClaim")}
                </button>
              )}
            </div>
          ))}
          <button type="button" className="secondary" onClick={() => setClaims((prev) => [...prev, emptyClaim(Math.max(...prev.map((c) => c.key)) + 1)])}>
            {t("newCase.addClaim")}
          </button>
          <p className="total">
            {t("newCase.total")} : <span data-testid="new-case-total">{money(total, "EUR", lang)}</span>
          </p>
        </fieldset>
        <div className="buttons">
          <button type="submit" disabled={sending}>
            {sending ? t("newCase.sending") : t("newCase.submit")}
          </button>
        </div>
      </form>
    </section>
  );
}

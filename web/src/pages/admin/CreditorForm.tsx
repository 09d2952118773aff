import { useState, type FormEvent } from "react";
import { api, type Schemas } from "../../api/client";
import { Field, FormErrors, RequiredNote } from "../../components/Field";
import { AmountInput, DateInput } from "../../components/Inputs";
import { useI18n } from "../../i18n";
import type { Key } from "../../i18n/messages";
import { parseAmount } from "../../lib/amount";
import { checked, formProblem, missing, noProblem, type FormProblem } from "../../lib/problem";
import { identityBody, identityFields } from "./identity";
import { amountInput, percentInput, parsePercent } from "./units";

type Creditor = Schemas["Creditor"];

// The API's names for the fields this form shows, so its refusals land
// beside them.
const fields = [
  "legal_name", "siren", "siret", "vat_number", "iban", "bic",
  "address.line1", "address.line2", "address.postal_code", "address.city", "address.country",
  "mandate.signed_on", "mandate.commission_bps", "mandate.fixed_fee_cents", "mandate.judicial_allowed",
  "mandate.notice_deadline_days", "mandate.legal_status",
  ...identityFields.company, ...identityFields.person,
] as const;
type Name = (typeof fields)[number];

type Values = Record<Exclude<Name, "mandate.judicial_allowed">, string> & { "mandate.judicial_allowed": boolean };

function initial(c: Creditor | undefined, lang: "fr" | "en"): Values {
  return {
    legal_name: c?.legal_name ?? "",
    siren: c?.siren ?? "",
    siret: c?.siret ?? "",
    vat_number: c?.vat_number ?? "",
    iban: c?.iban ?? "",
    bic: c?.bic ?? "",
    "address.line1": c?.address.line1 ?? "",
    "address.line2": c?.address.line2 ?? "",
    "address.postal_code": c?.address.postal_code ?? "",
    "address.city": c?.address.city ?? "",
    "address.country": c?.address.country || "FR",
    "mandate.signed_on": c?.mandate.signed_on ?? "",
    // A new mandate's commission is left blank: it is always negotiated.
    "mandate.commission_bps": c ? percentInput(c.mandate.commission_bps, lang) : "",
    "mandate.fixed_fee_cents": amountInput(c?.mandate.fixed_fee_cents ?? 0, lang),
    "mandate.judicial_allowed": c?.mandate.judicial_allowed ?? false,
    "mandate.notice_deadline_days": String(c?.mandate.notice_deadline_days ?? 8),
    "mandate.legal_status": c?.mandate.legal_status ?? "business",
    "identity.legal_form": c?.identity.legal_form ?? "",
    "identity.registry": c?.identity.registry ?? "",
    "identity.representative_name": c?.identity.representative_name ?? "",
    "identity.representative_title": c?.identity.representative_title ?? "",
    "identity.profession": c?.identity.profession ?? "",
    "identity.nationality": c?.identity.nationality ?? "",
    "identity.born_on": c?.identity.born_on ?? "",
    "identity.born_in": c?.identity.born_in ?? "",
  };
}

// CreditorForm registers a creditor or changes one: identity, address, bank
// details and the mandate's terms. Percentages and euros are typed the
// French way and sent as basis points and cents.
export function CreditorForm({ creditor, onSaved, onCancel }: { creditor?: Creditor; onSaved: (c: Creditor) => void; onCancel: () => void }) {
  const { t, lang } = useI18n();
  const [f, setF] = useState<Values>(() => initial(creditor, lang));
  const [problem, setProblem] = useState<FormProblem>(noProblem);
  const [busy, setBusy] = useState(false);
  const text = (name: Exclude<Name, "mandate.judicial_allowed">, label: Key, extra: { hint?: Key; inputMode?: "numeric" | "decimal"; type?: string; autoFocus?: boolean; autoComplete?: string; required?: boolean } = {}) => (
    <Field label={t(label)} name={name} problem={problem} hint={extra.hint && t(extra.hint)} required={extra.required}>
      {(a) =>
        extra.type === "amount" ? (
          <AmountInput {...a} value={f[name]} onChange={(e) => setF({ ...f, [name]: e.target.value })} />
        ) : extra.type === "date" ? (
          <DateInput {...a} value={f[name]} onChange={(e) => setF({ ...f, [name]: e.target.value })} />
        ) : (
          <input {...a} type={extra.type ?? "text"} inputMode={extra.inputMode} autoFocus={extra.autoFocus} autoComplete={extra.autoComplete ?? "off"}
            value={f[name]} onChange={(e) => setF({ ...f, [name]: e.target.value })} />
        )
      }
    </Field>
  );

  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const empty = missing(e.currentTarget, t("form.missing"));
    const commission = parsePercent(f["mandate.commission_bps"]);
    const fee = parseAmount(f["mandate.fixed_fee_cents"], { lang });
    const days = /^\d{1,2}$/.test(f["mandate.notice_deadline_days"].trim()) ? Number(f["mandate.notice_deadline_days"]) : NaN;
    const country = f["address.country"].trim().toUpperCase();
    const local = checked({
      ...empty,
      legal_name: !f.legal_name.trim() && t("admin.creditors.legalNameRequired"),
      "mandate.commission_bps": commission === null && t("admin.percentInvalid"),
      "mandate.fixed_fee_cents": fee === null && t("admin.amountInvalid"),
      "mandate.notice_deadline_days": !(days >= 1 && days <= 90) && t("admin.creditors.noticeDaysInvalid"),
      "address.country": !/^[A-Z]{2}$/.test(country) && t("admin.creditors.countryInvalid"),
    }, t("admin.checkFields"));
    if (local || commission === null || fee === null) return setProblem(local ?? noProblem);
    const body = {
      legal_name: f.legal_name.trim(),
      siren: f.siren.trim(),
      siret: f.siret.trim(),
      vat_number: f.vat_number.trim(),
      iban: f.iban.trim(),
      bic: f.bic.trim(),
      address: {
        line1: f["address.line1"].trim(), line2: f["address.line2"].trim(), postal_code: f["address.postal_code"].trim(),
        city: f["address.city"].trim(), country,
      },
      mandate: {
        // The API keeps the date it has when none is sent: a signed mandate
        // cannot be "unsigned" from here.
        ...(f["mandate.signed_on"] ? { signed_on: f["mandate.signed_on"] } : {}),
        commission_bps: commission, fixed_fee_cents: fee, judicial_allowed: f["mandate.judicial_allowed"],
        notice_deadline_days: days, legal_status: f["mandate.legal_status"] as "business" | "individual",
      },
      identity: identityBody(f),
    };
    setBusy(true);
    const { data, error } = creditor
      ? await api.PATCH("/api/v1/creditors/{id}", { params: { path: { id: creditor.id } }, body })
      : await api.POST("/api/v1/creditors", { body });
    setBusy(false);
    if (!data) return setProblem(formProblem(error, fields, t("admin.error")));
    setProblem(noProblem);
    onSaved(data);
  };

  const title = creditor ? `${t("admin.creditors.edit")} ${creditor.legal_name}` : t("admin.creditors.new");
  return (
    <form className={creditor ? "admin-form" : "card admin-form"} onSubmit={(e) => void submit(e)} noValidate aria-label={title} data-testid="creditor-form"
      onKeyDown={(e) => e.key === "Escape" && onCancel()}>
      {!creditor && <h2>{title}</h2>}
      <RequiredNote />
      <FormErrors problem={problem} />
      <fieldset>
        <legend>{t("admin.creditors.identity")}</legend>
        <div className="admin-grid">
          {text("legal_name", "admin.creditors.legalName", { autoFocus: true, required: true })}
          {text("siren", "admin.creditors.siren", { inputMode: "numeric", hint: "admin.creditors.sirenHint" })}
          {text("siret", "admin.creditors.siret", { inputMode: "numeric" })}
          {text("vat_number", "admin.creditors.vat")}
        </div>
      </fieldset>
      <fieldset>
        <legend>{t("admin.creditors.address")}</legend>
        <div className="admin-grid">
          {text("address.line1", "admin.creditors.line1")}
          {text("address.line2", "admin.creditors.line2")}
          {text("address.postal_code", "admin.creditors.postalCode", { inputMode: "numeric" })}
          {text("address.city", "admin.creditors.city")}
          {text("address.country", "admin.creditors.country", { hint: "admin.creditors.countryHint", required: true })}
        </div>
      </fieldset>
      <fieldset>
        <legend>{t("admin.creditors.bank")}</legend>
        <div className="admin-grid">
          {text("iban", "admin.creditors.iban")}
          {text("bic", "admin.creditors.bic")}
        </div>
      </fieldset>
      <fieldset>
        <legend>{t("admin.creditors.mandate")}</legend>
        <div className="admin-grid">
          {text("mandate.signed_on", "admin.creditors.signedOn", { type: "date" })}
          {text("mandate.commission_bps", "admin.creditors.commission", { inputMode: "decimal", hint: "admin.creditors.commissionHint", required: true })}
          {text("mandate.fixed_fee_cents", "admin.creditors.fixedFee", { type: "amount", hint: "admin.creditors.fixedFeeHint", required: true })}
          {text("mandate.notice_deadline_days", "admin.creditors.noticeDays", { inputMode: "numeric", hint: "admin.creditors.noticeDaysHint", required: true })}
          <Field label={t("admin.creditors.legalStatus")} name="mandate.legal_status" problem={problem} hint={t("admin.creditors.legalStatusHint")}>
            {(a) => (
              <select {...a} value={f["mandate.legal_status"]} onChange={(e) => setF({ ...f, "mandate.legal_status": e.target.value })}>
                <option value="business">{t("admin.creditors.business")}</option>
                <option value="individual">{t("admin.creditors.individual")}</option>
              </select>
            )}
          </Field>
          <Field label={t("admin.creditors.judicial")} name="mandate.judicial_allowed" problem={problem} hint={t("admin.creditors.judicialHint")}>
            {(a) => (
              <span className="admin-check">
                <input {...a} type="checkbox" checked={f["mandate.judicial_allowed"]}
                  onChange={(e) => setF({ ...f, "mandate.judicial_allowed": e.target.checked })} />
              </span>
            )}
          </Field>
        </div>
      </fieldset>
      <fieldset data-testid="court-identity">
        <legend>{t("admin.creditors.court")}</legend>
        <p className="hint">{t(f["mandate.legal_status"] === "individual" ? "admin.creditors.courtPersonHint" : "admin.creditors.courtCompanyHint")}</p>
        {f["mandate.legal_status"] === "individual" ? (
          <div className="admin-grid">
            {text("identity.profession", "admin.creditors.profession", { hint: "admin.creditors.professionHint" })}
            {text("identity.nationality", "admin.creditors.nationality", { hint: "admin.creditors.nationalityHint" })}
            {text("identity.born_on", "admin.creditors.bornOn", { type: "date" })}
            {text("identity.born_in", "admin.creditors.bornIn", { hint: "admin.creditors.bornInHint" })}
          </div>
        ) : (
          <div className="admin-grid">
            {text("identity.legal_form", "admin.creditors.legalForm", { hint: "admin.creditors.legalFormHint" })}
            {text("identity.registry", "admin.creditors.registry", { hint: "admin.creditors.registryHint" })}
            {text("identity.representative_name", "admin.creditors.representativeName", { hint: "admin.creditors.representativeNameHint" })}
            {text("identity.representative_title", "admin.creditors.representativeTitle", { hint: "admin.creditors.representativeTitleHint" })}
          </div>
        )}
      </fieldset>
      <div className="admin-buttons">
        <button type="submit" disabled={busy}>{creditor ? t("admin.save") : t("admin.creditors.create")}</button>
        <button type="button" className="secondary" onClick={onCancel}>{t("admin.cancel")}</button>
      </div>
    </form>
  );
}

import { useEffect, useRef, useState } from "react";
import { api, type Schemas } from "../../api/client";
import { Link } from "../../components/Link";
import { useI18n } from "../../i18n";
import { date, money } from "../../lib/format";
import { ApiKeys } from "./ApiKeys";
import { CreditorForm } from "./CreditorForm";
import { percent } from "./units";
import { LoadError } from "./LoadError";

type Creditor = Schemas["Creditor"];

// CreditorPage is one creditor: its record and mandate, changed in place,
// and the API keys its systems use.
export function CreditorPage({ id }: { id: string }) {
  const { t, lang } = useI18n();
  const [c, setC] = useState<Creditor | null>(null);
  const [state, setState] = useState<"loading" | "missing" | "failed" | "ready">("loading");
  const [editing, setEditing] = useState(false);
  const [status, setStatus] = useState("");
  const editButton = useRef<HTMLButtonElement>(null);

  const load = async () => {
    setState("loading");
    const { data, response } = await api.GET("/api/v1/creditors/{id}", { params: { path: { id } } });
    if (data) return (setC(data), setState("ready"));
    setState(response.status === 404 ? "missing" : "failed");
  };
  useEffect(() => void load(), [id]); // eslint-disable-line react-hooks/exhaustive-deps

  const closeForm = () => (setEditing(false), setTimeout(() => editButton.current?.focus(), 0));
  const back = (
    <Link to="/admin/creanciers">{t("admin.creditors.back")}</Link>
  );

  if (state !== "ready" || !c) {
    return (
      <section aria-labelledby="admin-creditor-title">
        <p>{back}</p>
        <h1 id="admin-creditor-title">{t("admin.creditors.one")}</h1>
        {state === "loading" ? (
          <p className="status">{t("admin.loading")}</p>
        ) : state === "missing" ? (
          <p className="status">{t("admin.creditors.missing")}</p>
        ) : (
          <LoadError onRetry={() => void load()} />
        )}
      </section>
    );
  }

  const m = c.mandate;
  const ident = c.identity;
  const person = m.legal_status === "individual";
  const address = [c.address.line1, c.address.line2, [c.address.postal_code, c.address.city].filter(Boolean).join(" "), c.address.country]
    .filter(Boolean)
    .join(", ");
  return (
    <section aria-labelledby="admin-creditor-title">
      <p>{back}</p>
      <h1 id="admin-creditor-title">{c.legal_name}</h1>
      <section aria-labelledby="admin-record-title" className="card admin-record">
        <div className="admin-card-head">
          <h2 id="admin-record-title">{t("admin.creditors.record")}</h2>
          {!editing && (
            <button type="button" className="secondary" ref={editButton} onClick={() => (setEditing(true), setStatus(""))}>
              {t("admin.edit")}
            </button>
          )}
        </div>
        {editing ? (
          <CreditorForm creditor={c} onCancel={closeForm}
            onSaved={(saved) => (setC(saved), setStatus(t("admin.creditors.saved")), closeForm())} />
        ) : (
          <dl className="facts" data-testid="creditor-record">
            <dt>{t("admin.creditors.siren")}</dt>
            <dd>{c.siren || "—"}</dd>
            <dt>{t("admin.creditors.siret")}</dt>
            <dd>{c.siret || "—"}</dd>
            <dt>{t("admin.creditors.vat")}</dt>
            <dd>{c.vat_number || "—"}</dd>
            <dt>{t("admin.creditors.address")}</dt>
            <dd>{address || "—"}</dd>
            <dt>{t("admin.creditors.iban")}</dt>
            <dd>{c.iban || "—"}</dd>
            <dt>{t("admin.creditors.signedOn")}</dt>
            <dd>{date(m.signed_on, lang)}</dd>
            <dt>{t("admin.creditors.commission")}</dt>
            <dd>{percent(m.commission_bps, lang)}</dd>
            <dt>{t("admin.creditors.fixedFee")}</dt>
            <dd>{money(m.fixed_fee_cents, "EUR", lang)}</dd>
            <dt>{t("admin.creditors.noticeDays")}</dt>
            <dd>{m.notice_deadline_days}</dd>
            <dt>{t("admin.creditors.judicial")}</dt>
            <dd>{t(m.judicial_allowed ? "admin.yes" : "admin.no")}</dd>
            <dt>{t("admin.creditors.legalStatus")}</dt>
            <dd>{t(m.legal_status === "business" ? "admin.creditors.business" : "admin.creditors.individual")}</dd>
          </dl>
        )}
        {!editing && (
          <>
            <h3>{t("admin.creditors.court")}</h3>
            <dl className="facts" data-testid="creditor-court-identity">
              {person ? (
                <>
                  <dt>{t("admin.creditors.profession")}</dt>
                  <dd>{ident.profession || "—"}</dd>
                  <dt>{t("admin.creditors.nationality")}</dt>
                  <dd>{ident.nationality || "—"}</dd>
                  <dt>{t("admin.creditors.bornOn")}</dt>
                  <dd>{ident.born_on ? date(ident.born_on, lang) : "—"}</dd>
                  <dt>{t("admin.creditors.bornIn")}</dt>
                  <dd>{ident.born_in || "—"}</dd>
                </>
              ) : (
                <>
                  <dt>{t("admin.creditors.legalForm")}</dt>
                  <dd>{ident.legal_form || "—"}</dd>
                  <dt>{t("admin.creditors.registry")}</dt>
                  <dd>{ident.registry || "—"}</dd>
                  <dt>{t("admin.creditors.representativeName")}</dt>
                  <dd>{ident.representative_name || "—"}</dd>
                  <dt>{t("admin.creditors.representativeTitle")}</dt>
                  <dd>{ident.representative_title || "—"}</dd>
                </>
              )}
            </dl>
          </>
        )}
        <p className="admin-status ok" role="status">{status}</p>
      </section>
      <ApiKeys creditor={c} />
    </section>
  );
}

import { useEffect, useRef, useState } from "react";
import { api, type Schemas } from "../../api/client";
import { Link } from "../../components/Link";
import { useI18n } from "../../i18n";
import { money } from "../../lib/format";
import { CreditorForm } from "./CreditorForm";
import { mergeById } from "./form";
import { percent } from "./units";
import { LoadError } from "./LoadError";

type Creditor = Schemas["Creditor"];

// Creditors lists the agency's clients with their mandate's terms; each one
// opens on its own page (record, mandate, API keys).
export function Creditors() {
  const { t, lang } = useI18n();
  const [items, setItems] = useState<Creditor[] | null>(null);
  const [cursor, setCursor] = useState<string | undefined>();
  const [loadError, setLoadError] = useState(false);
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<Creditor | null>(null);
  const newButton = useRef<HTMLButtonElement>(null);

  const load = async (after?: string) => {
    setLoadError(false);
    const { data } = await api.GET("/api/v1/creditors", { params: { query: { limit: 50, cursor: after } } });
    if (!data) return setLoadError(true);
    setItems((prev) => (after && prev ? mergeById(prev, data.items) : data.items));
    setCursor(data.next_cursor);
  };
  useEffect(() => void load(), []);

  const closeForm = () => (setCreating(false), setTimeout(() => newButton.current?.focus(), 0));

  return (
    <section aria-labelledby="admin-creditors-title">
      <h1 id="admin-creditors-title">{t("admin.creditors.title")}</h1>
      {!creating && (
        <button type="button" ref={newButton} onClick={() => (setCreating(true), setCreated(null))}>
          {t("admin.creditors.new")}
        </button>
      )}
      {creating && (
        <CreditorForm onCancel={closeForm}
          onSaved={(c) => {
            setItems((prev) => mergeById(prev ?? [], [c]));
            setCreated(c);
            closeForm();
          }} />
      )}
      <p className="admin-status ok" role="status">
        {created && (
          <>
            {t("admin.creditors.created")} {created.legal_name}.{" "}
            <Link to={`/admin/creanciers/${created.id}`}>{t("admin.creditors.openKeys")}</Link>
          </>
        )}
      </p>
      {loadError ? (
        <LoadError onRetry={() => void load()} />
      ) : items === null ? (
        <p className="status">{t("admin.loading")}</p>
      ) : items.length === 0 ? (
        <p className="status">{t("admin.creditors.empty")}</p>
      ) : (
        <div className="admin-scroll">
          <table data-testid="creditors" className="cards">
            <thead>
              <tr>
                <th scope="col">{t("admin.creditors.legalName")}</th>
                <th scope="col">{t("admin.creditors.siren")}</th>
                <th scope="col">{t("admin.creditors.city")}</th>
                <th scope="col" className="num">{t("admin.creditors.commission")}</th>
                <th scope="col" className="num">{t("admin.creditors.fixedFee")}</th>
                <th scope="col">{t("admin.creditors.judicialShort")}</th>
                <th scope="col" className="num">{t("admin.creditors.noticeDaysShort")}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((c) => (
                <tr key={c.id}>
                  <td>
                    <Link to={`/admin/creanciers/${c.id}`}>{c.legal_name}</Link>
                  </td>
                  <td data-label={t("admin.creditors.siren")}>{c.siren || "—"}</td>
                  <td data-label={t("admin.creditors.city")}>{c.address.city || "—"}</td>
                  <td className="num" data-label={t("admin.creditors.commission")}>{percent(c.mandate.commission_bps, lang)}</td>
                  <td className="num" data-label={t("admin.creditors.fixedFee")}>{money(c.mandate.fixed_fee_cents, "EUR", lang)}</td>
                  <td data-label={t("admin.creditors.judicialShort")}>{t(c.mandate.judicial_allowed ? "admin.yes" : "admin.no")}</td>
                  <td className="num" data-label={t("admin.creditors.noticeDaysShort")}>{c.mandate.notice_deadline_days}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {cursor && (
        <button type="button" className="secondary admin-more" onClick={() => void load(cursor)}>
          {t("admin.creditors.more")}
        </button>
      )}
    </section>
  );
}

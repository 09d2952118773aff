import { useEffect, useState } from "react";
import { api, type Schemas } from "../api/client";
import { useI18n } from "../i18n";

type Settings = Schemas["NotificationSettings"];
type Reports = Schemas["CreditorPaymentReports"]["payment_reports"];

// DigestSettings is the notification panel's "E-mail digest" section
// (loaded when first opened): the person's daily e-mail digest, on or off,
// in the page's language; for a creditor's person, also how its creditor
// is told of each payment (CPCE R124-5).
export function DigestSettings() {
  const { t, lang } = useI18n();
  const [settings, setSettings] = useState<Settings | null>(null);
  const [creditor, setCreditor] = useState<string | null>(null);
  const [reports, setReports] = useState<Reports | null>(null);
  const [saved, setSaved] = useState("");
  const [error, setError] = useState("");

  useEffect(() => {
    void (async () => {
      const [s, me] = await Promise.all([api.GET("/api/v1/notifications/settings"), api.GET("/api/v1/me")]);
      if (s.data) setSettings(s.data);
      const id = me.data?.role === "creditor" ? me.data.creditor_id : null;
      if (id) {
        setCreditor(id);
        const { data } = await api.GET("/api/v1/creditors/{id}/payment-reports", { params: { path: { id } } });
        if (data) setReports(data.payment_reports);
      }
    })();
  }, []);

  const problem = (e: unknown) => setError((e as { detail?: string; title?: string })?.detail ?? t("digest.error"));
  const setDigest = async (on: boolean) => {
    setSaved("");
    setError("");
    const { data, error: e } = await api.PUT("/api/v1/notifications/settings", { body: { email_digest: on, language: lang } });
    if (data) {
      setSettings(data);
      setSaved(t("digest.saved"));
    } else problem(e);
  };
  const setCreditorReports = async (r: Reports) => {
    if (!creditor) return;
    setSaved("");
    setError("");
    const { data, error: e } = await api.PUT("/api/v1/creditors/{id}/payment-reports", { params: { path: { id: creditor } }, body: { payment_reports: r } });
    if (data) {
      setReports(data.payment_reports);
      setSaved(t("digest.saved"));
    } else problem(e);
  };

  if (!settings) return <p className="status">{t("loading")}</p>;
  return (
    <div className="digest" data-testid="digest-settings">
      <label>
        <input type="checkbox" checked={settings.email_digest} onChange={(e) => void setDigest(e.target.checked)} data-testid="digest-toggle" />{" "}
        {t("digest.label").replace("{time}", settings.digest_time)}
      </label>
      <p className="hint">
        {t("digest.to")} {settings.email}
        {!settings.mail_configured && <> — {t("digest.noMail")}</>}
      </p>
      {settings.payments_by_creditor && !settings.email_digest && <p className="hint">{t("digest.forced")}</p>}
      {creditor && reports && (
        <fieldset>
          <legend>{t("digest.reports")}</legend>
          {(["portal", "digest"] as const).map((r) => (
            <label key={r}>
              <input type="radio" name="payment-reports" value={r} checked={reports === r} onChange={() => void setCreditorReports(r)} data-testid={`reports-${r}`} />{" "}
              {t(`digest.reports.${r}`)}
            </label>
          ))}
        </fieldset>
      )}
      <p role="status" className="hint">
        {saved}
      </p>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </div>
  );
}

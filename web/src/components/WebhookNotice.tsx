import { useEffect, useState } from "react";
import { api } from "../api/client";
import { useI18n } from "../i18n";
import { Link } from "./Link";

const texts = {
  fr: {
    one: "Votre point de réception de webhooks {url} a été désactivé : ses envois échouaient depuis trois jours. Votre système ne reçoit plus les événements de vos dossiers.",
    many: "{n} de vos points de réception de webhooks ont été désactivés : leurs envois échouaient depuis trois jours. Votre système ne reçoit plus les événements de vos dossiers.",
    go: "Vérifier et réactiver",
  },
  en: {
    one: "Your webhook endpoint {url} was disabled: its deliveries had been failing for three days. Your system no longer receives your cases' events.",
    many: "{n} of your webhook endpoints were disabled: their deliveries had been failing for three days. Your system no longer receives your cases' events.",
    go: "Check and re-enable",
  },
};

// WebhookNotice tells a creditor, on its home page, that the dispatcher
// disabled endpoints of its own after three days of failures
// (disabled_reason "failing"), with the way to the Webhooks screen where
// it re-enables them and replays what was missed. Nothing when none is.
export function WebhookNotice({ creditorId }: { creditorId?: string }) {
  const { lang } = useI18n();
  const [off, setOff] = useState<string[]>([]);
  useEffect(() => {
    let current = true;
    void api
      .GET("/api/v1/webhook-endpoints", { params: { query: { creditor_id: creditorId } } })
      .then(({ data }) => current && setOff((data?.items ?? []).filter((e) => !e.enabled && e.disabled_reason === "failing").map((e) => e.url)));
    return () => {
      current = false;
    };
  }, [creditorId]);
  if (off.length === 0) return null;
  const t = texts[lang === "en" ? "en" : "fr"];
  const msg = off.length === 1 ? t.one.replace("{url}", off[0]) : t.many.replace("{n}", String(off.length));
  return (
    <p role="alert" className="warning" data-testid="webhook-notice">
      {msg} <Link to="/webhooks">{t.go}</Link>
    </p>
  );
}

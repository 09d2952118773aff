import { useEffect, useState } from "react";
import { api, type Schemas } from "../api/client";
import { CaseTable } from "../components/CaseTable";
import { useI18n } from "../i18n";
import { date } from "../lib/format";
import { navigate } from "../lib/router";

// Queue is the agent's home: the cases due for action, best first, and the
// "next case" button that hands over one case nobody else holds.
export function Queue() {
  const { t, lang } = useI18n();
  const [items, setItems] = useState<Schemas["CaseSummary"][] | null>(null);
  const [message, setMessage] = useState("");

  useEffect(() => {
    void api.GET("/api/v1/queue", { params: { query: { limit: 50 } } }).then(({ data }) => setItems(data?.items ?? []));
  }, []);

  const next = async () => {
    const { data, response } = await api.POST("/api/v1/queue/next");
    if (data) navigate(`/dossiers/${data.id}`);
    else setMessage(response.status === 404 ? t("queue.empty") : t("error.generic"));
  };

  return (
    <section aria-labelledby="queue-title">
      <h1 id="queue-title">{t("queue.title")}</h1>
      <button type="button" className="primary" onClick={() => void next()} data-testid="next-case">
        {t("queue.next")}
      </button>
      {message && <p role="status">{message}</p>}
      {items === null ? (
        <p className="status">{t("loading")}</p>
      ) : items.length === 0 ? (
        <p className="status">{t("queue.empty")}</p>
      ) : (
        <CaseTable items={items} lastHead="queue.promise"
          last={(c) => (c.promise_due_on ? date(c.promise_due_on, lang) : c.broken_promises > 0 ? `✗ ${c.broken_promises}` : "")} />
      )}
    </section>
  );
}

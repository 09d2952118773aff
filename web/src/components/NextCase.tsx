import { useEffect, useRef, useState } from "react";
import { api } from "../api/client";
import { useI18n } from "../i18n";
import { Once } from "../lib/confirm";
import { navigate } from "../lib/router";

// NextCase is "Dossier suivant": the button, and the s key anywhere on the
// page (outside fields), that takes the best case of the agent's queue
// nobody else holds (POST /api/v1/queue/next) and opens it — from the queue
// or from a case page, so an agent goes from case to case without coming
// back to the queue.
export function NextCase({ primary }: { primary?: boolean }) {
  const { t } = useI18n();
  const [message, setMessage] = useState("");
  const [busy, setBusy] = useState(false);
  const once = useRef(new Once());

  const next = () =>
    void once.current.run(async () => {
      setBusy(true);
      setMessage("");
      try {
        const { data, response } = await api.POST("/api/v1/queue/next");
        if (data) navigate(`/dossiers/${data.id}`);
        else setMessage(response.status === 404 ? t("agent.nextEmpty") : t("error.generic"));
      } catch {
        setMessage(t("error.generic"));
      } finally {
        setBusy(false);
      }
    });

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const el = e.target as HTMLElement;
      if (e.key !== "s" || e.repeat || e.ctrlKey || e.metaKey || e.altKey) return;
      if (["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName) || el.isContentEditable) return;
      e.preventDefault();
      next();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  });

  return (
    <div className="next-case">
      <button type="button" className={primary ? "primary" : undefined} onClick={next} disabled={busy} aria-keyshortcuts="s" data-testid="next-case">
        {t("agent.next")} <kbd>s</kbd>
      </button>
      {message && <p role="status">{message}</p>}
    </div>
  );
}

import { useState } from "react";
import { api, type Schemas } from "../api/client";
import { useI18n } from "../i18n";

// AssignMe makes the signed-in lawyer (or administrator) the case's lawyer:
// one PATCH with the case's ETag, so an assignment made meanwhile by
// someone else is not overwritten but refused (412) and reloaded.
export function AssignMe({
  c,
  me,
  onDone,
  label,
}: {
  c: Pick<Schemas["CaseSummary"], "id" | "version" | "assigned_lawyer_id">;
  me: Schemas["Me"];
  onDone: () => void;
  label?: string;
}) {
  const { t } = useI18n();
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  if (me.role !== "lawyer" && me.role !== "admin") return null;
  if (c.assigned_lawyer_id === me.id) return <span className="ok">{t("assign.mine")}</span>;
  const assign = async () => {
    setBusy(true);
    const { error, response } = await api.PATCH("/api/v1/cases/{id}", {
      params: { path: { id: c.id }, header: { "If-Match": `"${c.version}"` } },
      body: { assigned_lawyer_id: me.id },
    });
    setBusy(false);
    if (error) {
      const p = error as Partial<Schemas["Problem"]>;
      const detail = [p.detail ?? p.title, ...(p.errors ?? []).map((e) => e.message)].filter(Boolean).join(" ");
      setError(response.status === 412 ? t("assign.stale") : `${t("assign.error")} ${detail}`);
      if (response.status === 412) onDone();
      return;
    }
    setError("");
    onDone();
  };
  return (
    <>
      <button type="button" disabled={busy} onClick={() => void assign()} data-testid={`assign-${c.id}`}>
        {label ?? t("assign.me")}
      </button>
      {error && (
        <span role="alert" className="error">
          {" "}
          {error}
        </span>
      )}
    </>
  );
}

import { useEffect, useRef, useState, type FormEvent, type RefObject } from "react";
import { api, type Schemas } from "../../api/client";
import { Field, FormErrors } from "../../components/Field";
import { useI18n } from "../../i18n";
import { dateTime } from "../../lib/format";
import { checked, formProblem, noProblem, type FormProblem } from "../../lib/problem";
import { LoadError } from "./LoadError";

type ApiKey = Schemas["APIKey"];

// ApiKeys manages the keys a creditor's systems sign in with. A new key's
// secret lives only in this component's state: the API never returns it
// again, so leaving the page loses it for good, by design.
export function ApiKeys({ creditor }: { creditor: Schemas["Creditor"] }) {
  const { t, lang } = useI18n();
  const [keys, setKeys] = useState<ApiKey[] | null>(null);
  const [loadError, setLoadError] = useState(false);
  const [name, setName] = useState("");
  const [problem, setProblem] = useState<FormProblem>(noProblem);
  const [busy, setBusy] = useState(false);
  const [secret, setSecret] = useState<Schemas["APIKeyCreated"] | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [status, setStatus] = useState({ text: "", ok: true });
  const secretBox = useRef<HTMLDivElement>(null);
  const nameInput = useRef<HTMLInputElement | null>(null);

  const load = async () => {
    setLoadError(false);
    const { data } = await api.GET("/api/v1/creditors/{id}/api-keys", { params: { path: { id: creditor.id } } });
    if (!data) return setLoadError(true);
    setKeys(data.items);
  };
  useEffect(() => void load(), [creditor.id]); // eslint-disable-line react-hooks/exhaustive-deps

  const create = async (e: FormEvent) => {
    e.preventDefault();
    const local = checked({ name: !name.trim() && t("admin.keys.nameRequired") }, t("admin.checkFields"));
    if (local) return setProblem(local);
    setBusy(true);
    const { data, error } = await api.POST("/api/v1/creditors/{id}/api-keys", { params: { path: { id: creditor.id } }, body: { name: name.trim() } });
    setBusy(false);
    if (!data) return setProblem(formProblem(error, ["name"], t("admin.error")));
    setProblem(noProblem);
    setName("");
    setStatus({ text: "", ok: true });
    setSecret(data);
    // The list keeps the key's description only, never its secret.
    const { id, creditor_id, name: keyName, prefix, created_at, last_used_at, revoked_at } = data;
    setKeys((prev) => [...(prev ?? []), { id, creditor_id, name: keyName, prefix, created_at, last_used_at, revoked_at }]);
    // The secret box takes the focus so a screen reader reads the warning
    // and the key at once.
    setTimeout(() => secretBox.current?.focus(), 0);
  };

  const revoke = async (k: ApiKey) => {
    const { data } = await api.POST("/api/v1/api-keys/{id}/revoke", { params: { path: { id: k.id } } });
    setConfirming(null);
    if (!data) return setStatus({ text: t("admin.keys.revokeFailed"), ok: false });
    setKeys((prev) => (prev ?? []).map((x) => (x.id === data.id ? data : x)));
    if (secret?.id === data.id) setSecret(null);
    setStatus({ text: `${t("admin.keys.revoked")} ${data.name}`, ok: true });
    setTimeout(() => nameInput.current?.focus(), 0);
  };

  return (
    <section aria-labelledby="admin-keys-title" className="card admin-keys">
      <h2 id="admin-keys-title">{t("admin.keys.title")}</h2>
      <p className="hint">{t("admin.keys.intro")}</p>
      {secret && <Secret created={secret} boxRef={secretBox} onDone={() => (setSecret(null), setTimeout(() => nameInput.current?.focus(), 0))} />}
      {loadError ? (
        <LoadError onRetry={() => void load()} />
      ) : keys === null ? (
        <p className="status">{t("admin.loading")}</p>
      ) : keys.length === 0 ? (
        <p className="status">{t("admin.keys.empty")}</p>
      ) : (
        <div className="admin-scroll">
          <table data-testid="api-keys" className="cards">
            <thead>
              <tr>
                <th scope="col">{t("admin.keys.name")}</th>
                <th scope="col">{t("admin.keys.prefix")}</th>
                <th scope="col">{t("admin.keys.createdAt")}</th>
                <th scope="col">{t("admin.keys.lastUsed")}</th>
                <th scope="col">{t("admin.keys.state")}</th>
                <th scope="col"><span className="admin-sr">{t("admin.actions")}</span></th>
              </tr>
            </thead>
            <tbody>
              {keys.map((k) => (
                <tr key={k.id}>
                  <td>{k.name}</td>
                  <td data-label={t("admin.keys.prefix")}><code>{k.prefix}…</code></td>
                  <td data-label={t("admin.keys.createdAt")}>{dateTime(k.created_at, lang)}</td>
                  <td data-label={t("admin.keys.lastUsed")}>{k.last_used_at ? dateTime(k.last_used_at, lang) : t("admin.keys.neverUsed")}</td>
                  <td data-label={t("admin.keys.state")}>
                    {k.revoked_at ? (
                      <span className="admin-badge off">{t("admin.keys.revokedOn")} {dateTime(k.revoked_at, lang)}</span>
                    ) : (
                      <span className="admin-badge">{t("admin.keys.active")}</span>
                    )}
                  </td>
                  <td className="admin-row-actions">
                    {!k.revoked_at && confirming !== k.id && (
                      <button type="button" className="secondary danger" data-revoke={k.id} aria-label={`${t("admin.keys.revoke")} ${k.name}`}
                        onClick={() => (setConfirming(k.id), setStatus({ text: "", ok: true }))}>
                        {t("admin.keys.revoke")}
                      </button>
                    )}
                    {confirming === k.id && (
                      <Confirm name={k.name} onConfirm={() => void revoke(k)}
                        onCancel={() => {
                          setConfirming(null);
                          setTimeout(() => document.querySelector<HTMLElement>(`[data-revoke="${k.id}"]`)?.focus(), 0);
                        }} />
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p className={`admin-status ${status.ok ? "ok" : "error"}`} role="status">{status.text}</p>
      <form className="admin-inline-form" onSubmit={(e) => void create(e)} noValidate aria-labelledby="admin-new-key" data-testid="new-key">
        <h3 id="admin-new-key">{t("admin.keys.new")}</h3>
        <FormErrors problem={problem} />
        <Field label={t("admin.keys.name")} name="name" problem={problem} hint={t("admin.keys.nameHint")} required>
          {(a) => <input {...a} ref={nameInput} autoComplete="off" maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />}
        </Field>
        <div className="admin-buttons">
          <button type="submit" disabled={busy}>{t("admin.keys.create")}</button>
        </div>
      </form>
    </section>
  );
}

// Secret shows a new key once, with what to do with it now.
function Secret({ created, boxRef, onDone }: { created: Schemas["APIKeyCreated"]; boxRef: RefObject<HTMLDivElement | null>; onDone: () => void }) {
  const { t } = useI18n();
  const [copy, setCopy] = useState<"" | "done" | "failed">("");
  const field = useRef<HTMLInputElement>(null);
  const doCopy = async () => {
    try {
      await navigator.clipboard.writeText(created.key);
      setCopy("done");
    } catch {
      // Without clipboard access (permission, insecure origin), the key is
      // selected so Ctrl+C copies it.
      field.current?.select();
      setCopy("failed");
    }
  };
  return (
    <div className="admin-secret" role="region" aria-labelledby="admin-secret-title" tabIndex={-1} ref={boxRef} data-testid="api-key-secret">
      <h3 id="admin-secret-title">{t("admin.keys.secretTitle")} {created.name}</h3>
      <p className="admin-secret-warning">{t("admin.keys.secretOnce")}</p>
      <label htmlFor="admin-secret-value">{t("admin.keys.secretLabel")}</label>
      <div className="admin-secret-row">
        <input id="admin-secret-value" ref={field} readOnly value={created.key} onFocus={(e) => e.target.select()} spellCheck={false} />
        <button type="button" onClick={() => void doCopy()}>{t("admin.keys.copy")}</button>
      </div>
      <p role="status" className={`admin-status ${copy === "failed" ? "error" : "ok"}`}>
        {copy === "done" ? t("admin.keys.copied") : copy === "failed" ? t("admin.keys.copyFailed") : ""}
      </p>
      <button type="button" className="secondary" onClick={onDone}>{t("admin.keys.secretDone")}</button>
    </div>
  );
}

// Confirm asks before a key is revoked: the systems using it are refused at
// once and a revoked key cannot be brought back.
function Confirm({ name, onConfirm, onCancel }: { name: string; onConfirm: () => void; onCancel: () => void }) {
  const { t } = useI18n();
  const yes = useRef<HTMLButtonElement>(null);
  useEffect(() => yes.current?.focus(), []);
  return (
    <div className="admin-confirm" role="group" aria-label={`${t("admin.keys.revoke")} ${name}`} onKeyDown={(e) => e.key === "Escape" && onCancel()}>
      <p>{t("admin.keys.confirm")}</p>
      <button type="button" className="danger" ref={yes} onClick={onConfirm}>{t("admin.keys.confirmRevoke")}</button>
      <button type="button" className="secondary" onClick={onCancel}>{t("admin.cancel")}</button>
    </div>
  );
}

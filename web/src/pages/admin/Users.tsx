import { Fragment, useEffect, useRef, useState, type FormEvent } from "react";
import { api, type Schemas } from "../../api/client";
import { Field, FormErrors, RequiredNote } from "../../components/Field";
import { useI18n } from "../../i18n";
import { allCreditors } from "../../lib/creditors";
import { dateTime } from "../../lib/format";
import { checked, formProblem, missing, noProblem, type FormProblem } from "../../lib/problem";
import { byName, mergeById } from "./form";
import { LoadError } from "./LoadError";

type User = Schemas["User"];
type Role = Schemas["Role"];
type Creditor = Schemas["Creditor"];
// The creditors for the select: null while loading, "failed" if refused.
type CreditorList = Creditor[] | null | "failed";

const roles: Role[] = ["agent", "lawyer", "accountant", "creditor", "admin"];
const createFields = ["email", "name", "role", "creditor_id", "password", "bar"] as const;
const patchFields = ["name", "role", "creditor_id", "active", "password", "bar"] as const;

// Users lists the accounts and lets the admin create one or change its
// name, role, creditor, state or password.
export function Users() {
  const { t, lang } = useI18n();
  const [users, setUsers] = useState<User[] | null>(null);
  const [cursor, setCursor] = useState<string | undefined>();
  const [loadError, setLoadError] = useState(false);
  const [creditors, setCreditors] = useState<CreditorList>(null);
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<string | null>(null);
  const [status, setStatus] = useState("");
  const newButton = useRef<HTMLButtonElement>(null);

  const load = async (after?: string) => {
    setLoadError(false);
    const { data } = await api.GET("/api/v1/users", { params: { query: { limit: 50, cursor: after } } });
    if (!data) return setLoadError(true);
    setUsers((prev) => (after && prev ? mergeById(prev, data.items) : data.items));
    setCursor(data.next_cursor);
  };
  useEffect(() => {
    void load();
    void allCreditors().then((c) => setCreditors(c ? c.sort(byName) : "failed"));
  }, []);

  const creditorName = (id: string | null) => (Array.isArray(creditors) && creditors.find((c) => c.id === id)?.legal_name) || "";
  // Focus goes back to the button that opened a form once it closes, so a
  // keyboard user does not land at the top of the page.
  const closeEdit = (id: string) => {
    setEditing(null);
    setTimeout(() => document.querySelector<HTMLElement>(`[data-edit-user="${id}"]`)?.focus(), 0);
  };

  return (
    <section aria-labelledby="admin-users-title">
      <h1 id="admin-users-title">{t("admin.users.title")}</h1>
      {!creating && (
        <button type="button" ref={newButton} onClick={() => (setCreating(true), setStatus(""))}>
          {t("admin.users.new")}
        </button>
      )}
      {creating && (
        <NewUser creditors={creditors}
          onCancel={() => (setCreating(false), setTimeout(() => newButton.current?.focus(), 0))}
          onCreated={(u) => {
            setUsers((prev) => mergeById(prev ?? [], [u]));
            setCreating(false);
            setStatus(`${t("admin.users.created")} ${u.email}`);
            setTimeout(() => newButton.current?.focus(), 0);
          }} />
      )}
      <p className="admin-status ok" role="status">{status}</p>
      {loadError ? (
        <LoadError onRetry={() => void load()} />
      ) : users === null ? (
        <p className="status">{t("admin.loading")}</p>
      ) : users.length === 0 ? (
        <p className="status">{t("admin.users.empty")}</p>
      ) : (
        <div className="admin-scroll">
          <table data-testid="users" className="cards">
            <thead>
              <tr>
                <th scope="col">{t("admin.users.name")}</th>
                <th scope="col">{t("admin.users.email")}</th>
                <th scope="col">{t("admin.users.role")}</th>
                <th scope="col">{t("admin.users.creditor")}</th>
                <th scope="col">{t("admin.users.state")}</th>
                <th scope="col">{t("admin.users.lastLogin")}</th>
                <th scope="col"><span className="admin-sr">{t("admin.actions")}</span></th>
              </tr>
            </thead>
            <tbody>
              {users.map((u) => (
                <Fragment key={u.id}>
                  <tr>
                    <td>{u.name}</td>
                    <td data-label={t("admin.users.email")}>{u.email}</td>
                    <td data-label={t("admin.users.role")}>{t(`admin.role.${u.role}`)}{u.bar ? ` — ${u.bar}` : ""}</td>
                    <td data-label={t("admin.users.creditor")}>{creditorName(u.creditor_id) || "—"}</td>
                    <td data-label={t("admin.users.state")}>
                      <span className={u.active ? "admin-badge" : "admin-badge off"}>{t(u.active ? "admin.users.active" : "admin.users.inactive")}</span>
                    </td>
                    <td data-label={t("admin.users.lastLogin")}>{u.last_login_at ? dateTime(u.last_login_at, lang) : t("admin.users.never")}</td>
                    <td>
                      <button type="button" className="secondary" data-edit-user={u.id} aria-expanded={editing === u.id}
                        aria-label={`${t("admin.edit")} ${u.name}`} onClick={() => (setEditing(editing === u.id ? null : u.id), setStatus(""))}>
                        {t("admin.edit")}
                      </button>
                    </td>
                  </tr>
                  {editing === u.id && (
                    <tr className="admin-edit-row">
                      <td colSpan={7}>
                        <EditUser user={u} creditors={creditors} onCancel={() => closeEdit(u.id)}
                          onSaved={(saved) => {
                            setUsers((prev) => (prev ?? []).map((x) => (x.id === saved.id ? saved : x)));
                            setStatus(`${t("admin.users.saved")} ${saved.email}`);
                            closeEdit(u.id);
                          }} />
                      </td>
                    </tr>
                  )}
                </Fragment>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {cursor && (
        <button type="button" className="secondary admin-more" onClick={() => void load(cursor)}>
          {t("admin.users.more")}
        </button>
      )}
    </section>
  );
}

function NewUser({ creditors, onCreated, onCancel }: { creditors: CreditorList; onCreated: (u: User) => void; onCancel: () => void }) {
  const { t } = useI18n();
  const [f, setF] = useState({ email: "", name: "", role: "agent" as Role, creditor_id: "", password: "", bar: "" });
  const [problem, setProblem] = useState<FormProblem>(noProblem);
  const [busy, setBusy] = useState(false);
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => setF({ ...f, [k]: e.target.value });

  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const local = checked({ ...missing(e.currentTarget, t("form.missing")), creditor_id: f.role === "creditor" && !f.creditor_id && t("admin.users.creditorRequired") }, t("admin.checkFields"));
    if (local) return setProblem(local);
    setBusy(true);
    const { data, error } = await api.POST("/api/v1/users", {
      body: {
        email: f.email.trim(), name: f.name.trim(), role: f.role, password: f.password,
        ...(f.role === "creditor" ? { creditor_id: f.creditor_id } : {}),
        ...(f.role !== "creditor" && f.bar.trim() ? { bar: f.bar.trim() } : {}),
      },
    });
    setBusy(false);
    if (!data) return setProblem(formProblem(error, createFields, t("admin.error")));
    setProblem(noProblem);
    onCreated(data);
  };

  return (
    <form className="card admin-form" onSubmit={(e) => void submit(e)} noValidate aria-labelledby="admin-new-user" data-testid="new-user"
      onKeyDown={(e) => e.key === "Escape" && onCancel()}>
      <h2 id="admin-new-user">{t("admin.users.new")}</h2>
      <RequiredNote />
      <FormErrors problem={problem} />
      <div className="admin-grid">
        <Field label={t("admin.users.email")} name="email" problem={problem} required>
          {(a) => <input {...a} type="email" autoComplete="off" value={f.email} onChange={set("email")} autoFocus />}
        </Field>
        <Field label={t("admin.users.name")} name="name" problem={problem} required>
          {(a) => <input {...a} autoComplete="off" value={f.name} onChange={set("name")} />}
        </Field>
        <RoleSelect value={f.role} onChange={set("role")} problem={problem} />
        {f.role === "creditor" && <CreditorSelect creditors={creditors} value={f.creditor_id} onChange={set("creditor_id")} problem={problem} />}
        {f.role !== "creditor" && <BarField value={f.bar} onChange={set("bar")} problem={problem} />}
        <Field label={t("admin.users.password")} name="password" problem={problem} hint={t("admin.users.passwordHint")} required>
          {(a) => <input {...a} type="password" autoComplete="new-password" value={f.password} onChange={set("password")} />}
        </Field>
      </div>
      <div className="admin-buttons">
        <button type="submit" disabled={busy}>{t("admin.users.create")}</button>
        <button type="button" className="secondary" onClick={onCancel}>{t("admin.cancel")}</button>
      </div>
    </form>
  );
}

function EditUser({ user, creditors, onSaved, onCancel }: { user: User; creditors: CreditorList; onSaved: (u: User) => void; onCancel: () => void }) {
  const { t } = useI18n();
  const [f, setF] = useState({ name: user.name, role: user.role, creditor_id: user.creditor_id ?? "", active: user.active, password: "", bar: user.bar });
  const [problem, setProblem] = useState<FormProblem>(noProblem);
  const [busy, setBusy] = useState(false);
  const set = (k: "name" | "role" | "creditor_id" | "password" | "bar") => (e: { target: { value: string } }) => setF({ ...f, [k]: e.target.value });

  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const local = checked({ ...missing(e.currentTarget, t("form.missing")), creditor_id: f.role === "creditor" && !f.creditor_id && t("admin.users.creditorRequired") }, t("admin.checkFields"));
    if (local) return setProblem(local);
    // Only what changed is sent: a change of role or creditor signs the
    // account out everywhere, so it must not be sent by accident.
    const body: Schemas["UserPatch"] = {};
    if (f.name.trim() !== user.name) body.name = f.name.trim();
    if (f.role !== user.role) {
      body.role = f.role;
      if (f.role === "creditor") body.creditor_id = f.creditor_id;
    } else if (f.role === "creditor" && f.creditor_id !== user.creditor_id) body.creditor_id = f.creditor_id;
    if (f.active !== user.active) body.active = f.active;
    if (f.password) body.password = f.password;
    // A creditor account has no bar: it is cleared when the role becomes creditor.
    const bar = f.role === "creditor" ? "" : f.bar.trim();
    if (bar !== user.bar) body.bar = bar;
    if (Object.keys(body).length === 0) return onCancel();
    setBusy(true);
    const { data, error } = await api.PATCH("/api/v1/users/{id}", { params: { path: { id: user.id } }, body });
    setBusy(false);
    if (!data) return setProblem(formProblem(error, patchFields, t("admin.error")));
    onSaved(data);
  };

  return (
    <form className="admin-form" onSubmit={(e) => void submit(e)} noValidate aria-label={`${t("admin.users.edit")} ${user.name}`}
      data-testid="edit-user" onKeyDown={(e) => e.key === "Escape" && onCancel()}>
      <FormErrors problem={problem} />
      <div className="admin-grid">
        <Field label={t("admin.users.name")} name="name" problem={problem} required>
          {(a) => <input {...a} value={f.name} onChange={set("name")} autoFocus />}
        </Field>
        <RoleSelect value={f.role} onChange={set("role")} problem={problem} />
        {f.role === "creditor" && <CreditorSelect creditors={creditors} value={f.creditor_id} onChange={set("creditor_id")} problem={problem} />}
        {f.role !== "creditor" && <BarField value={f.bar} onChange={set("bar")} problem={problem} />}
        <Field label={t("admin.users.newPassword")} name="password" problem={problem} hint={t("admin.users.newPasswordHint")}>
          {(a) => <input {...a} type="password" autoComplete="new-password" value={f.password} onChange={set("password")} />}
        </Field>
        <Field label={t("admin.users.activeLabel")} name="active" problem={problem} hint={t("admin.users.activeHint")}>
          {(a) => (
            <span className="admin-check">
              <input {...a} type="checkbox" checked={f.active} onChange={(e) => setF({ ...f, active: e.target.checked })} />
            </span>
          )}
        </Field>
      </div>
      {(f.role !== user.role || !f.active || f.password) && <p className="hint">{t("admin.users.signOutWarning")}</p>}
      <div className="admin-buttons">
        <button type="submit" disabled={busy}>{t("admin.save")}</button>
        <button type="button" className="secondary" onClick={onCancel}>{t("admin.cancel")}</button>
      </div>
    </form>
  );
}

function CreditorSelect({ creditors, value, onChange, problem }: {
  creditors: CreditorList; value: string; onChange: (e: { target: { value: string } }) => void; problem: FormProblem;
}) {
  const { t } = useI18n();
  return (
    <Field label={t("admin.users.creditor")} name="creditor_id" problem={problem}>
      {(a) =>
        !Array.isArray(creditors) ? (
          <select {...a} disabled value="">
            <option value="">{creditors === null ? t("admin.loading") : t("admin.users.creditorsFailed")}</option>
          </select>
        ) : (
          <select {...a} value={value} onChange={onChange}>
            <option value="">{creditors.length ? t("admin.users.pickCreditor") : t("admin.creditors.empty")}</option>
            {creditors.map((c) => (
              <option key={c.id} value={c.id}>{c.legal_name}{c.siren ? ` — ${c.siren}` : ""}</option>
            ))}
          </select>
        )
      }
    </Field>
  );
}

// BarField is the bar of an avocat: one who files a court request without
// a special power of attorney (CPC 416). Optional; empty for anyone else.
function BarField({ value, onChange, problem }: { value: string; onChange: (e: { target: { value: string } }) => void; problem: FormProblem }) {
  const { t } = useI18n();
  return (
    <Field label={t("admin.users.bar")} name="bar" problem={problem} hint={t("admin.users.barHint")}>
      {(a) => <input {...a} autoComplete="off" maxLength={100} value={value} onChange={onChange} />}
    </Field>
  );
}

function RoleSelect({ value, onChange, problem }: { value: string; onChange: (e: { target: { value: string } }) => void; problem: FormProblem }) {
  const { t } = useI18n();
  return (
    <Field label={t("admin.users.role")} name="role" problem={problem}>
      {(a) => (
        <select {...a} value={value} onChange={onChange}>
          {roles.map((r) => (
            <option key={r} value={r}>{t(`admin.role.${r}`)}</option>
          ))}
        </select>
      )}
    </Field>
  );
}

import { useState, type FormEvent } from "react";
import { api, problemText, session } from "../api/client";
import { useI18n } from "../i18n";

export function Login({ onSignedIn }: { onSignedIn: () => void }) {
  const { t, toggle } = useI18n();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError("");
    const { data, error: problem, response } = await api.POST("/api/v1/auth/login", { body: { email, password } });
    setBusy(false);
    if (data) {
      session.set(data.token);
      onSignedIn();
      return;
    }
    setError(response.status === 401 ? t("login.failed") : problemText(problem, t("error.generic")));
  };

  return (
    <main id="main" className="login">
      <h1>{t("app.title")}</h1>
      <form onSubmit={submit} aria-labelledby="login-title" noValidate>
        <h2 id="login-title">{t("login.title")}</h2>
        <label htmlFor="email">{t("login.email")}</label>
        <input id="email" type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
        <label htmlFor="password">{t("login.password")}</label>
        <input id="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {t("login.submit")}
        </button>
      </form>
      <button type="button" className="link" onClick={toggle}>
        {t("lang.switch")}
      </button>
    </main>
  );
}

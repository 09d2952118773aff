import { useState, type FormEvent } from "react";
import { api, type Schemas } from "../api/client";
import { FormErrors } from "../components/Field";
import { useI18n } from "../i18n";
import { formProblem, noProblem, type FormProblem } from "../lib/problem";

export function Login({ onSignedIn, notice }: { onSignedIn: (s: Schemas["Session"]) => void; notice?: string }) {
  const { t, toggle } = useI18n();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [problem, setProblem] = useState<FormProblem>(noProblem);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setProblem(noProblem);
    // The web app's sign-in: the server sets the session cookie.
    const { data, error, response } = await api.POST("/api/v1/auth/session", { body: { email, password } });
    setBusy(false);
    if (data) {
      onSignedIn(data);
      return;
    }
    setProblem(response.status === 401 ? { ...noProblem, summary: t("login.failed") } : formProblem(error, [], t("error.generic")));
  };

  return (
    <main id="main" className="login">
      <h1>{t("app.title")}</h1>
      <form onSubmit={submit} aria-labelledby="login-title" noValidate>
        <h2 id="login-title">{t("login.title")}</h2>
        {notice && (
          <p className="notice" role="status" data-testid="login-notice">
            {notice}
          </p>
        )}
        <label htmlFor="email">{t("login.email")}</label>
        <input id="email" type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
        <label htmlFor="password">{t("login.password")}</label>
        <input id="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        <FormErrors problem={problem} />
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

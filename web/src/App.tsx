import { useCallback, useEffect, useState } from "react";
import { api, session, whenUnauthorized, type Schemas } from "./api/client";
import { useI18n } from "./i18n";
import { navigate, usePath } from "./lib/router";
import { CaseList } from "./pages/CaseList";
import { CasePage } from "./pages/CasePage";
import { Login } from "./pages/Login";
import { Queue } from "./pages/Queue";

export function App() {
  const { t, toggle } = useI18n();
  const path = usePath();
  const [me, setMe] = useState<Schemas["Me"] | null | undefined>(undefined);

  const load = useCallback(async () => {
    if (!session.token()) return setMe(null);
    const { data } = await api.GET("/api/v1/me");
    setMe(data ?? null);
  }, []);
  useEffect(() => {
    whenUnauthorized(() => setMe(null));
    void load();
  }, [load]);

  const logout = async () => {
    await api.POST("/api/v1/auth/logout");
    session.clear();
    setMe(null);
    navigate("/");
  };

  if (me === undefined) return <p className="status">{t("loading")}</p>;
  if (me === null) return <Login onSignedIn={load} />;

  const caseMatch = path.match(/^\/dossiers\/([0-9a-f-]{36})$/);
  return (
    <>
      <a className="skip" href="#main">
        {t("app.skip")}
      </a>
      <header className="top">
        <a href="/" onClick={(e) => (e.preventDefault(), navigate("/"))} className="brand">
          {t("app.title")}
        </a>
        <span className="who">
          {me.name} — {t(`role.${me.role}`)}
        </span>
        <nav>
          {(me.role === "agent" || me.role === "admin") && (
            <a href="/file" onClick={(e) => (e.preventDefault(), navigate("/file"))}>
              {t("nav.queue")}
            </a>
          )}
          <a href="/dossiers" onClick={(e) => (e.preventDefault(), navigate("/dossiers"))}>
            {t("nav.cases")}
          </a>
          <button type="button" onClick={toggle} lang={t("lang.switch") === "English" ? "en" : "fr"}>
            {t("lang.switch")}
          </button>
          <button type="button" onClick={logout}>
            {t("nav.logout")}
          </button>
        </nav>
      </header>
      <main id="main">
        {caseMatch ? (
          <CasePage id={caseMatch[1]} me={me} />
        ) : path === "/file" || (path === "/" && me.role === "agent") ? (
          <Queue />
        ) : (
          <CaseList />
        )}
      </main>
    </>
  );
}

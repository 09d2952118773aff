import { lazy, Suspense, useCallback, useEffect, useState } from "react";
import { api, csrf, watchPageResource, whenUnauthorized, type Schemas } from "./api/client";
import { useI18n } from "./i18n";
import type { Key } from "./i18n/messages";
import { Link } from "./components/Link";
import { Notifications } from "./components/Notifications";
import { SessionKeeper } from "./components/SessionKeeper";
import { onSignal, signal } from "./lib/session";
import { navigate, usePath } from "./lib/router";
import { Login } from "./pages/Login";
import { Refused } from "./pages/Refused";

// Each page loads when it is first opened, so the main bundle (the sign-in
// page, the shell, React) stays under its 100 kB budget (scripts/budget.mjs)
// and a creditor on a phone downloads only the pages it opens; the admin
// screens only for admins.
const Admin = lazy(() => import("./pages/admin/Admin").then((m) => ({ default: m.Admin })));
const CaseList = lazy(() => import("./pages/CaseList").then((m) => ({ default: m.CaseList })));
const CasePage = lazy(() => import("./pages/CasePage").then((m) => ({ default: m.CasePage })));
const Dashboard = lazy(() => import("./pages/Dashboard").then((m) => ({ default: m.Dashboard })));
const Docket = lazy(() => import("./pages/Docket").then((m) => ({ default: m.Docket })));
const NewCase = lazy(() => import("./pages/NewCase").then((m) => ({ default: m.NewCase })));
const Queue = lazy(() => import("./pages/Queue").then((m) => ({ default: m.Queue })));
const Webhooks = lazy(() => import("./pages/Webhooks").then((m) => ({ default: m.Webhooks })));
const Imports = lazy(() => import("./pages/Imports").then((m) => ({ default: m.Imports })));
const EInvoices = lazy(() => import("./pages/EInvoices").then((m) => ({ default: m.EInvoices })));
const Experiments = lazy(() => import("./pages/Experiments").then((m) => ({ default: m.Experiments })));
const Accounting = lazy(() => import("./pages/Accounting").then((m) => ({ default: m.Accounting })));

type Role = Schemas["Me"]["role"];

// Each workspace is a page; the nav shows the ones the role works in, and
// "/" opens the role's own.
const workspaces: { path: string; label: Key; roles: Role[] }[] = [
  { path: "/file", label: "nav.queue", roles: ["agent", "admin"] },
  { path: "/audiences", label: "nav.docket", roles: ["lawyer", "admin"] },
  { path: "/portefeuille", label: "nav.portfolio", roles: ["creditor", "admin"] },
  // The accountant: its money screens, and the cases to check a match.
  { path: "/comptabilite", label: "nav.accounting", roles: ["accountant"] },
  { path: "/dossiers", label: "nav.cases", roles: ["agent", "lawyer", "creditor", "admin", "accountant"] },
  { path: "/dossiers/nouveau", label: "nav.newCase", roles: ["creditor", "agent", "admin"] },
  { path: "/import", label: "nav.import", roles: ["creditor", "agent", "admin"] },
  { path: "/webhooks", label: "nav.webhooks", roles: ["creditor", "admin"] },
  { path: "/experiences", label: "nav.experiments", roles: ["creditor", "admin"] },
  { path: "/admin", label: "nav.admin", roles: ["admin"] },
];
const home: Record<Role, string> = { agent: "/file", lawyer: "/audiences", creditor: "/portefeuille", admin: "/portefeuille", accountant: "/comptabilite" };
// Who has notifications: not an admin nor an accountant, who see every
// case (recouvra.NotificationsFor).
const notified: Role[] = ["agent", "lawyer", "creditor"];

export function App() {
  const { t, toggle } = useI18n();
  const path = usePath();
  const [me, setMe] = useState<Schemas["Me"] | null | undefined>(undefined);
  // The session cookie is shared by every tab: a new tab or a reload asks
  // the server for the session (and its CSRF token) instead of signing in.
  const [sess, setSess] = useState<Schemas["Session"] | null>(null);
  const [notice, setNotice] = useState<"" | "session.expired" | "session.signedOutElsewhere">("");
  // A page whose own resource the API refused (404 or 403), by path.
  const [refused, setRefused] = useState<string | null>(null);

  const signedIn = useCallback((s: Schemas["Session"] | undefined) => {
    csrf.set(s?.csrf_token ?? null);
    setSess(s ?? null);
    setMe(s?.user ?? null);
  }, []);
  const load = useCallback(async () => {
    const { data } = await api.GET("/api/v1/auth/session");
    signedIn(data);
  }, [signedIn]);
  const signedOut = useCallback((why: typeof notice) => {
    csrf.set(null);
    setSess(null);
    setMe(null);
    setNotice(why);
  }, []);
  useEffect(() => {
    whenUnauthorized(() => signedOut("session.signedOutElsewhere"));
    void load();
    // Another tab signed out (the session is gone for every tab) or in.
    return onSignal((kind) => (kind === "out" ? signedOut("session.signedOutElsewhere") : void load()));
  }, [load, signedOut]);
  useEffect(() => {
    const m = path.match(/^\/dossiers\/([0-9a-f-]{36})$/);
    watchPageResource(m ? `/api/v1/cases/${m[1]}` : null, () => setRefused(path));
  }, [path]);

  const logout = async () => {
    await api.POST("/api/v1/auth/logout");
    signal("out");
    signedOut("");
    navigate("/");
  };

  if (me === undefined) return <p className="status">{t("loading")}</p>;
  if (me === null)
    return (
      <Login
        notice={notice ? t(notice) : ""}
        onSignedIn={(s) => {
          signal("in");
          setNotice("");
          signedIn(s);
        }}
      />
    );

  const here = path === "/" ? home[me.role] : path;
  const caseMatch = here.match(/^\/dossiers\/([0-9a-f-]{36})$/);
  // A page belongs to the most specific workspace whose path it is under:
  // none, the address is unknown; one the role does not work in, forbidden.
  const workspace = (p: string) =>
    workspaces.filter((w) => p === w.path || p.startsWith(w.path + "/")).sort((a, b) => b.path.length - a.path.length)[0];
  const w = workspace(here);
  const page = refused === path ? (
    <Refused kind="resource" home={home[me.role]} />
  ) : caseMatch ? (
    <CasePage id={caseMatch[1]} me={me} />
  ) : !w ? (
    <Refused kind="notFound" home={home[me.role]} />
  ) : !w.roles.includes(me.role) ? (
    <Refused kind="workspace" home={home[me.role]} />
  ) : here === "/file" ? (
    <Queue />
  ) : here === "/audiences" ? (
    <Docket me={me} />
  ) : here === "/portefeuille" ? (
    <Dashboard me={me} />
  ) : here === "/dossiers/nouveau" ? (
    <NewCase me={me} />
  ) : here.startsWith("/admin") ? (
    <Suspense fallback={<p className="status">{t("loading")}</p>}>
      <Admin path={here} />
    </Suspense>
  ) : here.startsWith("/comptabilite") ? (
    <Accounting path={here} />
  ) : here === "/webhooks" ? (
    <Webhooks me={me} />
  ) : here === "/import" ? (
    <Imports me={me} />
  ) : here === "/import/factures-electroniques" ? (
    <EInvoices me={me} />
  ) : here === "/experiences" ? (
    <Experiments me={me} />
  ) : here === "/dossiers" ? (
    <CaseList />
  ) : (
    <Refused kind="notFound" home={home[me.role]} />
  );
  return (
    <>
      <a className="skip" href="#main">
        {t("app.skip")}
      </a>
      <header className="top">
        <Link to="/" className="brand">
          {t("app.title")}
        </Link>
        <span className="who">
          {me.name} — {t(`role.${me.role}`)}
        </span>
        {notified.includes(me.role) && <Notifications />}
        <nav>
          {workspaces
            .filter((w) => w.roles.includes(me.role))
            .map((w) => (
              <Link key={w.path} to={w.path} aria-current={here === w.path ? "page" : undefined}>
                {t(w.label)}
              </Link>
            ))}
          <button type="button" onClick={toggle} lang={t("lang.switch") === "English" ? "en" : "fr"}>
            {t("lang.switch")}
          </button>
          <button type="button" onClick={logout}>
            {t("nav.logout")}
          </button>
        </nav>
      </header>
      <main id="main">
        <Suspense fallback={<p className="status">{t("loading")}</p>}>{page}</Suspense>
      </main>
      {sess && (
        <SessionKeeper idleSeconds={sess.idle_timeout_seconds} secondsLeft={sess.seconds_left} onExpired={() => signedOut("session.expired")} onSignOut={logout} />
      )}
    </>
  );
}

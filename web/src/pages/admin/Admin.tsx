import { lazy, Suspense } from "react";
import { Link } from "../../components/Link";
import { MissingRates } from "../../components/MissingRates";
import { useI18n } from "../../i18n";
import type { Key } from "../../i18n/messages";
import "./admin.css";
import { CreditorPage } from "./CreditorPage";
import { BankStatements } from "./BankStatements";
import { Creditors } from "./Creditors";
import { Rates } from "./Rates";
import { Users } from "./Users";

// The strategies' editor is loaded when its tab opens.
const Strategies = lazy(() => import("./Strategies").then((m) => ({ default: m.Strategies })));
// The accounting screens too: the client account's ledger, the remittance runs and the invoices.
const Ledger = lazy(() => import("./Ledger").then((m) => ({ default: m.Ledger })));
const RemittanceRuns = lazy(() => import("./RemittanceRuns").then((m) => ({ default: m.RemittanceRuns })));
const Invoices = lazy(() => import("./Invoices").then((m) => ({ default: m.Invoices })));

const sections: { path: string; label: Key }[] = [
  { path: "/admin/utilisateurs", label: "admin.tab.users" },
  { path: "/admin/creanciers", label: "admin.tab.creditors" },
  { path: "/admin/taux", label: "admin.tab.rates" },
  { path: "/admin/releves", label: "admin.tab.bank" },
  { path: "/admin/comptabilite", label: "admin.tab.ledger" },
  { path: "/admin/reversements", label: "admin.tab.runs" },
  { path: "/admin/factures", label: "admin.tab.invoices" },
  { path: "/admin/strategies", label: "admin.tab.strategies" },
];

// Admin is the admin's workspace: accounts, creditors with their mandates
// and API keys, and the legal rate tables, one section per address so each
// can be bookmarked.
export function Admin({ path }: { path: string }) {
  const { t } = useI18n();
  const creditor = path.match(/^\/admin\/creanciers\/([0-9a-f-]{36})$/);
  // Any other address under /admin, /admin itself included, opens the users.
  const active = sections.find((s) => path === s.path || path.startsWith(s.path + "/")) ?? sections[0];
  return (
    <div className="admin">
      <nav className="admin-tabs" aria-label={t("admin.tabs")}>
        {sections.map((s) => (
          <Link key={s.path} to={s.path} aria-current={s === active ? "page" : undefined}>
            {t(s.label)}
          </Link>
        ))}
      </nav>
      <MissingRates canEnter={true} />
      {creditor ? (
        <CreditorPage key={creditor[1]} id={creditor[1]} />
      ) : active.path === "/admin/creanciers" ? (
        <Creditors />
      ) : active.path === "/admin/taux" ? (
        <Rates />
      ) : active.path === "/admin/releves" ? (
        <BankStatements />
      ) : active.path === "/admin/comptabilite" ? (
        <Suspense fallback={<p>{t("admin.loading")}</p>}>
          <Ledger />
        </Suspense>
      ) : active.path === "/admin/reversements" ? (
        <Suspense fallback={<p>{t("admin.loading")}</p>}>
          <RemittanceRuns />
        </Suspense>
      ) : active.path === "/admin/factures" ? (
        <Suspense fallback={<p>{t("admin.loading")}</p>}>
          <Invoices />
        </Suspense>
      ) : active.path === "/admin/strategies" ? (
        <Suspense fallback={<p>{t("admin.loading")}</p>}>
          <Strategies />
        </Suspense>
      ) : (
        <Users />
      )}
    </div>
  );
}

import { lazy, Suspense } from "react";
import { Link } from "../components/Link";
import { useI18n } from "../i18n";
import type { Key } from "../i18n/messages";
import "./admin/admin.css";

// The accountant's screens are the admin's money screens, each loaded when
// its tab opens: the accountant downloads none of the users', creditors'
// or strategies' screens.
const Ledger = lazy(() => import("./admin/Ledger").then((m) => ({ default: m.Ledger })));
const BankStatements = lazy(() => import("./admin/BankStatements").then((m) => ({ default: m.BankStatements })));
const RemittanceRuns = lazy(() => import("./admin/RemittanceRuns").then((m) => ({ default: m.RemittanceRuns })));
const Invoices = lazy(() => import("./admin/Invoices").then((m) => ({ default: m.Invoices })));

const sections: { path: string; label: Key }[] = [
  { path: "/comptabilite", label: "admin.tab.ledger" },
  { path: "/comptabilite/releves", label: "admin.tab.bank" },
  { path: "/comptabilite/reversements", label: "admin.tab.runs" },
  { path: "/comptabilite/factures", label: "admin.tab.invoices" },
];

// Accounting is the accountant's (« comptable ») workspace: the client
// account's ledger, bank statements with the unmatched queue, the
// remittance runs and the agency's invoices, one section per address so each can be bookmarked.
export function Accounting({ path }: { path: string }) {
  const { t } = useI18n();
  // The most specific section the address is under; any other address
  // under /comptabilite opens the ledger.
  const active =
    sections.filter((s) => path === s.path || path.startsWith(s.path + "/")).sort((a, b) => b.path.length - a.path.length)[0] ?? sections[0];
  return (
    <div className="admin">
      <nav className="admin-tabs" aria-label={t("accounting.tabs")}>
        {sections.map((s) => (
          <Link key={s.path} to={s.path} aria-current={s === active ? "page" : undefined}>
            {t(s.label)}
          </Link>
        ))}
      </nav>
      <Suspense fallback={<p>{t("admin.loading")}</p>}>
        {active.path === "/comptabilite/releves" ? (
          <BankStatements />
        ) : active.path === "/comptabilite/reversements" ? (
          <RemittanceRuns />
        ) : active.path === "/comptabilite/factures" ? (
          <Invoices />
        ) : (
          <Ledger />
        )}
      </Suspense>
    </div>
  );
}

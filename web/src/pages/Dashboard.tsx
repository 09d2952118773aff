import { lazy, Suspense, useEffect, useState } from "react";
import { api, type Schemas } from "../api/client";
import { useI18n } from "../i18n";
import { allCreditors } from "../lib/creditors";
import { ExportButtons } from "../components/ExportButtons";
import { WebhookNotice } from "../components/WebhookNotice";
import { date, money } from "../lib/format";
import { percent } from "../lib/portfolio";
import { follow } from "../lib/sse";
import { Performance } from "../components/Performance";
import { Forecast } from "../components/Forecast";

// The remittances paid to the creditor, with their statements: their own
// chunk, loaded when the portfolio has cases.
const Remittances = lazy(() => import("../components/Remittances").then((m) => ({ default: m.Remittances })));

type Portfolio = Schemas["Portfolio"];

// Dashboard is the creditor's home: what it placed, what came back, what
// was remitted and where the rest stands — kept current by the event
// stream. Admins see the agency's, or one creditor's.
export function Dashboard({ me }: { me: Schemas["Me"] }) {
  const { t, lang } = useI18n();
  const staff = me.role !== "creditor";
  const [creditors, setCreditors] = useState<Schemas["Creditor"][]>([]);
  const [creditorId, setCreditorId] = useState("");
  const [p, setPortfolio] = useState<Portfolio | null>(null);
  const [tick, setTick] = useState(0);

  useEffect(() => {
    if (staff) void allCreditors().then((c) => c && setCreditors(c));
  }, [staff]);
  useEffect(() => {
    void api
      .GET("/api/v1/portfolio", { params: { query: { creditor_id: creditorId || undefined } } })
      .then(({ data }) => data && setPortfolio(data));
  }, [creditorId, tick]);
  // Any event on a visible case may move the figures: read them again, at
  // most once a second.
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const stop = follow("/api/v1/events/stream", () => {
      timer ??= setTimeout(() => ((timer = undefined), setTick((n) => n + 1)), 1000);
    });
    return () => (stop(), clearTimeout(timer));
  }, []);

  const cur = p?.currency ?? "EUR";
  return (
    <section aria-labelledby="portfolio-title" className="dashboard">
      <h1 id="portfolio-title">{staff && !creditorId ? t("portal.agencyTitle") : t("portal.title")}</h1>
      {staff && (
        <div className="filters">
          <label>
            {t("portal.creditor")}
            <select value={creditorId} onChange={(e) => setCreditorId(e.target.value)}>
              <option value="">{t("portal.allCreditors")}</option>
              {creditors.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.legal_name}
                </option>
              ))}
            </select>
          </label>
        </div>
      )}
      {!staff && <WebhookNotice />}
      {p !== null && p.cases > 0 && (
        <ExportButtons path="/api/v1/portfolio/export" params={{ creditor_id: creditorId || undefined, currency: p.currency }} fallback="portefeuille" testid="portfolio-export" />
      )}
      {p === null ? (
        <p className="status">{t("loading")}</p>
      ) : p.cases === 0 ? (
        <p className="status">{t("portal.empty")}</p>
      ) : (
        <>
          <p className="status">
            {t("portal.asOf")} {date(p.as_of, lang)}
            {p.currencies.length > 1 && ` — ${t("portal.otherCurrencies")} ${p.currencies.filter((c) => c !== cur).join(", ")}`}
          </p>
          <dl className="figures" data-testid="figures">
            <div className="figure">
              <dt>{t("portal.placed")}</dt>
              <dd>{money(p.placed_cents, cur, lang)}</dd>
            </div>
            <div className="figure">
              <dt>{t("portal.recovered")}</dt>
              <dd data-testid="recovered">{money(p.recovered_cents, cur, lang)}</dd>
              <dd className="hint">{t("portal.recoveredHint")}</dd>
            </div>
            <div className="figure">
              <dt>{t("portal.remitted")}</dt>
              <dd>{money(p.remitted_cents, cur, lang)}</dd>
              <dd className="hint">{t("portal.remittedHint")}</dd>
            </div>
            <div className="figure">
              <dt>{t("portal.outstanding")}</dt>
              <dd>{money(p.outstanding_cents, cur, lang)}</dd>
            </div>
            <div className="figure">
              <dt>{t("portal.rate")}</dt>
              <dd data-testid="rate">{percent(p.recovery_rate_bps, lang)}</dd>
            </div>
            <div className="figure">
              <dt>{t("portal.openCases")}</dt>
              <dd>
                {p.open_cases} <small>{t("portal.casesOf")} {p.cases}</small>
              </dd>
            </div>
          </dl>
          <div className="two">
            <section aria-labelledby="stages-title" className="card">
              <h2 id="stages-title">{t("portal.byStage")}</h2>
              <BarTable
                head={t("cases.stage")}
                currency={cur}
                rows={p.stages.map((st) => ({ key: st.stage, label: t(`stage.${st.stage}`), cases: st.cases, cents: st.stage === "closed" ? null : st.balance_cents }))}
              />
            </section>
            <section aria-labelledby="ageing-title" className="card">
              <h2 id="ageing-title">{t("portal.ageing")}</h2>
              <p className="hint">{t("portal.ageingHint")}</p>
              <BarTable
                head={t("portal.band")}
                currency={cur}
                rows={p.ageing.map((band) => ({
                  key: String(band.from_days),
                  label: `${band.to_days === null ? `${t("portal.over")} ${band.from_days - 1}` : `${band.from_days}–${band.to_days}`} ${t("portal.days")}`,
                  cases: band.cases,
                  cents: band.balance_cents,
                }))}
              />
            </section>
          </div>
          <Performance creditorId={creditorId} tick={tick} />
          <Forecast creditorId={creditorId} staff={staff} tick={tick} />
          <Suspense fallback={null}>
            <Remittances creditorId={creditorId} tick={tick} />
          </Suspense>
        </>
      )}
    </section>
  );
}

// BarTable is a count and an amount per line, with a bar scaled to the
// largest amount (no amount: no bar, a dash).
function BarTable({ head, currency, rows }: { head: string; currency: string; rows: { key: string; label: string; cases: number; cents: number | null }[] }) {
  const { t, lang } = useI18n();
  const max = Math.max(1, ...rows.map((r) => r.cents ?? 0));
  return (
    <table>
      <thead>
        <tr>
          <th scope="col">{head}</th>
          <th scope="col" className="num">{t("portal.cases")}</th>
          <th scope="col" className="num">{t("portal.amount")}</th>
          <th scope="col" className="bar-cell">
            <span className="sr-only">{t("portal.amount")}</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.key}>
            <td>{r.label}</td>
            <td className="num">{r.cases}</td>
            <td className="num">{r.cents === null ? "—" : money(r.cents, currency, lang)}</td>
            <td className="bar-cell" aria-hidden="true">
              {r.cents !== null && r.cents > 0 && <span className="bar" style={{ width: `${(100 * r.cents) / max}%` }} />}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

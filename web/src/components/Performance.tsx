import { useEffect, useRef, useState } from "react";
import { api, type Schemas } from "../api/client";
import { useI18n } from "../i18n";
import { money } from "../lib/format";
import { days } from "../lib/performance";
import { percent } from "../lib/portfolio";
import { MonthChart } from "./MonthChart";

type Perf = Schemas["PortfolioPerformance"];

// Performance answers the creditor's questions about time and results:
// the DSO by the countback method and its trend, what was placed,
// recovered and remitted each month, and the recovery rate by stage and by
// the invoices' age when placed — the figures of
// GET /api/v1/portfolio/performance, read again when tick changes.
export function Performance({ creditorId, tick }: { creditorId: string; tick: number }) {
  const { t, lang } = useI18n();
  const [p, setP] = useState<Perf | null>(null);
  // Events move these figures little and the agency's are costly: read
  // them at once for another creditor, else at most every 30 seconds.
  const last = useRef({ key: "", at: 0 });
  useEffect(() => {
    const wait = last.current.key === creditorId ? Math.max(0, last.current.at + 30_000 - Date.now()) : 0;
    const h = setTimeout(() => {
      last.current = { key: creditorId, at: Date.now() };
      void api
        .GET("/api/v1/portfolio/performance", { params: { query: { creditor_id: creditorId || undefined } } })
        .then(({ data }) => data && setP(data));
    }, wait);
    return () => clearTimeout(h);
  }, [creditorId, tick]);
  if (!p) return null;
  const cur = p.currency;
  const months = p.months.map((m) => m.month);
  const eur = (v: number) => money(v, cur, lang);
  const dso = (v: number) => days(v, lang);
  return (
    <section aria-labelledby="perf-title" className="performance">
      <h2 id="perf-title">{t("perf.title")}</h2>
      <div className="two">
        <section aria-labelledby="dso-title" className="card">
          <h3 id="dso-title">{t("perf.dso")}</h3>
          <p className="big" data-testid="dso">
            {dso(p.dso_days)}
          </p>
          <p className="hint">{t("perf.dsoHint")}</p>
          <MonthChart
            title={t("perf.dsoTrend")}
            months={months}
            kind="line"
            format={dso}
            testId="dso-chart"
            series={[{ key: "dso", label: t("perf.dso"), values: p.months.map((m) => m.dso_days) }]}
          />
        </section>
        <section aria-labelledby="flows-title" className="card">
          <h3 id="flows-title">{t("perf.flows")}</h3>
          <MonthChart
            title={t("perf.flows")}
            months={months}
            kind="bars"
            format={eur}
            testId="flows-chart"
            series={[
              { key: "placed", label: t("portal.placed"), values: p.months.map((m) => m.placed_cents) },
              { key: "recovered", label: t("portal.recovered"), values: p.months.map((m) => m.recovered_cents) },
              { key: "remitted", label: t("portal.remitted"), values: p.months.map((m) => m.remitted_cents) },
            ]}
          />
        </section>
      </div>
      <div className="two">
        <section aria-labelledby="rate-stage-title" className="card">
          <h3 id="rate-stage-title">
            {t("perf.rates")} — {t("perf.byStage")}
          </h3>
          <RateTable
            head={t("cases.stage")}
            currency={cur}
            testId="rates-by-stage"
            rows={p.by_stage.map((r) => ({ key: r.stage, label: t(`stage.${r.stage}`), ...r }))}
          />
        </section>
        <section aria-labelledby="rate-age-title" className="card">
          <h3 id="rate-age-title">
            {t("perf.rates")} — {t("perf.byAge")}
          </h3>
          <p className="hint">{t("perf.byAgeHint")}</p>
          <RateTable
            head={t("portal.band")}
            currency={cur}
            testId="rates-by-age"
            rows={p.by_age_at_placement.map((r) => ({
              key: String(r.from_days),
              label: `${r.to_days === null ? `${t("portal.over")} ${r.from_days - 1}` : `${r.from_days}–${r.to_days}`} ${t("portal.days")}`,
              ...r,
            }))}
          />
        </section>
      </div>
    </section>
  );
}

function RateTable({ head, currency, rows, testId }: {
  head: string;
  currency: string;
  testId: string;
  rows: { key: string; label: string; cases: number; placed_cents: number; recovered_cents: number; recovery_rate_bps: number }[];
}) {
  const { t, lang } = useI18n();
  return (
    <table data-testid={testId}>
      <thead>
        <tr>
          <th scope="col">{head}</th>
          <th scope="col" className="num">{t("portal.cases")}</th>
          <th scope="col" className="num">{t("portal.placed")}</th>
          <th scope="col" className="num">{t("portal.recovered")}</th>
          <th scope="col" className="num">{t("perf.rate")}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.key} data-key={r.key}>
            <th scope="row">{r.label}</th>
            <td className="num">{r.cases}</td>
            <td className="num">{money(r.placed_cents, currency, lang)}</td>
            <td className="num">{money(r.recovered_cents, currency, lang)}</td>
            <td className="num" data-rate>{r.cases === 0 ? "—" : percent(r.recovery_rate_bps, lang)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

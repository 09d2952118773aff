import { useEffect, useRef, useState } from "react";
import { api, type Schemas } from "../api/client";
import { useI18n } from "../i18n";
import { fill } from "../lib/fill";
import { date, money } from "../lib/format";
import { percent } from "../lib/portfolio";

type Fc = Schemas["PortfolioForecast"];

// Forecast is the creditor's 13-week cash forecast (GET
// /api/v1/portfolio/forecast): per ISO week, what pending promises still
// expect and that amount weighted by the share of promises kept, beside
// what came in over the 13 weeks before. A table — readable by everyone —
// with a bar drawn in each row (hidden from screen readers, the figure is
// in the cell). Staff choose the creditor first.
export function Forecast({ creditorId, staff, tick }: { creditorId: string; staff: boolean; tick: number }) {
  const { t, lang } = useI18n();
  const [f, setF] = useState<Fc | null>(null);
  const last = useRef({ key: "", at: 0 });
  useEffect(() => {
    if (staff && !creditorId) return setF(null);
    // Read at once for another creditor, else at most every 30 seconds.
    const wait = last.current.key === creditorId ? Math.max(0, last.current.at + 30_000 - Date.now()) : 0;
    const h = setTimeout(() => {
      last.current = { key: creditorId, at: Date.now() };
      void api
        .GET("/api/v1/portfolio/forecast", { params: { query: { creditor_id: creditorId || undefined } } })
        .then(({ data }) => data && setF(data));
    }, wait);
    return () => clearTimeout(h);
  }, [creditorId, staff, tick]);

  if (staff && !creditorId) {
    return (
      <section aria-labelledby="forecast-title" className="card forecast">
        <h2 id="forecast-title">{t("forecast.title")}</h2>
        <p className="hint">{t("forecast.chooseCreditor")}</p>
      </section>
    );
  }
  if (!f) return null;
  const eur = (v: number) => money(v, f.currency, lang);
  const w = f.weighting;
  const max = Math.max(1, ...f.weeks.map((x) => x.promised_cents), ...f.received.map((x) => x.received_cents));
  const bar = (v: number, cls: string) => (
    <svg aria-hidden="true" focusable="false" width="120" height="10" className={`bar ${cls}`}>
      <rect x="0" y="0" height="10" width={Math.max(0, Math.round((120 * v) / max))} fill="currentColor" />
    </svg>
  );
  const week = (iso: string, from: string) => `${iso.slice(5)} (${t("forecast.from")} ${date(from, lang)})`;
  return (
    <section aria-labelledby="forecast-title" className="card forecast" data-testid="forecast">
      <h2 id="forecast-title">{t("forecast.title")}</h2>
      <p data-testid="forecast-weighting">
        {w.neutral
          ? fill(t("forecast.neutral"), { rate: percent(w.kept_rate_bps, lang) })
          : fill(t("forecast.weighting"), { rate: percent(w.kept_rate_bps, lang), kept: w.kept, broken: w.broken })}
      </p>
      <p className="hint">{fill(t("forecast.rule"), { grace: f.grace_days })}</p>
      <div className="two">
        <table data-testid="forecast-ahead">
          <caption>{t("forecast.ahead")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("forecast.week")}</th>
              <th scope="col">{t("forecast.promised")}</th>
              <th scope="col">{t("forecast.expected")}</th>
            </tr>
          </thead>
          <tbody>
            {f.weeks.map((x) => (
              <tr key={x.week}>
                <th scope="row">{week(x.week, x.starts_on)}</th>
                <td>{eur(x.promised_cents)}</td>
                <td>
                  {eur(x.expected_cents)} {bar(x.expected_cents, "expected")}
                </td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row">{t("forecast.total")}</th>
              <td>{eur(f.promised_cents)}</td>
              <td data-testid="forecast-expected">{eur(f.expected_cents)}</td>
            </tr>
          </tfoot>
        </table>
        <table data-testid="forecast-past">
          <caption>{t("forecast.past")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("forecast.week")}</th>
              <th scope="col">{t("forecast.received")}</th>
            </tr>
          </thead>
          <tbody>
            {f.received.map((x) => (
              <tr key={x.week}>
                <th scope="row">{week(x.week, x.starts_on)}</th>
                <td>
                  {eur(x.received_cents)} {bar(x.received_cents, "received")}
                </td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row">{t("forecast.total")}</th>
              <td>{eur(f.received_cents)}</td>
            </tr>
          </tfoot>
        </table>
      </div>
    </section>
  );
}

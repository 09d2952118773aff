import { useEffect, useState } from "react";
import { api, type Schemas } from "../api/client";
import { Link } from "../components/Link";
import { useI18n } from "../i18n";
import type { Key } from "../i18n/messages";
import { daysBetween, todayISO } from "../lib/dates";
import { date } from "../lib/format";

type Entry = Schemas["DocketEntry"];

// Docket is the lawyer's home: the cases heading to or in court, nearest
// deadline first, and for each one at formal notice whether the injunction
// request can be filed — or what it still waits for.
export function Docket() {
  const { t, lang } = useI18n();
  const [mine, setMine] = useState(false);
  const [data, setData] = useState<{ items: Entry[]; truncated: boolean } | null>(null);

  useEffect(() => {
    setData(null);
    void api.GET("/api/v1/docket", { params: { query: { mine } } }).then(({ data }) => data && setData(data));
  }, [mine]);

  const today = todayISO();
  const when = (on: string) => {
    const n = daysBetween(today, on);
    const unit = (k: number) => `${Math.abs(k)} ${t(Math.abs(k) === 1 ? "lawyer.day" : "lawyer.days")}`;
    return n === 0 ? t("lawyer.today") : n < 0 ? `${t("lawyer.overdue")} ${unit(n)}` : `${t("lawyer.inDays")} ${unit(n)}`;
  };
  return (
    <section aria-labelledby="docket-title">
      <h1 id="docket-title">{t("lawyer.title")}</h1>
      <p className="status">{t("lawyer.intro")}</p>
      <div className="filters">
        <label className="check">
          <input type="checkbox" checked={mine} onChange={(e) => setMine(e.target.checked)} /> {t("lawyer.mine")}
        </label>
      </div>
      {data === null ? (
        <p className="status">{t("loading")}</p>
      ) : data.items.length === 0 ? (
        <p className="status">{t("lawyer.empty")}</p>
      ) : (
        <table data-testid="docket">
          <thead>
            <tr>
              <th scope="col">{t("lawyer.next")}</th>
              <th scope="col">{t("lawyer.case")}</th>
              <th scope="col">{t("cases.stage")}</th>
              <th scope="col">{t("lawyer.readiness")}</th>
            </tr>
          </thead>
          <tbody>
            {data.items.map((e) => {
              const n = e.next_deadline;
              const days = n?.on ? daysBetween(today, n.on) : null;
              return (
                <tr key={e.case.id} className={days !== null && days <= 7 ? "urgent" : undefined}>
                  <td>
                    {n?.on ? (
                      <>
                        <strong>{date(n.on, lang)}</strong> — {t(`deadline.${n.kind}` as Key)}
                        <br />
                        <small>{when(n.on)}</small>
                      </>
                    ) : (
                      <span className="status">{t("lawyer.noDeadline")}</span>
                    )}
                  </td>
                  <td>
                    <Link to={`/dossiers/${e.case.id}`}>{e.case.reference}</Link>
                    <br />
                    {e.case.debtor_name}
                  </td>
                  <td>{t(`stage.${e.case.stage}`)}</td>
                  <td>
                    {e.case.stage !== "formal_notice" ? (
                      t("lawyer.inCourt")
                    ) : e.blockers.length === 0 ? (
                      <strong className="ok">{t("lawyer.ready")}</strong>
                    ) : (
                      <ul className="blockers">
                        {e.blockers.map((b) => (
                          <li key={b.code}>{b.message}</li>
                        ))}
                      </ul>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {data?.truncated && <p className="warning">{t("lawyer.truncated")}</p>}
    </section>
  );
}

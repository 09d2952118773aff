import { useEffect, useState } from "react";
import { api, type Schemas } from "../api/client";
import { AssignMe } from "../components/AssignMe";
import { Link } from "../components/Link";
import { MissingRates } from "../components/MissingRates";
import { useI18n } from "../i18n";
import type { Key } from "../i18n/messages";
import { daysBetween, todayISO } from "../lib/dates";
import { attachKind, blockerAction } from "../lib/exhibits";
import { date } from "../lib/format";

type Entry = Schemas["DocketEntry"];

// Docket is the lawyer's home: the cases heading to or in court, nearest
// deadline first, and for each one at formal notice whether the injunction
// request can be filed — or what it still waits for, each with the action
// that removes it. Urgent rows are the server's call (urgent_days).
export function Docket({ me }: { me: Schemas["Me"] }) {
  const { t, lang } = useI18n();
  const [mine, setMine] = useState(false);
  const [ready, setReady] = useState(false);
  const [tick, setTick] = useState(0);
  const [data, setData] = useState<{ items: Entry[]; truncated: boolean } | null>(null);
  const reload = () => setTick((n) => n + 1);

  useEffect(() => {
    void api.GET("/api/v1/docket", { params: { query: { mine, ready } } }).then(({ data }) => data && setData(data));
  }, [mine, ready, tick]);

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
      <MissingRates canEnter={me.role === "admin"} />
      <div className="filters">
        <label className="check">
          <input type="checkbox" checked={mine} onChange={(e) => setMine(e.target.checked)} /> {t("lawyer.mine")}
        </label>
        <label className="check">
          <input type="checkbox" checked={ready} onChange={(e) => setReady(e.target.checked)} data-testid="ready-only" /> {t("lawyer.readyOnly")}
        </label>
      </div>
      {data === null ? (
        <p className="status">{t("loading")}</p>
      ) : data.items.length === 0 ? (
        <p className="status">{t("lawyer.empty")}</p>
      ) : (
        <table data-testid="docket" className="cards">
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
              return (
                <tr key={e.case.id} className={e.urgent ? "urgent" : undefined} data-testid={`docket-${e.case.reference}`}>
                  <td data-label={t("lawyer.next")}>
                    {n?.on ? (
                      <>
                        <strong>{date(n.on, lang)}</strong> — {t(`deadline.${n.kind}` as Key)}
                        <br />
                        <small>{when(n.on)}</small>
                        {n.target_on && (
                          <>
                            <br />
                            <small className="target" data-testid="deadline-target">
                              {t("deadline.target")} {date(n.target_on, lang)}
                            </small>
                          </>
                        )}
                        {e.urgent && <span className="badge-urgent">{t("lawyer.urgent")}</span>}
                      </>
                    ) : (
                      <span className="status">{t("lawyer.noDeadline")}</span>
                    )}
                  </td>
                  <td data-label={t("lawyer.case")}>
                    <Link to={`/dossiers/${e.case.id}`}>{e.case.reference}</Link>
                    <br />
                    {e.case.debtor_name}
                    {e.case.stage !== "formal_notice" && !e.case.assigned_lawyer_id && (
                      <>
                        <br />
                        <AssignMe c={e.case} me={me} onDone={reload} />
                      </>
                    )}
                  </td>
                  <td data-label={t("cases.stage")}>{t(`stage.${e.case.stage}`)}</td>
                  <td data-label={t("lawyer.readiness")}>
                    {e.case.stage !== "formal_notice" ? (
                      t("lawyer.inCourt")
                    ) : e.blockers.length === 0 ? (
                      <strong className="ok">{t("lawyer.ready")}</strong>
                    ) : (
                      <ul className="blockers">
                        {e.blockers.map((b) => (
                          <li key={`${b.field}-${b.code}`}>
                            {b.message}
                            <Fix b={b} e={e} me={me} onDone={reload} />
                          </li>
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

// Fix is the action that removes one blocker: assign oneself, attach the
// missing piece on the case page, produce the formal notice there, enter
// the missing rate or change the creditor's mandate (administrators).
function Fix({ b, e, me, onDone }: { b: Schemas["FieldError"]; e: Entry; me: Schemas["Me"]; onDone: () => void }) {
  const { t } = useI18n();
  const page = `/dossiers/${e.case.id}`;
  switch (blockerAction(b)) {
    case "assign":
      return <AssignMe c={e.case} me={me} onDone={onDone} label={t("lawyer.fix.assign")} />;
    case "attach":
      return (
        <Link to={`${page}?piece=${attachKind(b.field)}`} data-testid={`fix-attach-${e.case.reference}`}>
          {t("lawyer.fix.attach")}
        </Link>
      );
    case "notice":
      return <Link to={page}>{t("lawyer.fix.notice")}</Link>;
    case "receipt":
      return <Link to={page}>{t("lawyer.fix.receipt")}</Link>;
    case "creditor":
      return me.role === "admin" ? <Link to={`/admin/creanciers/${e.case.creditor_id}`}>{t("lawyer.fix.creditor")}</Link> : null;
    case "rates":
      return me.role === "admin" ? <Link to="/admin/taux">{t("lawyer.fix.rates")}</Link> : null;
    case "mandate":
      return me.role === "admin" ? <Link to={`/admin/creanciers/${e.case.creditor_id}`}>{t("lawyer.fix.mandate")}</Link> : null;
  }
  return null;
}

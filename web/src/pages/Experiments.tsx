import { useCallback, useEffect, useState, type FormEvent } from "react";
import { api, type Problem, type Schemas } from "../api/client";
import { useI18n } from "../i18n";
import { experimentsEn, experimentsFr, type ExperimentKey } from "../i18n/experiments";
import { allCreditors } from "../lib/creditors";
import { date, money } from "../lib/format";

type Experiment = Schemas["StrategyExperiment"];
type Report = Schemas["StrategyExperimentReport"];
type Arm = { strategy_id: string; share: string };

function problemText(body: unknown): string {
  const p = (body ?? {}) as Partial<Problem>;
  return [p.detail ?? p.title, ...(p.errors ?? []).map((e) => `${e.field} : ${e.message}`)].filter(Boolean).join(" ");
}

// Experiments shows the champion/challenger experiments of strategies: a
// creditor its own and their reports; the admin every one, and starts and
// stops them. The report's figures and intervals come from the API
// (GET /strategy-experiments/{id}/report), shown as they are.
export function Experiments({ me }: { me: Schemas["Me"] }) {
  const { lang } = useI18n();
  const x = (k: ExperimentKey) => (lang === "en" ? experimentsEn : experimentsFr)[k];
  const admin = me.role === "admin";
  const [list, setList] = useState<Experiment[] | null>(null);
  const [creditors, setCreditors] = useState<Schemas["Creditor"][]>([]);
  const [strategies, setStrategies] = useState<Schemas["Strategy"][]>([]);
  const [report, setReport] = useState<Report | null>(null);
  const [status, setStatus] = useState("");
  const [error, setError] = useState("");
  const [creditorId, setCreditorId] = useState("");
  const [name, setName] = useState("");
  const [seed, setSeed] = useState("");
  const [arms, setArms] = useState<Arm[]>([
    { strategy_id: "", share: "50" },
    { strategy_id: "", share: "50" },
  ]);

  const load = useCallback(async () => {
    const { data } = await api.GET("/api/v1/strategy-experiments");
    setList(data?.items ?? []);
  }, []);
  useEffect(() => {
    void load();
    if (admin) {
      void allCreditors().then((cs) => cs && setCreditors(cs));
      void api.GET("/api/v1/strategies").then(({ data }) => data && setStrategies(data.items));
    }
  }, [admin, load]);

  const creditorName = (id: string) => creditors.find((c) => c.id === id)?.legal_name ?? "";
  const open = async (e: Experiment) => {
    setError("");
    const { data, error: err } = await api.GET("/api/v1/strategy-experiments/{id}/report", { params: { path: { id: e.id } } });
    if (!data) return setError(`${x("refused")} ${problemText(err)}`);
    setReport(data);
  };
  const start = async (e: FormEvent) => {
    e.preventDefault();
    setError("");
    setStatus("");
    const { data, error: err } = await api.POST("/api/v1/strategy-experiments", {
      body: {
        creditor_id: creditorId,
        name,
        seed: seed.trim() ? Number(seed) : undefined,
        arms: arms.map((a) => ({ strategy_id: a.strategy_id, share_percent: Number(a.share) })),
      },
    });
    if (!data) return setError(`${x("refused")} ${problemText(err)}`);
    setStatus(x("started"));
    void load();
  };
  const stop = async (e: Experiment) => {
    setError("");
    const { data, error: err } = await api.POST("/api/v1/strategy-experiments/{id}/stop", { params: { path: { id: e.id } } });
    if (!data) return setError(`${x("refused")} ${problemText(err)}`);
    setStatus(x("stopped"));
    void load();
  };
  const pct = (v: number) => `${(v * 100).toLocaleString(lang === "en" ? "en-GB" : "fr-FR", { maximumFractionDigits: 1 })} %`;
  const pts = (v: number) => `${v >= 0 ? "+" : ""}${(v * 100).toLocaleString(lang === "en" ? "en-GB" : "fr-FR", { maximumFractionDigits: 1 })} pts`;
  const ci = (c?: Schemas["ConfidenceInterval"]) =>
    c ? `${x("ci")} [${pts(c.low)} ; ${pts(c.high)}] — ${c.low > 0 || c.high < 0 ? x("significant") : x("notSignificant")}` : x("noCi");

  return (
    <section aria-labelledby="experiments-title" data-testid="experiments">
      <h1 id="experiments-title">{x("title")}</h1>
      <p className="hint">{x("intro")}</p>
      {status && <p role="status">{status}</p>}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {list === null ? (
        <p className="status">{x("loading")}</p>
      ) : list.length === 0 ? (
        <p>{x("none")}</p>
      ) : (
        <ul data-testid="experiment-list">
          {list.map((e) => (
            <li key={e.id}>
              <strong>{e.name}</strong>
              {admin && creditorName(e.creditor_id) && ` — ${creditorName(e.creditor_id)}`} ({e.running ? `${x("running")} ${x("since")} ${date(e.started_on, lang)}` : `${x("stoppedOn")} ${date(e.stopped_on, lang)}`}) :{" "}
              {e.arms.map((a) => `${a.strategy_name} ${a.share_percent} %`).join(" / ")}{" "}
              <button type="button" className="secondary" onClick={() => void open(e)}>
                {x("report")}
              </button>{" "}
              {admin && e.running && (
                <button type="button" className="secondary" onClick={() => void stop(e)}>
                  {x("stop")}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {report && (
        <div data-testid="experiment-report">
          <h2>
            {x("report")} — {report.experiment.name}
          </h2>
          <table className="cards">
            <thead>
              <tr>
                <th scope="col">{x("strategy")}</th>
                <th scope="col">{x("cases")}</th>
                <th scope="col">{x("placed")}</th>
                <th scope="col">{x("recovered")}</th>
                <th scope="col">{x("rate")}</th>
                <th scope="col">{x("paying")}</th>
                <th scope="col">{x("median")}</th>
                <th scope="col">{x("cost")}</th>
              </tr>
            </thead>
            <tbody>
              {report.arms.map((a, i) => (
                <tr key={a.strategy_id}>
                  <td data-label={x("strategy")}>
                    {a.strategy_name} ({a.share_percent} %{i === 0 ? `, ${x("champion")}` : ""})
                  </td>
                  <td data-label={x("cases")}>{a.cases}</td>
                  <td data-label={x("placed")}>{money(a.placed_cents, report.currency, lang)}</td>
                  <td data-label={x("recovered")}>{money(a.recovered_cents, report.currency, lang)}</td>
                  <td data-label={x("rate")}>{pct(a.recovery_rate)}</td>
                  <td data-label={x("paying")}>{a.cases_paying}</td>
                  <td data-label={x("median")}>{a.median_days_to_first_payment === undefined ? "—" : `${a.median_days_to_first_payment} ${x("days")}`}</td>
                  <td data-label={x("cost")}>
                    {money(a.cost_cents, a.cost_currency, lang)} ({a.actions.map((t) => `${t.count} ${x(`action.${t.action}` as ExperimentKey)}`).join(", ")})
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {report.comparisons.length > 0 && (
            <>
              <h3>{x("comparisons")}</h3>
              <ul>
                {report.comparisons.map((c) => (
                  <li key={c.strategy_id}>
                    <strong>{report.arms.find((a) => a.strategy_id === c.strategy_id)?.strategy_name}</strong> — {x("rateDiff")} : {pts(c.recovery_rate_diff)},{" "}
                    {ci(c.recovery_rate_ci95)} ; {x("payingDiff")} : {pts(c.paying_share_diff)}, {ci(c.paying_share_ci95)} ; {x("costDiff")} :{" "}
                    {money(Math.round(c.cost_per_case_diff_cents), "EUR", lang)}
                  </li>
                ))}
              </ul>
            </>
          )}
          <p className="hint">
            {x("method")} : {report.methods}
          </p>
          <p className="hint">
            {x("unitCosts")} : {report.unit_costs.map((u) => `${x(`action.${u.action}` as ExperimentKey)} ${money(u.cost_cents, u.currency, lang)} (${u.source})`).join(" ; ")}
          </p>
        </div>
      )}
      {admin && (
        <form className="card" onSubmit={(e) => void start(e)} data-testid="experiment-form">
          <h2>{x("start")}</h2>
          <label>
            {x("creditor")}
            <select value={creditorId} onChange={(e) => setCreditorId(e.target.value)} required>
              <option value="" />
              {creditors.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.legal_name}
                </option>
              ))}
            </select>
          </label>
          <label>
            {x("name")}
            <input value={name} maxLength={120} onChange={(e) => setName(e.target.value)} />
          </label>
          <label>
            {x("seed")}
            <input inputMode="numeric" value={seed} onChange={(e) => setSeed(e.target.value)} />
          </label>
          {arms.map((a, i) => (
            <fieldset key={i}>
              <legend>
                {x("strategy")} {i + 1}
                {i === 0 ? ` (${x("champion")})` : ""}
              </legend>
              <select
                aria-label={`${x("strategy")} ${i + 1}`}
                value={a.strategy_id}
                onChange={(e) => setArms(arms.map((b, j) => (j === i ? { ...b, strategy_id: e.target.value } : b)))}
              >
                <option value="" />
                {strategies.map((s) => (
                  <option key={s.id} value={s.id}>
                    {s.name}
                  </option>
                ))}
              </select>
              <label>
                {x("share")}
                <input inputMode="numeric" value={a.share} onChange={(e) => setArms(arms.map((b, j) => (j === i ? { ...b, share: e.target.value } : b)))} />
              </label>
              {arms.length > 2 && (
                <button type="button" className="secondary" onClick={() => setArms(arms.filter((_, j) => j !== i))}>
                  {x("removeArm")}
                </button>
              )}
            </fieldset>
          ))}
          {arms.length < 5 && (
            <button type="button" className="secondary" onClick={() => setArms([...arms, { strategy_id: "", share: "0" }])}>
              {x("addArm")}
            </button>
          )}{" "}
          <button type="submit">{x("start")}</button>
        </form>
      )}
    </section>
  );
}

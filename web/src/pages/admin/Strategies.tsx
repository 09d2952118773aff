import { useEffect, useState, type FormEvent } from "react";
import { api, type Problem, type Schemas } from "../../api/client";
import { useI18n } from "../../i18n";
import { strategiesEn, strategiesFr, type StrategyKey } from "../../i18n/strategies";
import { todayISO } from "../../lib/dates";
import { date } from "../../lib/format";
import { LoadError } from "./LoadError";
import { RegisteredNumbers } from "./RegisteredNumbers";

type Strategy = Schemas["Strategy"];
type StepInput = Schemas["StrategyStepInput"];
type Simulated = Schemas["StrategySimulation"]["steps"][number];
type Run = Schemas["StrategyRun"];
type Preview = Schemas["StrategyRunPreview"];

const channels = ["letter", "email", "call_task", "formal_notice", "hand_to_lawyer"] as const;
// The templates each channel may name (recouvra.StrategyTemplates).
const templates: Record<string, string[]> = {
  letter: ["amicable_letter"],
  email: ["amicable_letter"],
  call_task: ["call_first_reminder", "call_firm", "call_before_notice"],
  formal_notice: ["formal_notice"],
  hand_to_lawyer: ["lawyer_handover"],
};

// Step is one step as the form edits it: amounts in euros, tri-state
// conditions as "" (any), "true" or "false".
type Step = {
  name: string;
  delay: string;
  unit: string;
  from: string;
  channel: string;
  template: string;
  fallback: boolean;
  min: string;
  max: string;
  kind: string;
  email: string;
  phone: string;
};

const blank = (): Step => ({ name: "", delay: "0", unit: "calendar_days", from: "previous_step", channel: "letter", template: "amicable_letter", fallback: true, min: "", max: "", kind: "", email: "", phone: "" });

function fromStrategy(s: Strategy): Step[] {
  return s.steps.map((st) => {
    const c = st.conditions;
    const tri = (b?: boolean) => (b === undefined ? "" : String(b));
    return {
      name: st.name, delay: String(st.delay), unit: st.unit, from: st.from, channel: st.channel, template: st.template, fallback: st.fallback_to_letter,
      min: c.min_balance_cents === undefined ? "" : String(c.min_balance_cents / 100), max: c.max_balance_cents === undefined ? "" : String(c.max_balance_cents / 100),
      kind: c.debtor_kinds?.length === 1 ? c.debtor_kinds[0] : "", email: tri(c.has_email), phone: tri(c.has_phone),
    };
  });
}

// toInput is the form's steps as the API takes them; a number the admin
// mistyped is sent as written so the API names the step and field.
function toInput(steps: Step[]): StepInput[] {
  return steps.map((s) => {
    const conditions: Record<string, unknown> = {};
    const cents = (v: string) => Math.round(Number(v.replace(",", ".")) * 100);
    if (s.min.trim()) conditions.min_balance_cents = cents(s.min);
    if (s.max.trim()) conditions.max_balance_cents = cents(s.max);
    if (s.kind) conditions.debtor_kinds = [s.kind];
    if (s.email) conditions.has_email = s.email === "true";
    if (s.phone) conditions.has_phone = s.phone === "true";
    return { name: s.name, delay: Number(s.delay), unit: s.unit, from: s.from, channel: s.channel, template: s.template, fallback_to_letter: s.fallback, conditions };
  });
}

function problemText(body: unknown): string {
  const p = (body ?? {}) as Partial<Problem>;
  return [p.detail ?? p.title, ...(p.errors ?? []).map((e) => `${e.field} : ${e.message}`)].filter(Boolean).join(" ");
}

// Strategies is the admin's screen of collection strategies: the list,
// an editor of the steps with the simulation of their dates on a sample
// case before saving, and the engine's latest passes with a dry run.
export function Strategies() {
  const { lang } = useI18n();
  const s = (k: StrategyKey) => (lang === "en" ? strategiesEn : strategiesFr)[k];
  const [list, setList] = useState<Strategy[] | null>(null);
  const [loadError, setLoadError] = useState(false);
  const [editing, setEditing] = useState<Strategy | "new" | null>(null);
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [pause, setPause] = useState("0");
  const [steps, setSteps] = useState<Step[]>([blank()]);
  const [placedOn, setPlacedOn] = useState(todayISO());
  const [balance, setBalance] = useState("1500");
  const [kind, setKind] = useState("company");
  const [hasEmail, setHasEmail] = useState(true);
  const [hasPhone, setHasPhone] = useState(true);
  const [simulated, setSimulated] = useState<Simulated[] | null>(null);
  const [error, setError] = useState("");
  const [status, setStatus] = useState("");
  const [runs, setRuns] = useState<Run[]>([]);
  const [preview, setPreview] = useState<Preview | null>(null);

  const load = async () => {
    setLoadError(false);
    const { data } = await api.GET("/api/v1/strategies");
    if (!data) return setLoadError(true);
    setList(data.items);
    const r = await api.GET("/api/v1/strategy-runs", { params: { query: { limit: 5 } } });
    if (r.data) setRuns(r.data.items);
  };
  useEffect(() => void load(), []);

  const open = (st: Strategy | "new") => {
    setEditing(st);
    setSimulated(null);
    setError("");
    setStatus("");
    if (st === "new") {
      setName("");
      setDescription("");
      setPause("0");
      setSteps([blank()]);
    } else {
      setName(st.name);
      setDescription(st.description);
      setPause(String(st.pause_after_payment_days));
      setSteps(fromStrategy(st));
    }
  };
  const body = () => ({ name, description, pause_after_payment_days: Number(pause) || 0, steps: toInput(steps) });
  const setStep = (i: number, patch: Partial<Step>) => setSteps(steps.map((x, j) => (j === i ? { ...x, ...patch } : x)));

  const simulate = async () => {
    setError("");
    const { data, error: e } = await api.POST("/api/v1/strategy-simulations", {
      body: { strategy: body(), sample: { placed_on: placedOn, balance_cents: Math.round(Number(balance.replace(",", ".")) * 100) || 0, debtor_kind: kind, has_email: hasEmail, has_phone: hasPhone, notice_days: 0 } },
    });
    if (!data) return setError(`${s("refused")} ${problemText(e)}`);
    setSimulated(data.steps);
  };

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setError("");
    const res = editing === "new" || editing === null
      ? await api.POST("/api/v1/strategies", { body: body() })
      : await api.PUT("/api/v1/strategies/{id}", { params: { path: { id: editing.id } }, body: { ...body(), version: editing.version } });
    if (!res.data) return setError(`${s("refused")} ${problemText(res.error)}`);
    setEditing(null);
    setStatus(s("saved"));
    void load();
  };

  const remove = async (st: Strategy) => {
    setError("");
    const { error: e, response } = await api.DELETE("/api/v1/strategies/{id}", { params: { path: { id: st.id } } });
    if (response.status !== 204) return setError(`${s("refused")} ${problemText(e)}`);
    setStatus(s("removed"));
    void load();
  };

  const dryRun = async () => {
    const { data, error: e } = await api.GET("/api/v1/strategy-runs/preview");
    if (!data) return setError(`${s("refused")} ${problemText(e)}`);
    setPreview(data);
  };

  const select = (id: string, label: string, value: string, onChange: (v: string) => void, options: [string, string][]) => (
    <label htmlFor={id}>
      {label}
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        {options.map(([v, l]) => <option key={v} value={v}>{l}</option>)}
      </select>
    </label>
  );
  const tri: [string, string][] = [["", s("any")], ["true", s("yes")], ["false", s("no")]];

  return (
    <section aria-labelledby="strategies-title" data-testid="strategies">
      <h1 id="strategies-title">{s("title")}</h1>
      <p className="hint">{s("intro")}</p>
      {status && <p role="status" data-testid="strategies-status">{status}</p>}
      {error && <p role="alert" className="error" data-testid="strategies-error">{error}</p>}
      {loadError ? (
        <LoadError onRetry={() => void load()} />
      ) : (
        <table className="cards" data-testid="strategies-list">
          <caption>{s("list")}</caption>
          <thead>
            <tr>
              <th scope="col">{s("name")}</th>
              <th scope="col">{s("steps")}</th>
              <th scope="col">{s("cases")}</th>
              <th scope="col">{s("mandates")}</th>
              <th scope="col"><span className="visually-hidden">{s("edit")}</span></th>
            </tr>
          </thead>
          <tbody>
            {(list ?? []).map((st) => (
              <tr key={st.id} data-testid="strategy-row">
                <td data-label={s("name")}>{st.name}</td>
                <td data-label={s("steps")}>{st.steps.map((x) => s(`channel.${x.channel}` as StrategyKey)).join(" → ")}</td>
                <td data-label={s("cases")}>{st.cases_count}</td>
                <td data-label={s("mandates")}>{st.mandates_count}</td>
                <td>
                  <button type="button" className="secondary" onClick={() => open(st)} aria-label={`${s("edit")} ${st.name}`}>{s("edit")}</button>{" "}
                  <button type="button" className="secondary" onClick={() => void remove(st)} aria-label={`${s("remove")} ${st.name}`}>{s("remove")}</button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {editing === null && <button type="button" onClick={() => open("new")} data-testid="strategy-new">{s("create")}</button>}

      {editing !== null && (
        <form className="card admin-form" onSubmit={(e) => void save(e)} aria-labelledby="strategy-form-title" data-testid="strategy-form" noValidate>
          <h2 id="strategy-form-title">{editing === "new" ? s("creating") : s("editing")}</h2>
          <div className="admin-grid">
            <label>{s("name")}<input value={name} maxLength={120} onChange={(e) => setName(e.target.value)} data-testid="strategy-name" /></label>
            <label>{s("pauseDays")}<input type="number" min={0} max={365} value={pause} onChange={(e) => setPause(e.target.value)} /></label>
            <label>{s("description")}<textarea value={description} maxLength={2000} onChange={(e) => setDescription(e.target.value)} /></label>
          </div>
          {steps.map((st, i) => (
            <fieldset key={i} data-testid="strategy-step">
              <legend>{s("step")} {i + 1}</legend>
              <div className="admin-grid">
                <label>{s("stepName")}<input value={st.name} maxLength={120} onChange={(e) => setStep(i, { name: e.target.value })} /></label>
                <label>{s("delay")}<input type="number" value={st.delay} onChange={(e) => setStep(i, { delay: e.target.value })} data-testid="step-delay" /></label>
                {select(`step-${i}-unit`, s("unit"), st.unit, (v) => setStep(i, { unit: v }), [["calendar_days", s("unit.calendar_days")], ["working_days", s("unit.working_days")]])}
                {select(`step-${i}-from`, s("from"), st.from, (v) => setStep(i, { from: v }),
                  [["placement", s("from.placement")], ["previous_step", s("from.previous_step")], ["oldest_due", s("from.oldest_due")]])}
                {select(`step-${i}-channel`, s("channel"), st.channel, (v) => setStep(i, { channel: v, template: templates[v][0] }),
                  channels.map((c) => [c, s(`channel.${c}` as StrategyKey)]))}
                {select(`step-${i}-template`, s("template"), st.template, (v) => setStep(i, { template: v }), (templates[st.channel] ?? []).map((t) => [t, t]))}
                <label>{s("minBalance")}<input inputMode="decimal" value={st.min} onChange={(e) => setStep(i, { min: e.target.value })} /></label>
                <label>{s("maxBalance")}<input inputMode="decimal" value={st.max} onChange={(e) => setStep(i, { max: e.target.value })} /></label>
                {select(`step-${i}-kind`, s("debtorKind"), st.kind, (v) => setStep(i, { kind: v }), [["", s("any")], ["company", s("company")], ["person", s("person")]])}
                {select(`step-${i}-email`, s("hasEmail"), st.email, (v) => setStep(i, { email: v }), tri)}
                {select(`step-${i}-phone`, s("hasPhone"), st.phone, (v) => setStep(i, { phone: v }), tri)}
                {st.channel === "email" && (
                  <label><input type="checkbox" checked={st.fallback} onChange={(e) => setStep(i, { fallback: e.target.checked })} /> {s("fallback")}</label>
                )}
              </div>
              {steps.length > 1 && (
                <button type="button" className="secondary" onClick={() => setSteps(steps.filter((_, j) => j !== i))}>{s("removeStep")} {i + 1}</button>
              )}
            </fieldset>
          ))}
          <button type="button" className="secondary" onClick={() => setSteps([...steps, blank()])} data-testid="strategy-add-step">{s("addStep")}</button>

          <fieldset>
            <legend>{s("sample")}</legend>
            <div className="admin-grid">
              <label>{s("placedOn")}<input type="date" value={placedOn} onChange={(e) => setPlacedOn(e.target.value)} data-testid="sample-placed-on" /></label>
              <label>{s("balance")}<input inputMode="decimal" value={balance} onChange={(e) => setBalance(e.target.value)} /></label>
              {select("sample-kind", s("debtorKind"), kind, setKind, [["company", s("company")], ["person", s("person")]])}
              <label><input type="checkbox" checked={hasEmail} onChange={(e) => setHasEmail(e.target.checked)} data-testid="sample-email" /> {s("hasEmail")}</label>
              <label><input type="checkbox" checked={hasPhone} onChange={(e) => setHasPhone(e.target.checked)} /> {s("hasPhone")}</label>
            </div>
            <button type="button" className="secondary" onClick={() => void simulate()} data-testid="strategy-simulate">{s("simulate")}</button>
          </fieldset>
          {simulated && (
            <table className="cards" data-testid="strategy-simulation">
              <caption>{s("simulation")}</caption>
              <thead>
                <tr>
                  <th scope="col">{s("step")}</th>
                  <th scope="col">{s("on")}</th>
                  <th scope="col">{s("channel")}</th>
                  <th scope="col">{s("note")}</th>
                </tr>
              </thead>
              <tbody>
                {simulated.map((x) => (
                  <tr key={x.index} data-testid="simulated-step">
                    <td data-label={s("step")}>{x.index + 1}. {x.name}</td>
                    <td data-label={s("on")}>{date(x.on, lang)}</td>
                    <td data-label={s("channel")}>{s(`channel.${x.channel}` as StrategyKey)}{x.skipped && ` (${s("skipped")})`}</td>
                    <td data-label={s("note")}>{x.note}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <button type="submit" data-testid="strategy-save">{s("save")}</button>{" "}
          <button type="button" className="secondary" onClick={() => setEditing(null)}>{s("cancel")}</button>
        </form>
      )}

      <h2>{s("runs")}</h2>
      <button type="button" className="secondary" onClick={() => void dryRun()} data-testid="strategy-dry-run">{s("preview")}</button>
      {preview && (
        <p role="status" data-testid="strategy-preview">
          {date(preview.on, lang)} : {preview.total} {s("previewTotal")}
          {preview.by_channel.length > 0 && ` (${preview.by_channel.map((c) => `${s(`channel.${c.channel}` as StrategyKey)} ${c.count}`).join(", ")})`}
        </p>
      )}
      {runs.length === 0 ? (
        <p>{s("runsEmpty")}</p>
      ) : (
        <table className="cards" data-testid="strategy-runs">
          <thead>
            <tr>
              <th scope="col">{s("runOn")}</th>
              <th scope="col">{s("enrolled")}</th>
              <th scope="col">{s("claimed")}</th>
              <th scope="col">{s("results")}</th>
              <th scope="col">{s("failures")}</th>
              <th scope="col">{s("printFile")}</th>
              <th scope="col">{s("registered")}</th>
            </tr>
          </thead>
          <tbody>
            {runs.map((r) => (
              <tr key={r.id}>
                <td data-label={s("runOn")}>{date(r.run_on, lang)}</td>
                <td data-label={s("enrolled")}>{r.enrolled}</td>
                <td data-label={s("claimed")}>{r.claimed}</td>
                <td data-label={s("results")}>{r.counts.map((c) => `${s(`channel.${c.channel}` as StrategyKey) ?? c.channel} ${c.state ?? ""} ${c.count}`).join(", ")}</td>
                <td data-label={s("failures")}>{r.failures.map((f) => f.reason).join(" ; ")}</td>
                <td data-label={s("printFile")}>
                  {/* The session cookie goes with the link; a pass without letters answers 404. */}
                  <a href={`/api/v1/strategy-runs/${r.id}/print-file`} download title={s("printFileHint")}>
                    {s("printFile")}
                  </a>
                </td>
                <td data-label={s("registered")}>
                  <RegisteredNumbers runId={r.id} runOn={date(r.run_on, lang)} s={s} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

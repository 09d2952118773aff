import { useCallback, useEffect, useState, type FormEvent } from "react";
import { api, type Schemas } from "../api/client";
import { CreditorChoice, useActingCreditor } from "../components/CreditorChoice";
import { Field } from "../components/Field";
import { useI18n } from "../i18n";
import { typeLabels, webhooksEn, webhooksFr, type WebhookKey } from "../i18n/webhooks";
import { fill } from "../lib/fill";
import { dateTime } from "../lib/format";
import { formProblem, noProblem, type FormProblem } from "../lib/problem";

type Endpoint = Schemas["WebhookEndpoint"];
type Delivery = Schemas["WebhookDelivery"];
type EventType = Schemas["WebhookEventType"];

const eventTypes: EventType[] = [
  "case.placed",
  "case.stage_changed",
  "payment.recorded",
  "document.produced",
  "remittance.made",
  "plan.changed",
  "dispute.changed",
  "import.finished",
];

// Webhooks is the creditor's screen for the endpoints of its own systems
// (the API's /api/v1/webhook-endpoints): register one (its secret shown
// once, with a copy button), test it, enable or disable it, rotate its
// secret, delete it, and read its deliveries with every attempt, sending
// one again. An admin chooses the creditor first.
export function Webhooks({ me }: { me: Schemas["Me"] }) {
  const { lang } = useI18n();
  const w = (k: WebhookKey) => (lang === "en" ? webhooksEn : webhooksFr)[k];
  const typeLabel = (t: string) => typeLabels[t]?.[lang] ?? t;
  const { staff, creditors, creditorId, setCreditorId } = useActingCreditor(me);
  const [endpoints, setEndpoints] = useState<Endpoint[] | null>(null);
  const [secret, setSecret] = useState<{ url: string; secret: string } | null>(null);
  const [copied, setCopied] = useState(false);
  const [status, setStatus] = useState("");
  const [problem, setProblem] = useState<FormProblem>(noProblem);
  const [types, setTypes] = useState<EventType[]>(["case.placed", "payment.recorded"]);
  const [open, setOpen] = useState<Endpoint | null>(null);
  const [deliveries, setDeliveries] = useState<Delivery[] | null>(null);

  const load = useCallback(async () => {
    if (!creditorId) return setEndpoints(null);
    const { data } = await api.GET("/api/v1/webhook-endpoints", { params: { query: { creditor_id: staff ? creditorId : undefined } } });
    setEndpoints(data?.items ?? []);
  }, [creditorId, staff]);
  useEffect(() => {
    void load();
  }, [load]);

  const loadDeliveries = useCallback(async (ep: Endpoint) => {
    const { data } = await api.GET("/api/v1/webhook-endpoints/{id}/deliveries", { params: { path: { id: ep.id }, query: { limit: 50 } } });
    setDeliveries(data?.items ?? []);
  }, []);

  const failed = (p: unknown) => setProblem(formProblem(p, ["url", "description", "event_types"], w("error")));

  const create = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const form = e.currentTarget;
    setProblem(noProblem);
    const { data, error } = await api.POST("/api/v1/webhook-endpoints", {
      body: {
        url: String(f.get("url") ?? "").trim(),
        description: String(f.get("description") ?? "").trim(),
        event_types: types,
        creditor_id: staff ? creditorId : undefined,
      },
    });
    if (!data) return failed(error);
    form.reset();
    setCopied(false);
    setSecret({ url: data.url, secret: data.secret });
    void load();
  };

  const act = async (ep: Endpoint, what: "ping" | "rotate" | "toggle" | "remove") => {
    setStatus("");
    setProblem(noProblem);
    const path = { params: { path: { id: ep.id } } };
    if (what === "ping") {
      const { data, error } = await api.POST("/api/v1/webhook-endpoints/{id}/ping", path);
      if (!data) return failed(error);
      const a = data.tries[data.tries.length - 1];
      setStatus(fill(w("pinged"), { result: a?.status ? `HTTP ${a.status}` : (a?.error ?? w("noAnswer")) }));
      if (open?.id === ep.id) void loadDeliveries(ep);
    } else if (what === "rotate") {
      if (!window.confirm(w("rotateConfirm"))) return;
      const { data, error } = await api.POST("/api/v1/webhook-endpoints/{id}/rotate-secret", path);
      if (!data) return failed(error);
      setCopied(false);
      setSecret({ url: data.url, secret: data.secret });
    } else if (what === "toggle") {
      const { error } = await api.PATCH("/api/v1/webhook-endpoints/{id}", { ...path, body: { enabled: !ep.enabled } });
      if (error) return failed(error);
    } else {
      if (!window.confirm(w("removeConfirm"))) return;
      const { error } = await api.DELETE("/api/v1/webhook-endpoints/{id}", path);
      if (error) return failed(error);
      if (open?.id === ep.id) setOpen(null);
    }
    void load();
  };

  const replay = async (d: Delivery) => {
    const { data, error } = await api.POST("/api/v1/webhook-deliveries/{id}/replay", { params: { path: { id: d.id } } });
    if (!data) return failed(error);
    setStatus(w("replayed"));
    if (open) setTimeout(() => void loadDeliveries(open), 1500);
  };

  const copy = async () => {
    if (!secret) return;
    await navigator.clipboard?.writeText(secret.secret);
    setCopied(true);
  };

  const stateText = (ep: Endpoint) =>
    ep.enabled ? w("enabled") : ep.disabled_reason === "failing" ? w("disabledFailing") : w("disabledManual");

  return (
    <section aria-labelledby="webhooks-title" className="webhooks">
      <h1 id="webhooks-title">{w("title")}</h1>
      <p className="hint">{w("intro")}</p>
      {staff && (
        <CreditorChoice id="webhooks-creditor" label={w("chooseCreditor")} hint={w("chooseCreditorHint")} creditors={creditors} value={creditorId} onChange={setCreditorId} />
      )}
      {endpoints?.some((e) => e.disabled_reason === "failing") && (
        <p role="alert" className="warning" data-testid="webhooks-failing">
          {w("alertFailing")}
        </p>
      )}
      <p role="status" aria-live="polite" data-testid="webhooks-status">
        {status}
      </p>
      {(problem.summary || problem.general.length > 0) && (
        <div role="alert" className="field-error" data-testid="webhooks-problem">
          <p>{problem.summary}</p>
          {problem.general.map((m) => (
            <p key={m}>{m}</p>
          ))}
        </div>
      )}
      {secret && (
        <section aria-labelledby="webhooks-secret-title" className="card" data-testid="webhooks-secret">
          <h2 id="webhooks-secret-title">{w("secretTitle")}</h2>
          <p>{w("secretOnce")}</p>
          <p>
            <label htmlFor="webhooks-secret-value">{secret.url}</label>
            <input id="webhooks-secret-value" readOnly value={secret.secret} size={60} onFocus={(e) => e.currentTarget.select()} />
          </p>
          <button type="button" onClick={() => void copy()}>
            {w("copy")}
          </button>{" "}
          <span role="status">{copied ? w("copied") : ""}</span>{" "}
          <button type="button" onClick={() => setSecret(null)}>
            {w("hide")}
          </button>
        </section>
      )}
      {creditorId && (
        <form onSubmit={(e) => void create(e)} className="card" aria-labelledby="webhooks-new-title" noValidate>
          <h2 id="webhooks-new-title">{w("newTitle")}</h2>
          <Field label={w("url")} name="url" problem={problem} required>
            {(a) => <input {...a} type="url" inputMode="url" maxLength={2000} placeholder="https://erp.example.fr/recouvra/webhooks" />}
          </Field>
          <Field label={w("description")} name="description" problem={problem}>
            {(a) => <input {...a} maxLength={200} />}
          </Field>
          <fieldset>
            <legend>{w("types")}</legend>
            {eventTypes.map((t) => (
              <label key={t} className="check">
                <input
                  type="checkbox"
                  checked={types.includes(t)}
                  onChange={(e) => setTypes(e.target.checked ? [...types, t] : types.filter((x) => x !== t))}
                />{" "}
                {typeLabel(t)} <code>{t}</code>
              </label>
            ))}
            {problem.fields["event_types"] && <p className="field-error">{problem.fields["event_types"].join(" ")}</p>}
          </fieldset>
          <button type="submit">{w("create")}</button>
        </form>
      )}
      {endpoints && (
        <section aria-labelledby="webhooks-list-title">
          <h2 id="webhooks-list-title">{w("endpoints")}</h2>
          {endpoints.length === 0 ? (
            <p>{w("none")}</p>
          ) : (
            <table data-testid="webhooks-endpoints">
              <thead>
                <tr>
                  <th scope="col">{w("colUrl")}</th>
                  <th scope="col">{w("colTypes")}</th>
                  <th scope="col">{w("colState")}</th>
                  <th scope="col">{w("colActions")}</th>
                </tr>
              </thead>
              <tbody>
                {endpoints.map((ep) => (
                  <tr key={ep.id}>
                    <th scope="row">
                      <code>{ep.url}</code>
                      {ep.description && <div className="hint">{ep.description}</div>}
                    </th>
                    <td>{ep.event_types.map(typeLabel).join(", ")}</td>
                    <td>
                      {stateText(ep)}
                      {ep.failing_since && <div className="hint">{fill(w("failingSince"), { at: dateTime(ep.failing_since, lang) })}</div>}
                    </td>
                    <td className="actions">
                      <button type="button" onClick={() => void act(ep, "ping")} disabled={!ep.enabled}>
                        {w("ping")}
                      </button>{" "}
                      <button
                        type="button"
                        aria-expanded={open?.id === ep.id}
                        onClick={() => {
                          setOpen(ep);
                          void loadDeliveries(ep);
                        }}
                      >
                        {w("deliveries")}
                      </button>{" "}
                      <button type="button" onClick={() => void act(ep, "rotate")}>
                        {w("rotate")}
                      </button>{" "}
                      <button type="button" onClick={() => void act(ep, "toggle")}>
                        {ep.enabled ? w("disable") : w("enable")}
                      </button>{" "}
                      <button type="button" onClick={() => void act(ep, "remove")}>
                        {w("remove")}
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      )}
      {open && deliveries && (
        <section aria-labelledby="webhooks-deliveries-title" data-testid="webhooks-deliveries">
          <h2 id="webhooks-deliveries-title">{fill(w("deliveriesOf"), { url: open.url })}</h2>
          {deliveries.length === 0 ? (
            <p>{w("noDeliveries")}</p>
          ) : (
            <table>
              <thead>
                <tr>
                  <th scope="col">{w("colAt")}</th>
                  <th scope="col">{w("colType")}</th>
                  <th scope="col">{w("colState")}</th>
                  <th scope="col">{w("colAttempts")}</th>
                  <th scope="col">{w("colLast")}</th>
                  <th scope="col">{w("colNext")}</th>
                  <th scope="col">{w("colActions")}</th>
                </tr>
              </thead>
              <tbody>
                {deliveries.map((d) => {
                  const last = d.tries[d.tries.length - 1];
                  return (
                    <tr key={d.id}>
                      <td>{dateTime(d.created_at, lang)}</td>
                      <td>{typeLabel(d.type)}</td>
                      <td>{d.state === "delivered" ? w("stateDelivered") : d.state === "failed" ? w("stateFailed") : w("statePending")}</td>
                      <td>{d.tries.length}</td>
                      <td>
                        {last ? (
                          <details>
                            <summary>
                              {last.status ? `HTTP ${last.status}` : w("noAnswer")} · {last.latency_ms} ms
                            </summary>
                            {last.error && <p>{last.error}</p>}
                            {last.excerpt && (
                              <pre aria-label={w("answer")} className="excerpt">
                                {last.excerpt}
                              </pre>
                            )}
                          </details>
                        ) : (
                          "—"
                        )}
                      </td>
                      <td>{d.next_attempt_at ? dateTime(d.next_attempt_at, lang) : "—"}</td>
                      <td>
                        <button type="button" onClick={() => void replay(d)} disabled={!open.enabled}>
                          {w("replay")}
                        </button>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )}
        </section>
      )}
    </section>
  );
}

import { lazy, Suspense, useEffect, useState } from "react";
import { api, type Schemas } from "../api/client";
import { AssignMe } from "../components/AssignMe";
import { AttachExhibit } from "../components/AttachExhibit";
import { CourtActions } from "../components/CourtActions";
import { Link } from "../components/Link";
import { useI18n } from "../i18n";
import type { Key } from "../i18n/messages";
import { download } from "../lib/download";
import { exhibitKinds, kindKey, type ExhibitKind } from "../lib/exhibits";
import { date, dateTime, money } from "../lib/format";
import { follow, type StreamStatus } from "../lib/sse";
import { Actions } from "../components/Actions";
import { DebtorContact } from "../components/DebtorContact";
import { NextCase } from "../components/NextCase";
import { CaseLedger } from "../components/CaseLedger";
import { PlanPanel } from "../components/PlanPanel";
import { CreditorActions } from "../components/CreditorActions";
import { ExportButtons } from "../components/ExportButtons";

// Staff only, and seldom opened: its own chunk.
const DebtorLinkPanel = lazy(() => import("../components/DebtorLinkPanel").then((m) => ({ default: m.DebtorLinkPanel })));

type Event = Schemas["Event"];

// CasePage shows a case: its stage, the amounts from the statement, the
// deadlines, the timeline — updated live from the event stream — and the
// documents to download.
export function CasePage({ id, me }: { id: string; me: Schemas["Me"] }) {
  const { t, lang } = useI18n();
  const [c, setCase] = useState<Schemas["Case"] | null>(null);
  const [st, setStatement] = useState<Schemas["Statement"] | null>(null);
  const [events, setEvents] = useState<Event[]>([]);
  const [docs, setDocs] = useState<Schemas["Document"][]>([]);
  const [tick, setTick] = useState(0);
  const [live, setLive] = useState<StreamStatus>("connecting");

  // Another case (the next of the queue): nothing of the previous one
  // stays on screen, and its late answers are dropped.
  useEffect(() => {
    setCase(null);
    setStatement(null);
    setEvents([]);
    setDocs([]);
  }, [id]);

  useEffect(() => {
    let current = true;
    const p = { params: { path: { id } } };
    void api.GET("/api/v1/cases/{id}", p).then(({ data }) => current && data && setCase(data));
    void api.GET("/api/v1/cases/{id}/statement", p).then(({ data }) => current && data && setStatement(data));
    void api.GET("/api/v1/cases/{id}/documents", p).then(({ data }) => current && data && setDocs(data.items));
    return () => {
      current = false;
    };
  }, [id, tick]);

  useEffect(() => {
    let current = true;
    void api.GET("/api/v1/cases/{id}/events", { params: { path: { id }, query: { limit: 200 } } }).then(({ data }) => current && data && setEvents(data.items));
    // New events of this case arrive on the stream; amounts are read again.
    const stop = follow("/api/v1/events/stream", (ev) => {
      const e = JSON.parse(ev.data) as Event;
      if (e.case_id !== id) return;
      setEvents((prev) => (prev.some((x) => x.id === e.id) ? prev : [...prev, e]));
      setTick((n) => n + 1);
    }, setLive);
    return () => {
      current = false;
      stop();
    };
  }, [id]);

  if (!c) return <p className="status">{t("loading")}</p>;
  const cur = c.currency;
  return (
    <article aria-labelledby="case-title">
      <Link to="/dossiers">{t("case.back")}</Link>
      {(me.role === "agent" || me.role === "admin") && <NextCase />}
      <h1 id="case-title">
        {c.reference} — {c.debtor.name}
      </h1>
      <dl className="facts">
        <dt>{t("case.stage")}</dt>
        <dd>
          <span className={`stage stage-${c.stage}`}>{t(`stage.${c.stage}`)}</span>
        </dd>
        <dt>{t("case.creditor")}</dt>
        <dd>{c.creditor_name}</dd>
        <dt>{t("case.debtor")}</dt>
        <dd>
          {c.debtor.name}
          {c.debtor.siren ? ` — SIREN ${c.debtor.siren}` : ""}
        </dd>
        <dt>{t("assign.lawyer")}</dt>
        <dd data-testid="case-lawyer">
          {c.assigned_lawyer_id === me.id ? me.name : c.assigned_lawyer_id ? "✓" : t("assign.none")}{" "}
          {c.status === "open" && <AssignMe c={c} me={me} onDone={() => setTick((n) => n + 1)} />}
        </dd>
      </dl>
      <div className="case-grid">
        <div className="case-side">
          {(me.role === "agent" || me.role === "admin") && c.status === "open" && (
            <Actions key={c.id} c={c} dueCents={st?.case_id === c.id ? st.totals.total_due_cents : c.balance_cents} onDone={() => setTick((n) => n + 1)} />
          )}
          {me.role === "creditor" && <CreditorActions key={c.id} c={c} onDone={() => setTick((n) => n + 1)} />}
          {me.role !== "creditor" && <DebtorContact debtor={c.debtor} events={events} />}
          {(me.role === "agent" || me.role === "admin") && (
            <Suspense fallback={null}>
              <DebtorLinkPanel key={c.id} caseId={c.id} />
            </Suspense>
          )}
          {(me.role === "lawyer" || me.role === "admin") && c.status === "open" && (c.stage === "formal_notice" || c.stage === "injunction") && (
            <CourtActions c={c} onDone={() => setTick((n) => n + 1)} />
          )}
          {me.role !== "creditor" && me.role !== "accountant" && c.status === "open" && (
            <AttachExhibit caseId={c.id} initialKind={askedKind()} onDone={() => setTick((n) => n + 1)} />
          )}
          {st && (
            <section aria-labelledby="statement-title" className="card">
              <h2 id="statement-title">
                {t("case.statement")} {date(st.as_of, lang)}
              </h2>
              <dl className="amounts">
                <dt>{t("case.principal")}</dt>
                <dd>{money(st.totals.principal_outstanding_cents, cur, lang)}</dd>
                <dt>{t("case.interest")}</dt>
                <dd>{money(st.totals.interest_outstanding_cents, cur, lang)}</dd>
                <dt>{t("case.indemnities")}</dt>
                <dd>{money(st.totals.indemnities_outstanding_cents, cur, lang)}</dd>
                <dt className="total">{t("case.total")}</dt>
                <dd className="total" data-testid="total-due">
                  {money(st.totals.total_due_cents, cur, lang)}
                </dd>
              </dl>
              {st.warnings.map((w) => (
                <p key={w} className="warning">
                  {w}
                </p>
              ))}
            </section>
          )}
          {c.deadlines.length > 0 && (
            <section aria-labelledby="deadlines-title">
              <h2 id="deadlines-title">{t("case.deadlines")}</h2>
              <ul>
                {c.deadlines.map((d) => (
                  <li key={d.kind}>
                    <strong>{date(d.on, lang)}</strong> — {d.note}
                    {d.target_on && (
                      <>
                        {" "}
                        <small className="target" data-testid="deadline-target">
                          ({t("deadline.target")} {date(d.target_on, lang)})
                        </small>
                      </>
                    )}
                  </li>
                ))}
              </ul>
            </section>
          )}
        </div>
        <div className="case-main">
          <section aria-labelledby="timeline-title">
            <h2 id="timeline-title">
              {t("case.timeline")}{" "}
              <small className={`live live-${live}`} role="status" data-testid="live-status">
                ● {t(live === "live" ? "case.live" : live === "reconnecting" ? "live.off" : "live.connecting")}
              </small>
            </h2>
            <ExportButtons path={`/api/v1/cases/${c.id}/events/export`} fallback={`historique-${c.reference}`} testid="timeline-export" />
            <ol className="timeline" data-testid="timeline">
              {[...events].reverse().map((e) => (
                <li key={e.id}>
                  <time dateTime={e.at}>{dateTime(e.at, lang)}</time> <strong>{eventLabel(t, e.type)}</strong>
                  {describe(t, e, cur, lang)}
                </li>
              ))}
            </ol>
          </section>
          <CaseLedger c={c} tick={tick} />
          <PlanPanel c={c} me={me} dueCents={st?.case_id === c.id ? st.totals.total_due_cents : c.balance_cents} tick={tick} onDone={() => setTick((n) => n + 1)} />
          <section aria-labelledby="docs-title">
            <h2 id="docs-title">{t("case.documents")}</h2>
            {docs.length === 0 ? (
              <p>{t("case.noDocuments")}</p>
            ) : (
              <ul data-testid="documents">
                {docs.map((d) => (
                  <li key={d.id}>
                    {kindLabel(t, d.kind)} —{" "}
                    <button type="button" className="link" onClick={() => void download(d)}>
                      {d.file_name}
                    </button>{" "}
                    <small>{dateTime(d.created_at, lang)}</small>
                  </li>
                ))}
              </ul>
            )}
          </section>
        </div>
      </div>
    </article>
  );
}

// askedKind is the exhibit the docket sent the lawyer here to attach
// (?piece=…), if it is a kind the API takes.
function askedKind(): ExhibitKind | undefined {
  const k = new URLSearchParams(window.location.search).get("piece");
  return (exhibitKinds as readonly string[]).includes(k ?? "") ? (k as ExhibitKind) : undefined;
}

// kindLabel names a document's kind: an exhibit's in words, a generated
// letter's by its event name when there is one.
function kindLabel(t: (k: Key) => string, kind: string): string {
  const k = kindKey(kind);
  if (k) return t(k);
  return t(`document.${kind}` as Key) ?? kind;
}

function eventLabel(t: (k: Key) => string, type: string): string {
  const k = `event.${type}` as Key;
  return t(k) ?? type;
}

// describe adds the few facts that make an event readable.
function describe(t: (k: Key) => string, e: Event, currency: string, lang: "fr" | "en"): string {
  const d = e.data as Record<string, unknown>;
  const parts: string[] = [];
  if (typeof d.amount_cents === "number") parts.push(money(d.amount_cents, currency, lang));
  if (typeof d.receipt_number === "string") parts.push(d.receipt_number);
  if (typeof d.to === "string") parts.push(`→ ${t(`stage.${d.to}` as Key) ?? d.to}`);
  if (typeof d.outcome === "string") parts.push(t(`outcome.${d.outcome}` as Key) ?? d.outcome);
  if (typeof d.step === "string") parts.push(t(`step.${d.step}` as Key) ?? d.step);
  if (typeof d.court === "string" && d.court) parts.push(d.court);
  if (typeof d.file_name === "string") parts.push(d.file_name);
  if (typeof d.note === "string" && d.note) parts.push(d.note);
  if (typeof d.text === "string") parts.push(d.text);
  if (typeof d.reason === "string" && d.reason) parts.push(d.reason);
  if (typeof d.invoice_number === "string") parts.push(d.invoice_number);
  return parts.length ? ` — ${parts.join(" · ")}` : "";
}

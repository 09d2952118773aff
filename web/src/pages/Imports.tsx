import { useEffect, useRef, useState, type FormEvent } from "react";
import { api, type Schemas } from "../api/client";
import { CreditorChoice, useActingCreditor } from "../components/CreditorChoice";
import { Link } from "../components/Link";
import { useI18n } from "../i18n";
import { fieldLabels, importsEn, importsFr, type ImportsKey } from "../i18n/imports";
import { fill } from "../lib/fill";
import { formProblem, noProblem, type FormProblem } from "../lib/problem";
import { saveFile } from "../lib/saveFile";
import { upload } from "../lib/upload";

type Import = Schemas["PlacementImport"];
type Field = Schemas["PlacementField"];
type Mapping = Schemas["ImportMapping"];

// The fields in the order a file usually has them; the first five are
// required by the API (setImportMapping).
const fields: Field[] = [
  "debtor_name",
  "invoice_number",
  "issued_on",
  "due_on",
  "amount",
  "siren",
  "siret",
  "address",
  "postal_code",
  "city",
  "email",
  "phone",
  "reference",
  "vat",
  "currency",
];
const required = new Set<Field>(["debtor_name", "invoice_number", "issued_on", "due_on", "amount"]);

const finished = (i: Import) => i.status === "done" || i.status === "failed";

// Imports is the placement-file screen (the API's /api/v1/imports): upload
// a CSV or XLSX, check the guessed column mapping (saved per creditor) and
// the first rows with their problems marked, run it, follow its progress
// and read what became of each row: placed, already present, refused —
// the refused rows downloadable as a file to correct. Staff choose the
// creditor first.
export function Imports({ me }: { me: Schemas["Me"] }) {
  const { lang } = useI18n();
  const w = (k: ImportsKey) => (lang === "en" ? importsEn : importsFr)[k];
  const label = (f: string) => fieldLabels[f]?.[lang] ?? f;
  const { staff, creditors, creditorId, setCreditorId } = useActingCreditor(me);
  const [imp, setImp] = useState<Import | null>(null);
  const [sending, setSending] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<FormProblem>(noProblem);
  const [saveFailed, setSaveFailed] = useState(false);
  const form = useRef<HTMLFormElement>(null);

  // Progress: the import is read again while the job runs.
  const id = imp?.id;
  const running = imp !== null && (imp.status === "queued" || imp.status === "running");
  useEffect(() => {
    if (!id || !running) return;
    let current = true;
    const timer = setInterval(() => {
      void api.GET("/api/v1/imports/{id}", { params: { path: { id } } }).then(({ data }) => current && data && setImp(data));
    }, 500);
    return () => {
      current = false;
      clearInterval(timer);
    };
  }, [id, running]);

  const failed = (p: unknown) => setProblem(formProblem(p, ["file", "creditor_id"], w("error")));

  const send = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const input = e.currentTarget.elements.namedItem("file") as HTMLInputElement | null;
    const file = input?.files?.[0];
    if (!file) return;
    setProblem(noProblem);
    const f = new FormData();
    if (staff) f.append("creditor_id", creditorId); // the fields before the file: the server reads them first
    f.append("file", file, file.name);
    setSending(0);
    const { status, body } = await upload("/api/v1/imports", f, setSending);
    setSending(null);
    if (status !== 201) return failed(body);
    setImp(body as Import);
  };

  const remap = async (field: Field, column: string) => {
    if (!imp) return;
    const mapping: Mapping = { ...imp.mapping };
    if (column === "") delete mapping[field];
    else mapping[field] = Number(column);
    setProblem(noProblem);
    setBusy(true);
    const { data, error } = await api.PUT("/api/v1/imports/{id}/mapping", { params: { path: { id: imp.id } }, body: { mapping } });
    setBusy(false);
    if (!data) return failed(error);
    setImp(data);
  };

  const run = async () => {
    if (!imp || !window.confirm(w("runConfirm"))) return;
    setProblem(noProblem);
    setBusy(true);
    const { data, error } = await api.POST("/api/v1/imports/{id}/run", { params: { path: { id: imp.id } } });
    setBusy(false);
    if (!data) return failed(error);
    setImp(data);
  };

  const refusedFile = async (format: "csv" | "xlsx") => {
    if (!imp) return;
    setSaveFailed(!(await saveFile(`/api/v1/imports/${imp.id}/refused?format=${format}`, `lignes-refusees.${format}`)));
  };

  const again = () => {
    setImp(null);
    setProblem(noProblem);
    form.current?.reset();
  };

  // The column each problem's field comes from, to mark that cell.
  const columnOf = (field: string) => (imp?.mapping as Record<string, number | undefined> | undefined)?.[field];
  const previewErrors = imp?.preview.filter((r) => r.problems.length > 0).length ?? 0;
  const missingRequired = imp ? fields.filter((f) => required.has(f) && imp.mapping[f] === undefined) : [];

  return (
    <section aria-labelledby="imports-title" className="imports">
      <h1 id="imports-title">{w("title")}</h1>
      <p className="hint">{w("intro")}</p>
      <p>
        <Link to="/import/factures-electroniques" data-testid="imports-einvoices">
          {w("einvoices")}
        </Link>
      </p>
      {staff && !imp && (
        <CreditorChoice id="imports-creditor" label={w("chooseCreditor")} hint={w("chooseCreditorHint")} creditors={creditors} value={creditorId} onChange={setCreditorId} />
      )}
      {(problem.summary || problem.general.length > 0) && (
        <div role="alert" className="field-error" data-testid="imports-problem">
          <p>{problem.summary}</p>
          {problem.general.map((m) => (
            <p key={m}>{m}</p>
          ))}
          {(problem.fields["file"] ?? []).map((m) => (
            <p key={m}>{m}</p>
          ))}
        </div>
      )}
      {!imp && creditorId && (
        <form ref={form} onSubmit={(e) => void send(e)} className="card" data-testid="imports-upload">
          <div className="field">
            <label htmlFor="imports-file">{w("file")}</label>
            <input id="imports-file" name="file" type="file" required accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" data-testid="imports-file" />
          </div>
          <button type="submit" disabled={sending !== null}>
            {w("upload")}
          </button>
          {sending !== null && <p role="status">{fill(w("uploading"), { pct: Math.round(sending * 100) })}</p>}
        </form>
      )}
      {imp && (
        <p className="hint">
          {fill(w("file_info"), { name: imp.file_name, kind: imp.kind.toUpperCase(), encoding: imp.encoding ? `, ${imp.encoding}` : "" })}
        </p>
      )}
      {imp?.status === "uploaded" && (
        <>
          <section aria-labelledby="imports-mapping-title" className="card" data-testid="imports-mapping">
            <h2 id="imports-mapping-title">{w("mappingTitle")}</h2>
            <p className="hint">{w("mappingHint")}</p>
            <div className="mapping-grid">
              {fields.map((f) => (
                <div className="field" key={f}>
                  <label htmlFor={`imports-map-${f}`}>
                    {label(f)}
                    {required.has(f) && <small> ({w("required")})</small>}
                  </label>
                  <select
                    id={`imports-map-${f}`}
                    data-field={f}
                    value={imp.mapping[f] === undefined ? "" : String(imp.mapping[f])}
                    onChange={(e) => void remap(f, e.target.value)}
                    disabled={busy}
                    aria-invalid={required.has(f) && imp.mapping[f] === undefined ? true : undefined}
                  >
                    <option value="">{w("notMapped")}</option>
                    {imp.headers.map((h, i) => (
                      <option key={i} value={i}>
                        {h || `#${i + 1}`}
                      </option>
                    ))}
                  </select>
                </div>
              ))}
            </div>
          </section>
          <section aria-labelledby="imports-preview-title" data-testid="imports-preview">
            <h2 id="imports-preview-title">{w("previewTitle")}</h2>
            <p className="hint">{w("previewHint")}</p>
            <p role="status" data-testid="imports-preview-summary">
              {fill(w("rowsWithProblems"), { n: previewErrors, total: imp.preview.length })}
            </p>
            <div className="table-scroll">
              <table>
                <thead>
                  <tr>
                    <th scope="col">{w("line")}</th>
                    {imp.headers.map((h, i) => (
                      <th scope="col" key={i}>
                        {h}
                      </th>
                    ))}
                    <th scope="col">{w("problems")}</th>
                  </tr>
                </thead>
                <tbody>
                  {imp.preview.map((r) => {
                    const bad = new Set(r.problems.map((p) => columnOf(p.field)).filter((c) => c !== undefined));
                    return (
                      <tr key={r.line} className={r.problems.length ? "row-problem" : undefined} data-line={r.line}>
                        <th scope="row">{r.line}</th>
                        {imp.headers.map((_, i) => (
                          <td key={i} className={bad.has(i) ? "cell-problem" : undefined} aria-invalid={bad.has(i) ? true : undefined}>
                            {r.cells[i] ?? ""}
                          </td>
                        ))}
                        <td>{r.problems.length === 0 ? w("ok") : r.problems.map((p) => (p.field ? `${label(p.field)} : ${p.message}` : p.message)).join(" · ")}</td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          </section>
          <p>
            <button type="button" onClick={() => void run()} disabled={busy || missingRequired.length > 0} data-testid="imports-run">
              {w("run")}
            </button>{" "}
            <button type="button" onClick={again}>
              {w("another")}
            </button>
          </p>
        </>
      )}
      {imp && imp.status !== "uploaded" && (
        <section aria-labelledby="imports-result-title" className="card" data-testid="imports-result">
          <h2 id="imports-result-title">{finished(imp) ? (imp.status === "done" ? w("done") : w("title")) : w("title")}</h2>
          <p role="status" aria-live="polite" data-testid="imports-progress">
            {imp.status === "queued"
              ? w("queued")
              : imp.status === "running"
                ? fill(w("running"), { n: imp.processed_rows })
                : imp.status === "failed"
                  ? fill(w("failed"), { error: imp.error })
                  : w("done")}
          </p>
          {imp.status === "running" && <progress aria-label={w("title")} />}
          {imp.status === "done" && (
            <>
              <dl className="amounts" data-testid="imports-counts">
                <dt>{w("placed")}</dt>
                <dd data-testid="imports-placed">{imp.placed_rows}</dd>
                <dt>{w("present")}</dt>
                <dd data-testid="imports-present">{imp.present_rows}</dd>
                <dt>{w("refused")}</dt>
                <dd data-testid="imports-refused">{imp.refused_rows}</dd>
                <dt>{w("cases")}</dt>
                <dd data-testid="imports-cases">{imp.cases_created}</dd>
              </dl>
              {imp.refused_rows > 0 && (
                <>
                  <p className="hint">{w("refusedHint")}</p>
                  <p>
                    <button type="button" onClick={() => void refusedFile("csv")} data-testid="imports-refused-csv">
                      {w("refusedCsv")}
                    </button>{" "}
                    <button type="button" onClick={() => void refusedFile("xlsx")} data-testid="imports-refused-xlsx">
                      {w("refusedXlsx")}
                    </button>
                  </p>
                  {saveFailed && <p role="alert">{w("exportFailed")}</p>}
                </>
              )}
            </>
          )}
          {finished(imp) && (
            <button type="button" onClick={again} data-testid="imports-again">
              {w("another")}
            </button>
          )}
        </section>
      )}
    </section>
  );
}

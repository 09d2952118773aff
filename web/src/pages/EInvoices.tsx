import { lazy, Suspense, useRef, useState, type FormEvent } from "react";
import { type Problem, type Schemas } from "../api/client";
import { CreditorChoice, useActingCreditor } from "../components/CreditorChoice";
import { Link } from "../components/Link";
import { useI18n } from "../i18n";
import { Once, Submission } from "../lib/confirm";
import { fill } from "../lib/fill";
import { upload } from "../lib/upload";

type Upload = Schemas["EInvoiceUpload"];

// The list of past uploads loads in its own chunk.
const EInvoiceUploads = lazy(() => import("./EInvoiceUploads").then((m) => ({ default: m.EInvoiceUploads })));

// Texts of this screen, in its own chunk (the main bundle is nearly full).
const fr = {
  title: "Factures électroniques",
  intro:
    "Placez vos factures telles que votre logiciel les émet : Factur-X (PDF avec sa facture CII jointe), CII ou UBL 2.1 (.xml), une ou plusieurs, ou une archive .zip. Chaque facture devient une créance du dossier de son acheteur ; le fichier d'origine est gardé comme pièce de la facture. Une facture déjà placée n'est pas placée deux fois.",
  creditor: "Créancier",
  creditorHint: "Le vendeur des factures doit être ce créancier (SIREN comparé).",
  files: "Factures (.pdf Factur-X, .xml CII ou UBL, .zip)",
  send: "Placer les factures",
  sending: "Envoi : {pct} %",
  refused: "Envoi refusé : rien n'a été placé. Corrigez ou retirez les factures ci-dessous, puis envoyez à nouveau.",
  error: "Les factures n'ont pas pu être lues.",
  result: "{created} facture(s) placée(s), {present} déjà présente(s), {cases} dossier(s) ouvert(s).",
  file: "Fichier",
  number: "Facture",
  debtor: "Débiteur",
  amount: "Montant dû",
  due: "Échéance",
  status: "Résultat",
  case: "Dossier",
  created: "Placée",
  present: "Déjà présente",
  reason: "Motif du refus",
  another: "Envoyer d'autres factures",
  back: "Retour à l'import de fichiers",
};
const en: typeof fr = {
  title: "Electronic invoices",
  intro:
    "Place your invoices as your software issues them: Factur-X (a PDF with its CII invoice attached), CII or UBL 2.1 (.xml), one or several, or a .zip archive. Each invoice becomes a claim on its buyer's case; the original file is kept as the invoice's exhibit. An invoice already placed is not placed twice.",
  creditor: "Creditor",
  creditorHint: "The invoices' seller must be this creditor (SIREN compared).",
  files: "Invoices (.pdf Factur-X, .xml CII or UBL, .zip)",
  send: "Place the invoices",
  sending: "Sending: {pct} %",
  refused: "Upload refused: nothing was placed. Fix or remove the invoices below, then send again.",
  error: "The invoices could not be read.",
  result: "{created} invoice(s) placed, {present} already present, {cases} case(s) opened.",
  file: "File",
  number: "Invoice",
  debtor: "Debtor",
  amount: "Amount due",
  due: "Due",
  status: "Result",
  case: "Case",
  created: "Placed",
  present: "Already present",
  reason: "Reason refused",
  another: "Send other invoices",
  back: "Back to file imports",
};

// EInvoices uploads electronic invoices (POST /api/v1/e-invoices) and shows
// what became of each: placed, already present, or — the whole upload
// refused — each refused file with its reason and the element concerned.
export function EInvoices({ me }: { me: Schemas["Me"] }) {
  const { lang } = useI18n();
  const w = lang === "en" ? en : fr;
  const { staff, creditors, creditorId, setCreditorId } = useActingCreditor(me);
  const [sending, setSending] = useState<number | null>(null);
  const [sent, setSent] = useState(0); // uploads sent from this screen: the list reloads after each
  const [result, setResult] = useState<Upload | null>(null);
  const [refusal, setRefusal] = useState<{ title: string; rows: { file: string; message: string }[] } | null>(null);
  const form = useRef<HTMLFormElement>(null);
  const money = (cents: number, currency: string) =>
    new Intl.NumberFormat(lang === "en" ? "en-GB" : "fr-FR", { style: "currency", currency }).format(cents / 100);

  // One upload at a time, whatever React has drawn yet (two fast clicks
  // send once), and one Idempotency-Key per submission: the same files sent
  // again after a lost answer are placed and recorded once.
  const once = useRef(new Once());
  const submission = useRef(new Submission());

  const send = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const input = e.currentTarget.elements.namedItem("file") as HTMLInputElement | null;
    const files = Array.from(input?.files ?? []);
    if (files.length === 0) return;
    await once.current.run(async () => {
      setResult(null);
      setRefusal(null);
      const f = new FormData();
      if (staff) f.append("creditor_id", creditorId); // before the files: the server reads it first
      for (const file of files) f.append("file", file, file.name);
      const key = submission.current.keyFor({ creditorId, files: files.map((x) => [x.name, x.size, x.lastModified]) });
      setSending(0);
      const { status, body } = await upload("/api/v1/e-invoices", f, setSending, { "Idempotency-Key": key });
      setSending(null);
      setSent((n) => n + 1);
      if (status !== 0 && status < 500) submission.current.done(); // answered for good: sending again is a new upload
      if (status === 200) {
        setResult(body as Upload);
        form.current?.reset();
        return;
      }
      const p = (body && typeof body === "object" ? body : {}) as Partial<Problem>;
      const rows = (p.errors ?? []).map((e) => ({
        file: (e.field ?? "").startsWith("form.file:") ? (e.field ?? "").slice("form.file:".length) : (e.field ?? ""),
        message: e.message,
      }));
      setRefusal({ title: status === 422 ? w.refused : (p.detail ?? p.title ?? w.error), rows });
    });
  };

  return (
    <section aria-labelledby="einvoices-title" className="imports">
      <h1 id="einvoices-title">{w.title}</h1>
      <p className="hint">{w.intro}</p>
      <p>
        <Link to="/import">{w.back}</Link>
      </p>
      {staff && (
        <CreditorChoice id="einvoices-creditor" label={w.creditor} hint={w.creditorHint} creditors={creditors} value={creditorId} onChange={setCreditorId} />
      )}
      {creditorId && (
        <form ref={form} onSubmit={(e) => void send(e)} className="card" data-testid="einvoices-upload">
          <div className="field">
            <label htmlFor="einvoices-file">{w.files}</label>
            <input id="einvoices-file" name="file" type="file" multiple required accept=".pdf,.xml,.zip,application/pdf,application/xml,text/xml,application/zip" />
          </div>
          <button type="submit" disabled={sending !== null}>
            {w.send}
          </button>
          {sending !== null && <p role="status">{fill(w.sending, { pct: Math.round(sending * 100) })}</p>}
        </form>
      )}
      {refusal && (
        <div role="alert" className="field-error" data-testid="einvoices-refused">
          <p>{refusal.title}</p>
          {refusal.rows.length > 0 && (
            <table>
              <thead>
                <tr>
                  <th scope="col">{w.file}</th>
                  <th scope="col">{w.reason}</th>
                </tr>
              </thead>
              <tbody>
                {refusal.rows.map((r, i) => (
                  <tr key={i}>
                    <td>{r.file}</td>
                    <td>{r.message}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      )}
      {result && (
        <section aria-labelledby="einvoices-result" className="card" data-testid="einvoices-result">
          <h2 id="einvoices-result" role="status">
            {fill(w.result, { created: result.created, present: result.present, cases: result.cases_created })}
          </h2>
          <table>
            <thead>
              <tr>
                <th scope="col">{w.file}</th>
                <th scope="col">{w.number}</th>
                <th scope="col">{w.debtor}</th>
                <th scope="col">{w.amount}</th>
                <th scope="col">{w.due}</th>
                <th scope="col">{w.status}</th>
                <th scope="col">{w.case}</th>
              </tr>
            </thead>
            <tbody>
              {result.invoices.map((o) => (
                <tr key={o.file + o.invoice_number}>
                  <td>{o.file}</td>
                  <td>{o.invoice_number}</td>
                  <td>
                    {o.debtor_name}
                    {o.debtor_siren && <small> ({o.debtor_siren})</small>}
                  </td>
                  <td>{money(o.amount_cents, o.currency)}</td>
                  <td>{new Date(o.due_on + "T00:00:00").toLocaleDateString(lang === "en" ? "en-GB" : "fr-FR")}</td>
                  <td>{o.status === "created" ? w.created : w.present}</td>
                  <td>
                    <Link to={`/dossiers/${o.case_id}`}>{o.case_reference}</Link>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
      <Suspense fallback={null}>
        <EInvoiceUploads creditorId={creditorId} version={sent} />
      </Suspense>
    </section>
  );
}

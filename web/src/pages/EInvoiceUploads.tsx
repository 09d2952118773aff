import { useCallback, useEffect, useState } from "react";
import { api, type Schemas } from "../api/client";
import { Link } from "../components/Link";
import { useI18n } from "../i18n";
import { fill } from "../lib/fill";
import { dateTime, money } from "../lib/format";

type Upload = Schemas["EInvoiceUploadRecord"];

// Texts of the list, in its own chunk with it.
const fr = {
  title: "Envois précédents",
  empty: "Aucun envoi de factures électroniques.",
  loading: "Chargement…",
  error: "La liste des envois n'a pas pu être lue.",
  when: "Date",
  by: "Par",
  files: "Fichiers",
  outcome: "Résultat",
  cases: "Dossiers",
  placed: "{placed} placée(s), {present} déjà présente(s)",
  refused: "Refusé : rien n'a été placé",
  reasons: "Motifs du refus",
  newCase: "ouvert",
  more: "Envois plus anciens",
};
const en: typeof fr = {
  title: "Previous uploads",
  empty: "No electronic invoices uploaded yet.",
  loading: "Loading…",
  error: "The list of uploads could not be read.",
  when: "Date",
  by: "By",
  files: "Files",
  outcome: "Result",
  cases: "Cases",
  placed: "{placed} placed, {present} already present",
  refused: "Refused: nothing was placed",
  reasons: "Reasons refused",
  newCase: "opened",
  more: "Older uploads",
};

// EInvoiceUploads lists past uploads of electronic invoices (GET
// /api/v1/e-invoice-uploads), newest first: the creditor's own, or for
// staff the chosen creditor's (all when none). It reloads when `version`
// changes (an upload was just sent).
export function EInvoiceUploads({ creditorId, version }: { creditorId: string; version: number }) {
  const { lang } = useI18n();
  const w = lang === "en" ? en : fr;
  const [items, setItems] = useState<Upload[] | null>(null);
  const [next, setNext] = useState<string | undefined>();
  const [failed, setFailed] = useState(false);

  const load = useCallback(
    async (cursor?: string) => {
      const query: { limit: number; cursor?: string; creditor_id?: string } = { limit: 20 };
      if (cursor) query.cursor = cursor;
      if (creditorId) query.creditor_id = creditorId;
      const { data } = await api.GET("/api/v1/e-invoice-uploads", { params: { query } });
      if (!data) return setFailed(true);
      setFailed(false);
      setItems((prev) => (cursor ? [...(prev ?? []), ...data.items] : data.items));
      setNext(data.next_cursor);
    },
    [creditorId],
  );
  useEffect(() => {
    void load();
  }, [load, version]);

  return (
    <section aria-labelledby="einvoice-uploads-title" data-testid="einvoice-uploads">
      <h2 id="einvoice-uploads-title">{w.title}</h2>
      {failed ? (
        <p role="alert">{w.error}</p>
      ) : items === null ? (
        <p className="status">{w.loading}</p>
      ) : items.length === 0 ? (
        <p className="status">{w.empty}</p>
      ) : (
        <table className="data">
          <thead>
            <tr>
              <th scope="col">{w.when}</th>
              <th scope="col">{w.by}</th>
              <th scope="col">{w.files}</th>
              <th scope="col">{w.outcome}</th>
              <th scope="col">{w.cases}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((u) => (
              <tr key={u.id} data-testid="einvoice-upload" className={u.outcome}>
                <td>{dateTime(u.created_at, lang)}</td>
                <td>{u.by.label}</td>
                <td>{u.files.map((f) => f.name).join(", ")}</td>
                <td>
                  {u.outcome === "placed" ? (
                    fill(w.placed, { placed: u.placed, present: u.present })
                  ) : (
                    <details>
                      <summary>{w.refused}</summary>
                      <ul aria-label={w.reasons}>
                        {u.refusals.map((r, i) => (
                          <li key={i}>
                            {r.file && <strong>{r.file} : </strong>}
                            {r.reason}
                            {r.element && <small> [{r.element}]</small>}
                          </li>
                        ))}
                      </ul>
                    </details>
                  )}
                  {u.outcome === "placed" && u.invoices.length > 0 && (
                    <div className="hint">
                      {u.invoices.map((i) => `${i.number} (${money(i.amount_cents, i.currency, lang)})`).join(", ")}
                    </div>
                  )}
                </td>
                <td>
                  {u.cases.map((c, i) => (
                    <span key={c.case_id}>
                      {i > 0 && ", "}
                      <Link to={`/dossiers/${c.case_id}`}>{c.case_reference}</Link>
                      {c.new_case && <small> ({w.newCase})</small>}
                    </span>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {next && (
        <button type="button" className="link" onClick={() => void load(next)}>
          {w.more}
        </button>
      )}
    </section>
  );
}

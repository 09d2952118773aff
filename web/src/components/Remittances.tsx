import { useEffect, useState } from "react";
import { api, type Schemas } from "../api/client";
import { useI18n } from "../i18n";
import { fill, moneyEn, moneyFr, vatRate, type MoneyKey } from "../i18n/money";
import { date, money } from "../lib/format";
import { saveFile } from "../lib/saveFile";
import { ExportButtons } from "./ExportButtons";

type Line = Schemas["RemittanceLine"];

// Remittances is the creditor's list of what the agency paid it: each
// remittance (a line of a booked or sent run) with its figures — funds
// held, commission net, VAT, gross, net transferred — and its statement.
// An admin sees the creditor chosen on the portfolio, or every creditor's.
export function Remittances({ creditorId, tick }: { creditorId: string; tick: number }) {
  const { lang } = useI18n();
  const m = (k: MoneyKey) => (lang === "en" ? moneyEn : moneyFr)[k];
  const [lines, setLines] = useState<Line[] | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    void api
      .GET("/api/v1/remittances", { params: { query: { creditor_id: creditorId || undefined } } })
      .then(({ data }) => setLines(data?.items ?? []));
  }, [creditorId, tick]);

  const statement = async (l: Line) => {
    if (l.document_id) setFailed(!(await saveFile(`/api/v1/documents/${l.document_id}/content`, `releve-${l.end_to_end_id}.pdf`)));
  };

  const invoice = async (l: Line, file: "pdf" | "cii") => {
    if (l.invoice_id) setFailed(!(await saveFile(`/api/v1/invoices/${l.invoice_id}/${file}`, `facture-${l.end_to_end_id}.${file === "pdf" ? "pdf" : "xml"}`)));
  };

  return (
    <section aria-labelledby="remittances-title" className="card" data-testid="remittances">
      <h2 id="remittances-title">{m("portalTitle")}</h2>
      <p className="hint">{m("portalIntro")}</p>
      {lines === null ? null : lines.length === 0 ? (
        <p data-testid="remittances-none">{m("portalNone")}</p>
      ) : (
        <>
          <ExportButtons path="/api/v1/remittances/export" params={{ creditor_id: creditorId || undefined }} fallback="mes-reversements" testid="remittances-export" />
          <table className="cards">
            <thead>
              <tr>
                <th scope="col">{m("reference")}</th>
                <th scope="col">{m("paidOn")}</th>
                <th scope="col">{m("period")}</th>
                <th scope="col" className="num">{m("held")}</th>
                <th scope="col" className="num">{m("commissionNet")}</th>
                <th scope="col" className="num">{m("vat")}</th>
                <th scope="col" className="num">{m("commissionGross")}</th>
                <th scope="col" className="num">{m("net")}</th>
                <th scope="col">{m("statement")}</th>
                <th scope="col">{m("invoice")}</th>
              </tr>
            </thead>
            <tbody>
              {lines.map((l) => (
                <tr key={l.end_to_end_id} data-testid="remittance">
                  <td data-label={m("reference")} data-testid="remittance-ref">{l.end_to_end_id}</td>
                  <td data-label={m("paidOn")}>{date(l.created_at, lang)}</td>
                  <td data-label={m("period")}>{date(l.period_from, lang)} – {date(l.period_to, lang)}</td>
                  <td data-label={m("held")} className="num">{money(l.held_cents, l.currency, lang)}</td>
                  <td data-label={m("commissionNet")} className="num">{money(l.commission_net_cents, l.currency, lang)}</td>
                  <td data-label={m("vat")} className="num">
                    {money(l.vat_cents, l.currency, lang)} <small>({fill(m("vatAt"), { rate: vatRate(l.vat_rate_bps, lang) })})</small>
                  </td>
                  <td data-label={m("commissionGross")} className="num">{money(l.commission_gross_cents, l.currency, lang)}</td>
                  <td data-label={m("net")} className="num" data-testid="remittance-net">{money(l.net_cents, l.currency, lang)}</td>
                  <td data-label={m("statement")}>
                    {l.document_id && (
                      <button type="button" className="secondary" onClick={() => void statement(l)} data-testid="remittance-statement">
                        {m("download")}
                      </button>
                    )}
                  </td>
                  {/* The agency's invoice for its share (issue 16 item 4): PDF and EN 16931 CII XML. */}
                  <td data-label={m("invoice")} data-testid="remittance-invoice">
                    {l.invoice_id ? (
                      <>
                        <button type="button" className="secondary" aria-label={`${m("invoice")} PDF`} onClick={() => void invoice(l, "pdf")} data-testid="remittance-invoice-pdf">
                          PDF
                        </button>{" "}
                        <button type="button" className="secondary" aria-label={`${m("invoice")} XML EN 16931`} onClick={() => void invoice(l, "cii")} data-testid="remittance-invoice-xml">
                          XML
                        </button>
                      </>
                    ) : (
                      m("noInvoice")
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {failed && <p role="alert">{m("downloadFailed")}</p>}
        </>
      )}
    </section>
  );
}

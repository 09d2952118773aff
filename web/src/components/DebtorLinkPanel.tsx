import { useEffect, useRef, useState } from "react";
import { api, type Schemas } from "../api/client";
import { useI18n } from "../i18n";
import { Once } from "../lib/confirm";
import { fill } from "../lib/fill";
import { dateTime } from "../lib/format";

type DebtorLink = Schemas["DebtorLink"];

// The panel's texts live here, in its own lazy-loaded chunk, out of the
// main bundle (web/scripts/budget.mjs).
const fr = {
  title: "Page du débiteur",
  intro: "Le lien secret imprimé sur chaque courrier (adresse courte et QR code) et placé dans chaque e-mail au débiteur.",
  loading: "Lecture du lien…",
  unavailable: "Les liens débiteur ne sont pas configurés sur ce serveur.",
  active: "Actif",
  revoked: "Révoqué",
  expired: "Expiré (dossier clos)",
  state: "État",
  version: "Version",
  issued: "Émis le",
  revokedAt: "Révoqué le",
  expiry: "Expiration",
  expiresWithCase: "À la clôture du dossier",
  endedWithCase: "Le dossier est clos : le lien n'ouvre plus rien.",
  link: "Lien",
  none: "Aucun lien actif : les courriers produits maintenant n'en portent pas.",
  copy: "Copier le lien",
  copied: "Lien copié.",
  revoke: "Révoquer le lien",
  revokeConfirm:
    "Révoquer le lien du débiteur ? Toute tentative avec ce lien recevra la page « introuvable », y compris depuis les courriers déjà envoyés.",
  revokedDone: "Lien révoqué.",
  reissue: "Émettre un nouveau lien",
  reissueConfirm:
    "Émettre un nouveau lien ? L'ancien n'ouvrira plus rien ; seuls les courriers et e-mails produits à partir de maintenant porteront le nouveau.",
  reissuedDone: "Nouveau lien émis (version {version}).",
  failed: "L'opération a échoué : {reason}",
};
const en: typeof fr = {
  title: "Debtor's page",
  intro: "The secret link printed on every letter (short address and QR code) and placed in every e-mail to the debtor.",
  loading: "Reading the link…",
  unavailable: "Debtor links are not configured on this server.",
  active: "Active",
  revoked: "Revoked",
  expired: "Expired (case closed)",
  state: "State",
  version: "Version",
  issued: "Issued on",
  revokedAt: "Revoked on",
  expiry: "Expiry",
  expiresWithCase: "When the case closes",
  endedWithCase: "The case is closed: the link opens nothing any more.",
  link: "Link",
  none: "No active link: letters produced now carry none.",
  copy: "Copy the link",
  copied: "Link copied.",
  revoke: "Revoke the link",
  revokeConfirm: "Revoke the debtor's link? Every try with it will get the 'not found' page, from letters already sent too.",
  revokedDone: "Link revoked.",
  reissue: "Issue a new link",
  reissueConfirm: "Issue a new link? The old one will open nothing; only letters and e-mails produced from now on will carry the new one.",
  reissuedDone: "New link issued (version {version}).",
  failed: "The operation failed: {reason}",
};

// DebtorLinkPanel shows staff (agents, admins) the case's link to its
// debtor's page (GET /api/v1/cases/{id}/debtor-link, which makes it if the
// case has none yet): active, revoked or ended with the case, when it was
// issued, that it expires when the case closes, and the link itself; revoke
// and reissue each ask for confirmation first.
export function DebtorLinkPanel({ caseId }: { caseId: string }) {
  const { lang } = useI18n();
  const w = (k: keyof typeof fr) => (lang === "en" ? en : fr)[k];
  const [link, setLink] = useState<DebtorLink | null>(null);
  const [error, setError] = useState("");
  const [done, setDone] = useState("");
  const once = useRef(new Once());

  useEffect(() => {
    let current = true;
    void api.GET("/api/v1/cases/{id}/debtor-link", { params: { path: { id: caseId } } }).then(({ data, response }) => {
      if (!current) return;
      if (data) setLink(data);
      else setError(response.status === 503 ? w("unavailable") : fill(w("failed"), { reason: String(response.status) }));
    });
    return () => {
      current = false;
    };
  }, [caseId]);

  const act = (what: "revoke" | "reissue") =>
    once.current.run(async () => {
      if (!window.confirm(w(what === "revoke" ? "revokeConfirm" : "reissueConfirm"))) return;
      setDone("");
      const path = what === "revoke" ? "/api/v1/cases/{id}/debtor-link/revoke" : "/api/v1/cases/{id}/debtor-link/reissue";
      const { data, response } = await api.POST(path, { params: { path: { id: caseId } } });
      if (!data) {
        setError(fill(w("failed"), { reason: String(response.status) }));
        return;
      }
      setError("");
      setLink(data);
      setDone(what === "revoke" ? w("revokedDone") : fill(w("reissuedDone"), { version: String(data.version) }));
    });

  const copy = async (url: string) => {
    try {
      await navigator.clipboard.writeText(url);
      setDone(w("copied"));
    } catch {
      // No clipboard (an insecure origin): the link stays selectable.
    }
  };

  const state = !link ? "" : link.active ? w("active") : link.revoked_at ? w("revoked") : w("expired");
  return (
    <section aria-labelledby="debtor-link-title" className="card debtor-link" data-testid="debtor-link">
      <h2 id="debtor-link-title">{w("title")}</h2>
      <p>
        <small>{w("intro")}</small>
      </p>
      {!link && !error && <p className="status">{w("loading")}</p>}
      {error && (
        <p className="warning" role="alert">
          {error}
        </p>
      )}
      {link && (
        <>
          <dl className="facts">
            <dt>{w("state")}</dt>
            <dd data-testid="debtor-link-state">{state}</dd>
            <dt>{w("version")}</dt>
            <dd data-testid="debtor-link-version">{link.version}</dd>
            <dt>{w("issued")}</dt>
            <dd>{dateTime(link.issued_at, lang)}</dd>
            {link.revoked_at && (
              <>
                <dt>{w("revokedAt")}</dt>
                <dd>{dateTime(link.revoked_at, lang)}</dd>
              </>
            )}
            <dt>{w("expiry")}</dt>
            <dd>{link.active || link.revoked_at ? w("expiresWithCase") : w("endedWithCase")}</dd>
          </dl>
          {link.url ? (
            <p>
              {w("link")} :{" "}
              <a href={link.url} target="_blank" rel="noopener noreferrer" data-testid="debtor-link-url">
                {link.url}
              </a>{" "}
              <button type="button" onClick={() => void copy(link.url ?? "")}>
                {w("copy")}
              </button>
            </p>
          ) : (
            <p data-testid="debtor-link-none">{w("none")}</p>
          )}
          <p>
            {link.revoked_at === null && (
              <button type="button" onClick={() => void act("revoke")} data-testid="debtor-link-revoke">
                {w("revoke")}
              </button>
            )}{" "}
            <button type="button" onClick={() => void act("reissue")} data-testid="debtor-link-reissue">
              {w("reissue")}
            </button>
          </p>
        </>
      )}
      {done && (
        <p role="status" className="ok">
          {done}
        </p>
      )}
    </section>
  );
}

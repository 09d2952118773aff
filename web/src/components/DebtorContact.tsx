import type { Schemas } from "../api/client";
import { useI18n } from "../i18n";
import type { Key } from "../i18n/messages";
import { dateTime } from "../lib/format";

type Event = Schemas["Event"];

const contactTypes = ["call", "email", "letter_sent"];

// lastContact is the latest call, e-mail or letter of a timeline (events
// in the timeline's order, oldest first), as the queue's last_contact.
export function lastContact(events: Event[]): Event | undefined {
  for (let i = events.length - 1; i >= 0; i--) if (contactTypes.includes(events[i].type)) return events[i];
  return undefined;
}

// contactOutcome is a contact's outcome in words: a call's outcome, a
// letter's kind.
export function contactOutcome(t: (k: Key) => string, type: string, outcome: string | null | undefined): string {
  if (!outcome) return "";
  const k = (type === "letter_sent" ? `letter.kind.${outcome}` : `outcome.${outcome}`) as Key;
  return t(k) ?? outcome;
}

// DebtorContact is what an agent needs before calling: the numbers (tel:
// links, so a softphone or a mobile dials them), the e-mail addresses, the
// postal address, when the debtor is best reached, and the last contact
// with its outcome.
export function DebtorContact({ debtor, events }: { debtor: Schemas["Debtor"]; events: Event[] }) {
  const { t, lang } = useI18n();
  const a = debtor.address;
  const address = [a.line1, a.line2, [a.postal_code, a.city].filter(Boolean).join(" "), a.country && a.country !== "FR" ? a.country : ""].filter(Boolean);
  const last = lastContact(events);
  const outcome = last ? contactOutcome(t, last.type, (last.data as Record<string, unknown>)[last.type === "letter_sent" ? "kind" : "outcome"] as string) : "";
  return (
    <section aria-labelledby="contact-title" className="card contact" data-testid="debtor-contact">
      <h2 id="contact-title">{t("agent.contact")}</h2>
      <dl className="facts">
        <dt>{t("agent.phones")}</dt>
        <dd>
          {debtor.phones.length === 0
            ? t("agent.noPhone")
            : debtor.phones.map((p, i) => (
                <span key={p}>
                  {i > 0 && ", "}
                  <a href={`tel:${p.replace(/[^\d+]/g, "")}`}>{p}</a>
                </span>
              ))}
        </dd>
        <dt>{t("agent.bestTime")}</dt>
        <dd data-testid="best-time">{debtor.best_time_to_call || t("agent.unknown")}</dd>
        <dt>{t("agent.emails")}</dt>
        <dd>
          {debtor.emails.length === 0
            ? t("agent.noEmail")
            : debtor.emails.map((m, i) => (
                <span key={m}>
                  {i > 0 && ", "}
                  <a href={`mailto:${m}`}>{m}</a>
                </span>
              ))}
        </dd>
        <dt>{t("agent.address")}</dt>
        <dd>
          {address.length === 0 ? (
            t("agent.unknown")
          ) : (
            <address>
              {address.map((l) => (
                <span key={l}>
                  {l}
                  <br />
                </span>
              ))}
            </address>
          )}
        </dd>
        <dt>{t("agent.lastContact")}</dt>
        <dd data-testid="last-contact">
          {last ? (
            <>
              <time dateTime={last.at}>{dateTime(last.at, lang)}</time> — {t(`contact.${last.type}` as Key)}
              {outcome && `${lang === "fr" ? " : " : ": "}${outcome}`}
            </>
          ) : (
            t("agent.noContact")
          )}
        </dd>
      </dl>
    </section>
  );
}

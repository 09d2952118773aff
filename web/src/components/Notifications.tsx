import { lazy, Suspense, useCallback, useEffect, useRef, useState } from "react";
import { api, type Schemas } from "../api/client";
import { useI18n } from "../i18n";
import type { Key } from "../i18n/messages";
import { dateTime, money, type Lang } from "../lib/format";
import { navigate } from "../lib/router";
import { follow } from "../lib/sse";

type Notification = Schemas["Notification"];

// The digest's settings load when first opened (not in the main bundle).
const DigestSettings = lazy(() => import("./DigestSettings").then((m) => ({ default: m.DigestSettings })));

// The timeline event types a notification can come from: when one arrives
// on the stream, the unread count is read again (the server decides whose
// it is).
const notified = new Set([
  "payment_recorded",
  "payment_reversed",
  "direct_payment_reported",
  "stage_changed",
  "approval_requested",
  "webhook_endpoint_disabled",
]);

// notificationText says what happened in the reader's language, from the
// notification's kind and figures (the API's `text` is French only).
export function notificationText(n: Notification, t: (k: Key) => string, lang: Lang): string {
  // An endpoint disabled: the French text names its address, the day it
  // began failing and how to turn it back on; in English, the kind's words.
  if (n.kind === "webhook_disabled" && lang === "fr") return n.text;
  const amount = n.amount_cents == null ? "" : money(n.amount_cents, n.currency ?? "EUR", lang);
  const stage = n.stage ? t(`stage.${n.stage}`) : "";
  return t(`notif.kind.${n.kind}`).replace("{amount}", amount).replace("{stage}", stage).replace(/ {2,}/g, " ");
}

// notificationHref is where a notification leads: its case, or for a
// notice about no case (an endpoint disabled) the webhooks screen, where it
// is enabled again.
export function notificationHref(n: Notification): string {
  return n.case_id ? `/dossiers/${n.case_id}` : "/webhooks";
}

// Notifications is the header's "Notifications (3)" button and its panel:
// the unread count, kept current from the live event stream, and the list
// with a link to each case and "mark all as read".
export function Notifications() {
  const { t, lang } = useI18n();
  const [count, setCount] = useState<number | null>(null);
  const [open, setOpen] = useState(false);
  const [items, setItems] = useState<Notification[] | null>(null);
  const [next, setNext] = useState<string | undefined>();
  const [digest, setDigest] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const root = useRef<HTMLDivElement>(null);
  const openRef = useRef(open);
  openRef.current = open;

  const refresh = useCallback(async () => {
    const { data } = await api.GET("/api/v1/notifications/unread-count");
    if (data) setCount(data.unread_count);
  }, []);
  const load = useCallback(async () => {
    const { data } = await api.GET("/api/v1/notifications", { params: { query: { limit: 20 } } });
    if (!data) return;
    setItems(data.items);
    setNext(data.next_cursor);
    setCount(data.unread_count);
  }, []);

  useEffect(() => {
    void refresh();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const again = () => {
      timer ??= setTimeout(() => {
        timer = undefined;
        void (openRef.current ? load() : refresh());
      }, 250);
    };
    const stop = follow(
      "/api/v1/events/stream",
      (ev) => notified.has(ev.event) && again(),
      (s) => s === "live" && again(), // back after a drop: what was missed is replayed, the count read again
    );
    return () => (stop(), clearTimeout(timer));
  }, [refresh, load]);

  const close = useCallback((focus: boolean) => {
    setOpen(false);
    if (focus) button.current?.focus();
  }, []);
  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => e.key === "Escape" && close(true);
    const onClick = (e: MouseEvent) => root.current && !root.current.contains(e.target as Node) && close(false);
    document.addEventListener("keydown", onKey);
    document.addEventListener("mousedown", onClick);
    return () => (document.removeEventListener("keydown", onKey), document.removeEventListener("mousedown", onClick));
  }, [open, close]);

  const toggle = () => {
    if (open) return close(false);
    setOpen(true);
    void load();
  };
  const more = async () => {
    if (!next) return;
    const { data } = await api.GET("/api/v1/notifications", { params: { query: { limit: 20, cursor: next } } });
    if (!data) return;
    setItems((prev) => [...(prev ?? []), ...data.items]);
    setNext(data.next_cursor);
  };
  const markAll = async () => {
    const { data } = await api.POST("/api/v1/notifications/read-all");
    if (data) setCount(data.unread_count);
    await load();
  };
  const follow_ = (n: Notification) => {
    if (!n.read) {
      setItems((prev) => prev?.map((x) => (x.id === n.id ? { ...x, read: true } : x)) ?? null);
      void api.POST("/api/v1/notifications/{id}/read", { params: { path: { id: n.id } } }).then(({ data }) => data && setCount(data.unread_count));
    }
    close(false);
    navigate(notificationHref(n));
  };

  const unread = count ?? 0;
  return (
    <div className="notif" ref={root}>
      <button ref={button} type="button" className="notif-button" aria-expanded={open} aria-controls="notif-panel" data-testid="notif-button" onClick={toggle}>
        <svg className="notif-bell" viewBox="0 0 24 24" width="16" height="16" aria-hidden="true" focusable="false">
          <path d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22zm7-6V11a7 7 0 0 0-5.5-6.84V3a1.5 1.5 0 0 0-3 0v1.16A7 7 0 0 0 5 11v5l-2 2v1h18v-1z" fill="currentColor" />
        </svg>{" "}
        {t("notif.button")}
        {unread > 0 && <span className="notif-count"> ({unread})</span>}
      </button>
      <span className="visually-hidden" role="status" aria-live="polite" data-testid="notif-live">
        {count === null ? "" : `${unread} ${t("notif.unread")}`}
      </span>
      {open && (
        <section id="notif-panel" className="notif-panel" aria-labelledby="notif-title" data-testid="notif-panel">
          <div className="notif-head">
            <h2 id="notif-title">{t("notif.title")}</h2>
            <button type="button" className="link" onClick={() => void markAll()} disabled={unread === 0} data-testid="notif-mark-all">
              {t("notif.markAll")}
            </button>
            <button type="button" className="link" onClick={() => close(true)}>
              {t("notif.close")}
            </button>
          </div>
          {items === null ? (
            <p className="status">{t("loading")}</p>
          ) : items.length === 0 ? (
            <p className="status">{t("notif.empty")}</p>
          ) : (
            <ul className="notif-list">
              {items.map((n) => (
                <li key={n.id} className={n.read ? "read" : "unread"} data-testid="notif-item">
                  <a
                    href={notificationHref(n)}
                    onClick={(e) => {
                      if (e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return; // a new tab: the browser's
                      e.preventDefault();
                      follow_(n);
                    }}
                  >
                    {!n.read && <span className="notif-new">{t("notif.new")} · </span>}
                    <strong>{n.case_id ? n.case_reference : t("nav.webhooks")}</strong> — {notificationText(n, t, lang)}
                  </a>
                  <time dateTime={n.at}>{dateTime(n.at, lang)}</time>
                </li>
              ))}
            </ul>
          )}
          {next && (
            <button type="button" className="link" onClick={() => void more()}>
              {t("notif.more")}
            </button>
          )}
          <button type="button" className="link notif-digest" aria-expanded={digest} onClick={() => setDigest(!digest)} data-testid="digest-open">
            {t("notif.digest")}
          </button>
          {digest && (
            <Suspense fallback={<p className="status">{t("loading")}</p>}>
              <DigestSettings />
            </Suspense>
          )}
        </section>
      )}
    </div>
  );
}

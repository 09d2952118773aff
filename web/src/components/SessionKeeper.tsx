import { useEffect, useRef, useState } from "react";
import { api } from "../api/client";
import { useI18n } from "../i18n";
import { countdown, idlePhase, pingThrottleMs, shareDeadline, sharedDeadline, warnBeforeMs } from "../lib/session";

// SessionKeeper follows the web session's idle deadline: the person's
// activity (keys, clicks, touches, wheel) tells the server, at most every
// 30 s (sooner when the idle time is short); shortly before the end a dialog offers "Rester connecté"; at the end
// onExpired signs the page out. The deadline comes from the server
// (seconds_left), shared by the tabs, so the page never outlives the
// session nor signs out one the person kept alive in another tab.
export function SessionKeeper({ idleSeconds, secondsLeft, onExpired, onSignOut }: {
  idleSeconds: number;
  secondsLeft: number;
  onExpired: () => void;
  onSignOut: () => void;
}) {
  const { t } = useI18n();
  const [state, setState] = useState(() => idlePhase(shareDeadline(secondsLeft), Date.now(), warnBeforeMs(idleSeconds)));
  const dialog = useRef<HTMLDialogElement>(null);
  const expired = useRef(onExpired);
  expired.current = onExpired;

  useEffect(() => {
    if (idleSeconds <= 0) return; // a bearer session: no idle expiry
    const warnMs = warnBeforeMs(idleSeconds);
    const throttleMs = pingThrottleMs(idleSeconds);
    let lastPing = Date.now();
    let pending = false;
    let inFlight = false;
    const ping = async () => {
      if (inFlight) return;
      inFlight = true;
      pending = false;
      lastPing = Date.now();
      const { data } = await api.GET("/api/v1/auth/session");
      inFlight = false;
      if (data) shareDeadline(data.seconds_left);
      tick();
    };
    const tick = () => {
      const now = Date.now();
      if (pending && now - lastPing >= throttleMs) void ping();
      const s = idlePhase(sharedDeadline(), now, warnMs);
      setState((prev) => (prev.phase === s.phase && prev.secondsLeft === s.secondsLeft ? prev : s));
      if (s.phase === "expired") expired.current();
    };
    const activity = () => {
      if (Date.now() - lastPing >= throttleMs) void ping();
      else pending = true;
    };
    const events = ["keydown", "pointerdown", "wheel", "touchstart"] as const;
    for (const e of events) document.addEventListener(e, activity, { capture: true, passive: true });
    const timer = setInterval(tick, 1000);
    return () => {
      for (const e of events) document.removeEventListener(e, activity, { capture: true });
      clearInterval(timer);
    };
  }, [idleSeconds]);

  const warn = state.phase === "warn";
  useEffect(() => {
    const d = dialog.current;
    if (!d) return;
    if (warn && !d.open) d.showModal();
    if (!warn && d.open) d.close();
  }, [warn]);

  return (
    <dialog ref={dialog} className="idle-warning" aria-labelledby="idle-title" aria-describedby="idle-text" data-testid="idle-warning">
      <h2 id="idle-title">{t("session.idleTitle")}</h2>
      <p id="idle-text">
        {t("session.idleText")} <strong role="timer">{countdown(state.secondsLeft)}</strong>.
      </p>
      <p className="buttons">
        {/* Pressing it is activity: the listener above asks the server, and
            the dialog closes when the new deadline comes back. */}
        <button type="button" autoFocus>
          {t("session.stay")}
        </button>{" "}
        <button type="button" className="link" onClick={onSignOut}>
          {t("nav.logout")}
        </button>
      </p>
    </dialog>
  );
}

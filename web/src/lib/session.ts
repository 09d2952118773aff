// The web session seen from the page: when it ends without activity, when
// to warn, and what the tabs of one browser tell each other (they share the
// cookie, so one tab's activity, sign-out or sign-in is every tab's).

// The server pushes the idle deadline on when asked (GET
// /api/v1/auth/session); the page asks when the person works, at most once
// per pingEveryMs, and once more after that if they kept working.
export const pingEveryMs = 30_000;

// pingThrottleMs: how long after a ping the next activity waits before it
// asks again. At most pingEveryMs, and at most half the warning window, so
// that pressing "Rester connecté" always reaches the server before the end
// even when the idle time is short.
export function pingThrottleMs(idleSeconds: number): number {
  return Math.min(pingEveryMs, warnBeforeMs(idleSeconds) / 2);
}

// warnBeforeMs: the warning shows two minutes before the end, or half the
// idle time when that is shorter.
export function warnBeforeMs(idleSeconds: number): number {
  return Math.min(120_000, (idleSeconds * 1000) / 2);
}

export type IdlePhase = "active" | "warn" | "expired";

// idlePhase says where a session ending at deadline (ms) stands at now.
export function idlePhase(deadline: number, now: number, warnMs: number): { phase: IdlePhase; secondsLeft: number } {
  const left = deadline - now;
  const secondsLeft = Math.max(0, Math.ceil(left / 1000));
  if (left <= 0) return { phase: "expired", secondsLeft: 0 };
  return { phase: left <= warnMs ? "warn" : "active", secondsLeft };
}

// countdown writes seconds as "1 min 05 s" / "45 s".
export function countdown(seconds: number): string {
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  return m > 0 ? `${m} min ${String(s).padStart(2, "0")} s` : `${s} s`;
}

// Shared between tabs through localStorage (its "storage" event reaches
// the other tabs of the same origin).
const DEADLINE = "recouvra.session.deadline";
const SIGNAL = "recouvra.session.signal";

// sharedDeadline is the latest deadline any tab heard from the server.
export function sharedDeadline(): number {
  const v = Number(localStorage.getItem(DEADLINE));
  return Number.isFinite(v) ? v : 0;
}

// shareDeadline records a deadline the server just gave (seconds_left from
// now, by this browser's clock).
export function shareDeadline(secondsLeft: number, now = Date.now()): number {
  const d = now + secondsLeft * 1000;
  localStorage.setItem(DEADLINE, String(d));
  return d;
}

export type Signal = "in" | "out";

// signal tells the other tabs that this one signed in or out.
export function signal(kind: Signal) {
  if (kind === "out") localStorage.removeItem(DEADLINE);
  localStorage.setItem(SIGNAL, `${kind}:${Date.now()}`);
}

// onSignal calls f when another tab signs in or out; it returns the
// unsubscribe function.
export function onSignal(f: (kind: Signal) => void): () => void {
  const on = (e: StorageEvent) => {
    if (e.key !== SIGNAL || !e.newValue) return;
    const kind = e.newValue.split(":")[0];
    if (kind === "in" || kind === "out") f(kind);
  };
  window.addEventListener("storage", on);
  return () => window.removeEventListener("storage", on);
}

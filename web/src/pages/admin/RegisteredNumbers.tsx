import { useState, type FormEvent } from "react";
import { withCsrf, type Schemas } from "../../api/client";
import type { StrategyKey } from "../../i18n/strategies";

type Result = Schemas["RegisteredNumbersResult"];

// RegisteredNumbers sends La Poste's list of registered numbers for one
// engine pass (POST /api/v1/strategy-runs/{id}/registered-numbers) and
// shows what became of it: numbers recorded, lines already recorded, and
// each refused line with its number and reason. The file chosen carries
// one Idempotency-Key until it is answered: a second click, or a retry
// after a lost answer, records nothing twice and shows the first answer.
export function RegisteredNumbers({ runId, runOn, s }: { runId: string; runOn: string; s: (k: StrategyKey) => string }) {
  const [key, setKey] = useState("");
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<Result | null>(null);
  const [error, setError] = useState("");
  const inputId = `registered-file-${runId}`;
  const errorId = `registered-error-${runId}`;

  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (busy) return;
    const formEl = e.currentTarget;
    const file = (formEl.elements.namedItem("file") as HTMLInputElement).files?.[0];
    setResult(null);
    if (!file) {
      setError(s("registeredChoose"));
      return;
    }
    setError("");
    setBusy(true);
    const form = new FormData();
    form.set("file", file, file.name);
    const idem = key || crypto.randomUUID();
    setKey(idem);
    const headers = new Headers({ "Idempotency-Key": idem });
    withCsrf("POST", (n, v) => headers.set(n, v));
    let status = 0;
    let body: unknown = null;
    try {
      const res = await fetch(`/api/v1/strategy-runs/${runId}/registered-numbers`, { method: "POST", body: form, headers });
      status = res.status;
      body = await res.json().catch(() => null);
    } catch {
      status = 0;
    }
    setBusy(false);
    if (status !== 200) {
      const p = (body ?? {}) as Partial<Schemas["Problem"]>;
      setError([s("registeredError"), p.detail ?? p.title ?? String(status || ""), ...(p.errors ?? []).map((x) => x.message)].filter(Boolean).join(" "));
      return;
    }
    setResult(body as Result);
    // Answered: the list is done. Choosing a file again (the same one
    // too) is a new sending, with a new key.
    formEl.reset();
    setKey("");
  };

  return (
    <form onSubmit={(e) => void submit(e)} className="registered-numbers" data-testid="registered-form" data-run-id={runId}>
      <label htmlFor={inputId}>
        {s("registered")} — {s("registeredFile")} {runOn}
      </label>
      <input
        id={inputId}
        name="file"
        type="file"
        accept=".csv,text/csv,text/plain"
        aria-describedby={error ? errorId : undefined}
        aria-invalid={error ? true : undefined}
        data-testid="registered-file"
        // A new file is a new request: its own key.
        onChange={() => (setKey(crypto.randomUUID()), setResult(null), setError(""))}
      />{" "}
      <button type="submit" className="secondary" disabled={busy} data-testid="registered-send">
        {busy ? s("registeredSending") : s("registeredSend")}
      </button>
      {error && (
        <p role="alert" id={errorId} className="error" data-testid="registered-error">
          {error}
        </p>
      )}
      <div role="status" aria-live="polite">
        {result && (
          <div data-testid="registered-result">
            <p>
              {result.recorded} {s("registeredRecorded")}, {result.duplicates} {s("registeredDuplicates")}, {result.refused.length}{" "}
              {s("registeredRefusedCount")} ({result.lines} {s("registeredLines")}).
            </p>
            {result.refused.length > 0 && (
              <ul data-testid="registered-refused">
                {result.refused.map((r) => (
                  <li key={`${r.line}-${r.field}`}>
                    {s("registeredLine")} {r.line} ({s(`registeredField.${r.field}` as StrategyKey)}) : {r.message}
                  </li>
                ))}
              </ul>
            )}
          </div>
        )}
      </div>
    </form>
  );
}

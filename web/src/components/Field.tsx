import { useId, type ReactNode } from "react";
import type { FormProblem } from "../lib/problem";

// Field is a labelled form control with the API's messages about it shown
// right below it and tied to it for screen readers.
export function Field({ label, name, problem, hint, children }: {
  label: string;
  name: string;
  problem?: FormProblem;
  hint?: string;
  children: (a11y: { id: string; name: string; "aria-invalid"?: true; "aria-describedby"?: string }) => ReactNode;
}) {
  const id = useId();
  const errors = problem?.fields[name] ?? [];
  const described = [hint ? `${id}-hint` : "", errors.length ? `${id}-err` : ""].filter(Boolean).join(" ");
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children({ id, name, ...(errors.length ? { "aria-invalid": true } : {}), ...(described ? { "aria-describedby": described } : {}) })}
      {hint && (
        <small id={`${id}-hint`} className="hint">
          {hint}
        </small>
      )}
      {errors.length > 0 && (
        <p id={`${id}-err`} className="field-error">
          {errors.join(" ")}
        </p>
      )}
    </div>
  );
}

// FormErrors shows what the API said about the form as a whole.
export function FormErrors({ problem }: { problem: FormProblem }) {
  if (!problem.summary) return null;
  return (
    <div role="alert" className="error">
      <p>{problem.summary}</p>
      {problem.general.map((m) => (
        <p key={m}>{m}</p>
      ))}
    </div>
  );
}

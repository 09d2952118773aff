import { useId, useLayoutEffect, useRef, useState, type MouseEvent, type ReactNode } from "react";
import { useI18n } from "../i18n";
import type { FormProblem } from "../lib/problem";

// Field is a labelled form control with the API's messages about it shown
// right below it and tied to it for screen readers. A required field says
// so twice: a star after its label (see RequiredNote) and required +
// aria-required on the control, which lib/problem's missing() checks
// before anything is sent.
export function Field({ label, name, problem, hint, required, children }: {
  label: string;
  name: string;
  problem?: FormProblem;
  hint?: string;
  required?: boolean;
  children: (a11y: { id: string; name: string; required?: true; "aria-required"?: true; "aria-invalid"?: true; "aria-describedby"?: string }) => ReactNode;
}) {
  const id = useId();
  const errors = problem?.fields[name] ?? [];
  const described = [hint ? `${id}-hint` : "", errors.length ? `${id}-err` : ""].filter(Boolean).join(" ");
  return (
    <div className="field">
      <label htmlFor={id}>
        {label}
        {required && <RequiredMark />}
      </label>
      {children({ id, name, ...(required ? { required: true, "aria-required": true } : {}), ...(errors.length ? { "aria-invalid": true } : {}), ...(described ? { "aria-describedby": described } : {}) })}
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

// RequiredMark is the star after a required field's label; screen readers
// hear "required" from the control itself.
export function RequiredMark() {
  return (
    <span className="req" aria-hidden="true">
      {" "}*
    </span>
  );
}

// RequiredNote says what the star means, once, at the top of a form.
export function RequiredNote() {
  const { t } = useI18n();
  return <p className="hint required-note">{t("form.requiredNote")}</p>;
}

// FormErrors is the error summary at the top of a form: the refusal's
// summary, then every problem — each field's, as a link that takes the
// focus to that field, and those no field claims. When a new refusal
// arrives the focus moves to the summary, so a keyboard or screen-reader
// user hears all of it and goes from there to each field.
export function FormErrors({ problem }: { problem: FormProblem }) {
  const { t, lang } = useI18n();
  const box = useRef<HTMLDivElement>(null);
  const [targets, setTargets] = useState<Record<string, { id: string; label: string }>>({});
  useLayoutEffect(() => {
    if (!problem.summary || !box.current) return;
    // The fields are found by name in the form (or the section) the
    // summary heads, so forms need no wiring beyond Field and this.
    const scope = box.current.closest("form, section") ?? document;
    const found: Record<string, { id: string; label: string }> = {};
    for (const name of Object.keys(problem.fields)) {
      const el = scope.querySelector<HTMLInputElement>(`[name="${CSS.escape(name)}"]`);
      if (el?.id) found[name] = { id: el.id, label: labelOf(el) };
    }
    setTargets(found);
    box.current.focus();
  }, [problem]);
  if (!problem.summary) return null;
  const go = (id: string) => (e: MouseEvent) => {
    e.preventDefault();
    document.getElementById(id)?.focus();
  };
  const items = [
    ...Object.entries(problem.fields).flatMap(([name, messages]) =>
      messages.map((m) => {
        const to = targets[name];
        return (
          <li key={`${name}-${m}`}>
            {to ? (
              <a href={`#${to.id}`} onClick={go(to.id)}>
                {to.label ? `${to.label}${lang === "fr" ? " : " : ": "}` : ""}
                {m}
              </a>
            ) : (
              m
            )}
          </li>
        );
      }),
    ),
    ...problem.general.map((m) => <li key={`general-${m}`}>{m}</li>),
  ];
  return (
    <div role="alert" className="error error-summary" tabIndex={-1} ref={box} data-testid="error-summary">
      <p>{problem.summary}</p>
      {items.length > 0 && (
        <>
          <p className="error-summary-title">{t("form.summaryTitle")}</p>
          <ul>{items}</ul>
        </>
      )}
    </div>
  );
}

// labelOf is a control's label as read, without the required star, nor
// the control, its options or the hints a label may wrap.
function labelOf(el: HTMLInputElement): string {
  const label = el.labels?.[0];
  if (!label) return el.getAttribute("aria-label") ?? "";
  const copy = label.cloneNode(true) as HTMLElement;
  for (const x of copy.querySelectorAll(".req, select, input, textarea, small, .hint, .field-error")) x.remove();
  return (copy.textContent ?? "").replace(/\s+/g, " ").trim();
}

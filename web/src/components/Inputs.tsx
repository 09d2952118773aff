import { useId, useState, type ChangeEvent, type InputHTMLAttributes, type Ref } from "react";
import { useI18n } from "../i18n";
import { parseAmount, tidyAmount } from "../lib/amount";
import { longDate, money } from "../lib/format";

type InputProps = InputHTMLAttributes<HTMLInputElement> & { inputRef?: Ref<HTMLInputElement> };

// setValue changes an input's value the way typing does, so React's
// onChange (controlled fields) and FormData (uncontrolled ones) both see it.
function setValue(el: HTMLInputElement, value: string) {
  Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value")?.set?.call(el, value);
  el.dispatchEvent(new Event("input", { bubbles: true }));
}

// AmountInput is an amount field that checks and shows what it reads as
// it is typed: below it, the amount in the language's format ("Soit
// 1 234,50 €"), or — once the person has left the field — why it is not
// an amount, beside the field, before anything is sent. Leaving the field
// also rewrites a valid amount the language's way ("1234,5" → "1 234,50").
// It takes the props Field hands its control (id, name, aria-*), and works
// controlled (value + onChange) or not (defaultValue, read with FormData).
export function AmountInput({ signed = false, currency = "EUR", inputRef, ...props }: InputProps & { signed?: boolean; currency?: string }) {
  const { t, lang } = useI18n();
  const id = useId();
  const [text, setText] = useState(String(props.value ?? props.defaultValue ?? ""));
  const [left, setLeft] = useState(false);
  const shown = props.value !== undefined ? String(props.value) : text;
  const cents = shown.trim() ? parseAmount(shown, { signed, lang }) : null;
  const bad = left && shown.trim() !== "" && cents === null;
  // When the form already says why beside the field (Field's message), the
  // reading below stays quiet instead of saying it twice.
  const said = !!props["aria-invalid"];
  const described = [props["aria-describedby"], `${id}-read`].filter(Boolean).join(" ");
  return (
    <>
      <input
        {...props}
        ref={inputRef}
        inputMode="decimal"
        autoComplete="off"
        aria-invalid={bad || props["aria-invalid"] ? true : undefined}
        aria-describedby={described}
        onChange={(e: ChangeEvent<HTMLInputElement>) => {
          setText(e.target.value);
          props.onChange?.(e);
        }}
        onBlur={(e) => {
          // Going to a button (the form's submit) does not show the message
          // here: it would push the button down under the pointer and the
          // click would miss it; the form checks the amount on submit.
          if (!(e.relatedTarget instanceof HTMLButtonElement)) setLeft(true);
          const tidy = tidyAmount(e.target.value, { signed, lang });
          if (tidy !== e.target.value) setValue(e.target, tidy);
          props.onBlur?.(e);
        }}
      />
      <small id={`${id}-read`} className={bad && !said ? "field-error" : "hint amount-read"} data-testid="amount-read">
        {bad ? (said ? "" : t("field.amountInvalid")) : cents !== null ? `${t("form.amountRead")} ${money(cents, currency, lang)}` : ""}
      </small>
    </>
  );
}

// DateInput is a date field that says the chosen date in words in the
// app's language ("Soit le 2 décembre 2026"): the browser's own date
// picker follows the browser's language, which may not be the one chosen
// here, and an English 12/02/2026 would be read the wrong way round.
export function DateInput({ inputRef, ...props }: InputProps) {
  const { t, lang } = useI18n();
  const id = useId();
  const [text, setText] = useState(String(props.value ?? props.defaultValue ?? ""));
  const shown = props.value !== undefined ? String(props.value) : text;
  const described = [props["aria-describedby"], `${id}-read`].filter(Boolean).join(" ");
  return (
    <>
      <input
        {...props}
        ref={inputRef}
        type="date"
        aria-describedby={described}
        onChange={(e: ChangeEvent<HTMLInputElement>) => {
          setText(e.target.value);
          props.onChange?.(e);
        }}
      />
      <small id={`${id}-read`} className="hint date-read" data-testid="date-read">
        {/^\d{4}-\d{2}-\d{2}$/.test(shown) ? `${t("form.dateRead")} ${longDate(shown, lang)}` : ""}
      </small>
    </>
  );
}

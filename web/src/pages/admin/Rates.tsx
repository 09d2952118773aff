import { useEffect, useMemo, useRef, useState, type FormEvent } from "react";
import { api, type Schemas } from "../../api/client";
import { Field, FormErrors, RequiredNote } from "../../components/Field";
import { AmountInput, DateInput } from "../../components/Inputs";
import { useI18n } from "../../i18n";
import { parseAmount } from "../../lib/amount";
import { todayISO } from "../../lib/dates";
import { date, money } from "../../lib/format";
import { checked, formProblem, noProblem, type FormProblem } from "../../lib/problem";
import { amountInput, halfYearChoices, halfYearLabel, parsePercent, percent, percentInput } from "./units";
import { LoadError } from "./LoadError";

type Rate = Schemas["Rate"];
type Kind = Rate["kind"];

const kinds: Kind[] = ["ecb_refi", "legal_individual", "legal_other", "recovery_indemnity", "vat_standard"];
const fields = ["kind", "period_start", "value", "source"] as const;
// The indemnity is an amount in force from the day a decree says, not a
// half-yearly rate.
const isAmount = (k: Kind) => k === "recovery_indemnity";
// The indemnity and the VAT rate hold from the day they took effect.
const fromDay = (k: Kind) => k === "recovery_indemnity" || k === "vat_standard";

// Rates shows the legal tables the statements of claim are computed with,
// newest half-year first, and lets the admin add or correct a row.
export function Rates() {
  const { t, lang } = useI18n();
  const [rates, setRates] = useState<Rate[] | null>(null);
  const [loadError, setLoadError] = useState(false);
  const [kind, setKind] = useState<Kind>("ecb_refi");
  const [half, setHalf] = useState("");
  const [day, setDay] = useState("");
  const [value, setValue] = useState("");
  const [source, setSource] = useState("");
  const [problem, setProblem] = useState<FormProblem>(noProblem);
  const [status, setStatus] = useState("");
  const [busy, setBusy] = useState(false);
  const valueInput = useRef<HTMLInputElement | null>(null);

  const load = async () => {
    setLoadError(false);
    const { data } = await api.GET("/api/v1/rates");
    if (!data) return setLoadError(true);
    setRates(data.items);
  };
  useEffect(() => void load(), []);

  const today = todayISO();
  // Half-years offered: the next one (published ahead) back to the oldest
  // row held, or five years when the tables are empty.
  const choices = useMemo(() => {
    const starts = (rates ?? []).filter((r) => !fromDay(r.kind)).map((r) => r.period_start).sort();
    const fiveYears = `${Number(today.slice(0, 4)) - 5}${today.slice(4)}`;
    return halfYearChoices(today, starts[0] && starts[0] < fiveYears ? starts[0] : fiveYears, lang);
  }, [rates, today, lang]);
  const period = fromDay(kind) ? day : half || choices[0]?.start || "";
  const existing = rates?.find((r) => r.kind === kind && r.period_start === period);
  const show = (r: Pick<Rate, "kind" | "value">) => (isAmount(r.kind) ? money(r.value, "EUR", lang) : percent(r.value, lang));
  const periodName = (r: Pick<Rate, "kind" | "period_start">) => (fromDay(r.kind) ? date(r.period_start, lang) : halfYearLabel(r.period_start, lang));

  const correct = (r: Rate) => {
    setKind(r.kind);
    if (fromDay(r.kind)) setDay(r.period_start);
    else setHalf(r.period_start);
    setValue(isAmount(r.kind) ? amountInput(r.value, lang) : percentInput(r.value, lang));
    setSource(r.source);
    setProblem(noProblem);
    setStatus("");
    setTimeout(() => valueInput.current?.focus(), 0);
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const v = isAmount(kind) ? parseAmount(value, { lang }) : parsePercent(value);
    const local = checked({
      period_start: !period && t("admin.rates.dayRequired"),
      value: v === null && t(isAmount(kind) ? "admin.amountInvalid" : "admin.percentInvalid"),
      source: !source.trim() && t("admin.rates.sourceRequired"),
    }, t("admin.checkFields"));
    if (local || v === null) return (setProblem(local ?? noProblem), setStatus(""));
    setBusy(true);
    const { data, error } = await api.POST("/api/v1/rates", { body: { kind, period_start: period, value: v, source: source.trim() } });
    setBusy(false);
    if (!data) return (setProblem(formProblem(error, fields, t("admin.error"))), setStatus(""));
    setRates((prev) => [...(prev ?? []).filter((r) => !(r.kind === data.kind && r.period_start === data.period_start)), data]);
    setProblem(noProblem);
    setValue("");
    setSource("");
    setStatus(`${t("admin.rates.saved")} ${t(`admin.rates.kind.${data.kind}`)}, ${periodName(data)} — ${show(data)}`);
  };

  return (
    <section aria-labelledby="admin-rates-title">
      <h1 id="admin-rates-title">{t("admin.rates.title")}</h1>
      <p className="hint">{t("admin.rates.intro")}</p>
      <form className="card admin-form" onSubmit={(e) => void submit(e)} noValidate aria-labelledby="admin-rate-form" data-testid="rate-form">
        <h2 id="admin-rate-form">{t("admin.rates.formTitle")}</h2>
        <RequiredNote />
        <FormErrors problem={problem} />
        <div className="admin-grid admin-grid-wide">
          <Field label={t("admin.rates.kindLabel")} name="kind" problem={problem}>
            {(a) => (
              <select {...a} value={kind} onChange={(e) => (setKind(e.target.value as Kind), setValue(""))}>
                {kinds.map((k) => (
                  <option key={k} value={k}>{t(`admin.rates.kind.${k}`)}</option>
                ))}
              </select>
            )}
          </Field>
          {fromDay(kind) ? (
            <Field label={t("admin.rates.since")} name="period_start" problem={problem} hint={t("admin.rates.sinceHint")} required>
              {(a) => <DateInput {...a} value={day} onChange={(e) => setDay(e.target.value)} />}
            </Field>
          ) : (
            <Field label={t("admin.rates.halfYear")} name="period_start" problem={problem} hint={t("admin.rates.halfYearHint")}>
              {(a) => (
                <select {...a} value={period} onChange={(e) => setHalf(e.target.value)}>
                  {choices.map((h) => (
                    <option key={h.start} value={h.start}>{h.label} — {t("admin.rates.from")} {date(h.start, lang)}</option>
                  ))}
                </select>
              )}
            </Field>
          )}
          <Field label={t(isAmount(kind) ? "admin.rates.amount" : "admin.rates.percent")} name="value" problem={problem}
            hint={t(isAmount(kind) ? "admin.rates.amountHint" : "admin.rates.percentHint")} required>
            {(a) =>
              isAmount(kind) ? (
                <AmountInput {...a} inputRef={valueInput} value={value} onChange={(e) => setValue(e.target.value)} />
              ) : (
                <input {...a} ref={valueInput} inputMode="decimal" autoComplete="off" value={value} onChange={(e) => setValue(e.target.value)} />
              )
            }
          </Field>
          <Field label={t("admin.rates.source")} name="source" problem={problem} hint={t("admin.rates.sourceHint")} required>
            {(a) => <input {...a} autoComplete="off" maxLength={500} value={source} onChange={(e) => setSource(e.target.value)} />}
          </Field>
        </div>
        <p className="hint admin-replace" data-testid="rate-replace">
          {existing ? `${t("admin.rates.replaces")} ${show(existing)}.` : ""}
        </p>
        <div className="admin-buttons">
          <button type="submit" disabled={busy}>{t("admin.save")}</button>
        </div>
        <p className="admin-status ok" role="status">{status}</p>
      </form>
      {loadError ? (
        <LoadError onRetry={() => void load()} />
      ) : rates === null ? (
        <p className="status">{t("admin.loading")}</p>
      ) : (
        kinds.map((k) => {
          const rows = rates.filter((r) => r.kind === k).sort((a, b) => b.period_start.localeCompare(a.period_start));
          return (
            <section key={k} aria-labelledby={`admin-rates-${k}`} className="admin-rate-table">
              <h2 id={`admin-rates-${k}`}>{t(`admin.rates.kind.${k}`)}</h2>
              {rows.length === 0 ? (
                <p className="status">{t("admin.rates.empty")}</p>
              ) : (
                <div className="admin-scroll">
                  <table data-testid={`rates-${k}`} aria-labelledby={`admin-rates-${k}`} className="cards">
                    <thead>
                      <tr>
                        {!fromDay(k) && <th scope="col">{t("admin.rates.halfYear")}</th>}
                        <th scope="col">{t(fromDay(k) ? "admin.rates.since" : "admin.rates.start")}</th>
                        <th scope="col" className="num">{t(isAmount(k) ? "admin.rates.amount" : "admin.rates.rate")}</th>
                        <th scope="col">{t("admin.rates.source")}</th>
                        <th scope="col"><span className="admin-sr">{t("admin.actions")}</span></th>
                      </tr>
                    </thead>
                    <tbody>
                      {rows.map((r) => (
                        <tr key={r.period_start}>
                          {!fromDay(k) && <td>{halfYearLabel(r.period_start, lang)}</td>}
                          <td data-label={t(fromDay(k) ? "admin.rates.since" : "admin.rates.start")}>{date(r.period_start, lang)}</td>
                          <td className="num" data-label={t(isAmount(k) ? "admin.rates.amount" : "admin.rates.rate")}>{show(r)}</td>
                          <td className="admin-source" data-label={t("admin.rates.source")}>{r.source}</td>
                          <td>
                            <button type="button" className="secondary" aria-label={`${t("admin.rates.correct")} — ${t(`admin.rates.kind.${k}`)}, ${periodName(r)}`} onClick={() => correct(r)}>
                              {t("admin.rates.correct")}
                            </button>
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
            </section>
          );
        })
      )}
    </section>
  );
}

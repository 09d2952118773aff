import { useEffect, useState } from "react";
import { api, type Schemas } from "../api/client";
import { DateInput, AmountInput } from "../components/Inputs";
import { ExportButtons } from "../components/ExportButtons";
import { SortableCaseTable } from "../components/SortableCaseTable";
import { useI18n } from "../i18n";
import { amountText, parseAmount } from "../lib/amount";
import { apiQuery, caseQueryString, emptyQuery, readCaseQuery, sortBy, stages, type CaseQuery } from "../lib/caseQuery";

// CaseList is the case list: search, filters (stage, status, the day
// placed, the balance in euros) and a sort by column, all kept in the
// page's address so a link opens the same list.
export function CaseList() {
  const { t, lang } = useI18n();
  const [query, setQueryState] = useState<CaseQuery>(() => readCaseQuery(window.location.search));
  const [minText, setMinText] = useState(() => (query.min === null ? "" : amountText(query.min, lang)));
  const [maxText, setMaxText] = useState(() => (query.max === null ? "" : amountText(query.max, lang)));
  const [items, setItems] = useState<Schemas["CaseSummary"][] | null>(null);
  const [cursor, setCursor] = useState<string | undefined>();

  const setQuery = (next: CaseQuery) => {
    setQueryState(next);
    window.history.replaceState(null, "", `${window.location.pathname}${caseQueryString(next)}`);
  };
  const setAmount = (which: "min" | "max", text: string) => {
    (which === "min" ? setMinText : setMaxText)(text);
    const cents = text.trim() ? parseAmount(text, { lang }) : null;
    if (!text.trim() || cents !== null) setQuery({ ...query, [which]: cents });
  };
  const badRange = query.min !== null && query.max !== null && query.max < query.min;
  const badDates = query.from !== "" && query.to !== "" && query.to < query.from;

  const load = async (after?: string) => {
    const { data } = await api.GET("/api/v1/cases", { params: { query: { limit: 50, ...apiQuery(query), cursor: after } } });
    if (!data) return;
    setItems((prev) => (after && prev ? [...prev, ...data.items] : data.items));
    setCursor(data.next_cursor);
  };
  useEffect(() => {
    if (badRange || badDates) return;
    const h = setTimeout(() => void load(), 250);
    return () => clearTimeout(h);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [query]);

  return (
    <section aria-labelledby="cases-title">
      <h1 id="cases-title">{t("cases.title")}</h1>
      <div className="filters" role="search">
        <label>
          {t("cases.search")}
          <input type="search" value={query.q} onChange={(e) => setQuery({ ...query, q: e.target.value })} />
        </label>
        <label>
          {t("cases.stage")}
          <select value={query.stage} onChange={(e) => setQuery({ ...query, stage: e.target.value as CaseQuery["stage"] })}>
            <option value="">{t("cases.all")}</option>
            {stages.map((s) => (
              <option key={s} value={s}>
                {t(`stage.${s}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t("list.status")}
          <select value={query.status} onChange={(e) => setQuery({ ...query, status: e.target.value as CaseQuery["status"] })}>
            <option value="">{t("cases.all")}</option>
            <option value="open">{t("list.open")}</option>
            <option value="closed">{t("list.closed")}</option>
          </select>
        </label>
        <label>
          {t("list.placedFrom")}
          <DateInput name="from" value={query.from} onChange={(e) => setQuery({ ...query, from: e.target.value })} />
        </label>
        <label>
          {t("list.placedTo")}
          <DateInput name="to" value={query.to} aria-invalid={badDates || undefined} onChange={(e) => setQuery({ ...query, to: e.target.value })} />
        </label>
        <label>
          {t("list.minAmount")}
          <AmountInput name="min" value={minText} onChange={(e) => setAmount("min", e.target.value)} />
        </label>
        <label>
          {t("list.maxAmount")}
          <AmountInput name="max" value={maxText} aria-invalid={badRange || undefined} onChange={(e) => setAmount("max", e.target.value)} />
        </label>
        {caseQueryString(query) !== "" && (
          <button type="button" className="link" onClick={() => (setMinText(""), setMaxText(""), setQuery(emptyQuery))}>
            {t("list.reset")}
          </button>
        )}
      </div>
      {!badRange && !badDates && (
        // The whole list the filters and sort on screen select, not only the pages loaded.
        <ExportButtons path="/api/v1/cases/export" params={{ ...apiQuery(query), stage: query.stage || undefined }} fallback="dossiers" testid="cases-export" />
      )}
      {(badRange || badDates) && (
        <p className="field-error" role="alert">
          {badRange ? t("list.badRange") : t("list.badDates")}
        </p>
      )}
      {items === null ? (
        <p className="status">{t("loading")}</p>
      ) : items.length === 0 ? (
        <p className="status">{t("cases.empty")}</p>
      ) : (
        <SortableCaseTable items={items} query={query} onSort={(col) => setQuery(sortBy(query, col))} />
      )}
      {cursor && (
        <button type="button" onClick={() => void load(cursor)}>
          {t("cases.more")}
        </button>
      )}
    </section>
  );
}

import { useEffect, useState } from "react";
import { api, type Schemas } from "../api/client";
import { CaseTable } from "../components/CaseTable";
import { useI18n } from "../i18n";
import { date } from "../lib/format";

const stages = ["amicable", "formal_notice", "injunction", "irrecoverable", "closed"] as const;

export function CaseList() {
  const { t, lang } = useI18n();
  const [q, setQ] = useState("");
  const [stage, setStage] = useState("");
  const [items, setItems] = useState<Schemas["CaseSummary"][] | null>(null);
  const [cursor, setCursor] = useState<string | undefined>();

  const load = async (after?: string) => {
    const { data } = await api.GET("/api/v1/cases", {
      params: { query: { limit: 50, q: q || undefined, stage: stage ? [stage as (typeof stages)[number]] : undefined, cursor: after } },
    });
    if (!data) return;
    setItems((prev) => (after && prev ? [...prev, ...data.items] : data.items));
    setCursor(data.next_cursor);
  };
  useEffect(() => {
    const h = setTimeout(() => void load(), 250);
    return () => clearTimeout(h);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [q, stage]);

  return (
    <section aria-labelledby="cases-title">
      <h1 id="cases-title">{t("cases.title")}</h1>
      <div className="filters">
        <label>
          {t("cases.search")}
          <input type="search" value={q} onChange={(e) => setQ(e.target.value)} />
        </label>
        <label>
          {t("cases.stage")}
          <select value={stage} onChange={(e) => setStage(e.target.value)}>
            <option value="">{t("cases.all")}</option>
            {stages.map((s) => (
              <option key={s} value={s}>
                {t(`stage.${s}`)}
              </option>
            ))}
          </select>
        </label>
      </div>
      {items === null ? (
        <p className="status">{t("loading")}</p>
      ) : items.length === 0 ? (
        <p className="status">{t("cases.empty")}</p>
      ) : (
        <CaseTable items={items} lastHead="cases.next" last={(c) => date(c.next_action_on, lang)} />
      )}
      {cursor && (
        <button type="button" onClick={() => void load(cursor)}>
          {t("cases.more")}
        </button>
      )}
    </section>
  );
}

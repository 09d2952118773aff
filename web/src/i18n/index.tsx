import { createContext, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { en, fr, type Key } from "./messages";
import type { Lang } from "../lib/format";

interface I18n {
  lang: Lang;
  t: (k: Key) => string;
  toggle: () => void;
}

const Ctx = createContext<I18n>({ lang: "fr", t: (k) => fr[k], toggle: () => {} });

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLang] = useState<Lang>(() => (localStorage.getItem("lang") === "en" ? "en" : "fr"));
  // The page's language is the one chosen, from the first render on (a
  // reload in English included): screen readers and axe read it.
  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);
  const value = useMemo<I18n>(() => {
    const dict = lang === "en" ? en : fr;
    return {
      lang,
      t: (k) => dict[k],
      toggle: () => {
        const next = lang === "fr" ? "en" : "fr";
        localStorage.setItem("lang", next);
        document.documentElement.lang = next;
        setLang(next);
      },
    };
  }, [lang]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export const useI18n = () => useContext(Ctx);

import { useState } from "react";
import { useI18n } from "../i18n";
import { importsEn, importsFr } from "../i18n/imports";
import { query, saveFile } from "../lib/saveFile";

// ExportButtons downloads what a screen shows as a CSV or Excel file: the
// API's export at path, with params (the filters on screen) and ?format=.
// The server streams the file and names it.
export function ExportButtons({ path, params = {}, fallback, testid }: {
  path: string;
  params?: Record<string, string | number | boolean | undefined | null>;
  fallback: string; // the file's name if the server gives none, without extension
  testid: string;
}) {
  const { lang } = useI18n();
  const w = lang === "en" ? importsEn : importsFr;
  const [failed, setFailed] = useState(false);
  const [busy, setBusy] = useState(false);
  const save = async (format: "csv" | "xlsx") => {
    setBusy(true);
    setFailed(!(await saveFile(path + query({ ...params, format }), `${fallback}.${format}`)));
    setBusy(false);
  };
  return (
    <div className="export-buttons" data-testid={testid}>
      <button type="button" onClick={() => void save("csv")} disabled={busy} data-format="csv">
        {w.exportCsv}
      </button>
      <button type="button" onClick={() => void save("xlsx")} disabled={busy} data-format="xlsx">
        {w.exportXlsx}
      </button>
      {failed && <span role="alert">{w.exportFailed}</span>}
    </div>
  );
}

import { useRef, useState, type DragEvent } from "react";
import type { Schemas } from "../api/client";
import { useI18n } from "../i18n";
import type { Key } from "../i18n/messages";
import { exhibitKinds, exhibitProblem, type ExhibitKind } from "../lib/exhibits";
import { upload } from "../lib/upload";

// AttachExhibit sends a piece of evidence to the case: dropped on the zone
// or chosen with the button (the keyboard's way), its kind chosen in words.
// Type and size are checked before sending; the API's refusal is shown in
// its own words.
export function AttachExhibit({ caseId, initialKind, onDone }: { caseId: string; initialKind?: ExhibitKind; onDone: () => void }) {
  const { t } = useI18n();
  const [kind, setKind] = useState<ExhibitKind>(initialKind ?? "invoice");
  const [over, setOver] = useState(false);
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState("");
  const [sent, setSent] = useState("");
  const input = useRef<HTMLInputElement>(null);

  const send = async (file: File | undefined) => {
    if (!file) return;
    setSent("");
    const bad = exhibitProblem(file);
    if (bad) {
      setError(`${file.name} : ${t(bad)}`);
      return;
    }
    setError("");
    setProgress(0);
    const form = new FormData();
    form.set("kind", kind);
    form.set("file", file, file.name);
    const { status, body } = await upload(`/api/v1/cases/${caseId}/attachments`, form, setProgress);
    setProgress(null);
    if (input.current) input.current.value = "";
    if (status !== 201) {
      const p = (body ?? {}) as Partial<Schemas["Problem"]>;
      setError([t("exhibit.error"), p.detail ?? p.title, ...(p.errors ?? []).map((e) => e.message)].filter(Boolean).join(" "));
      return;
    }
    setSent(`${t("exhibit.sent")} ${t(`exhibit.kind.${kind}` as Key)} — ${file.name}`);
    onDone();
  };
  const drop = (e: DragEvent<HTMLDivElement>) => {
    e.preventDefault();
    setOver(false);
    void send(e.dataTransfer.files[0]);
  };

  return (
    <section aria-labelledby="exhibit-title" className="card exhibit">
      <h2 id="exhibit-title">{t("exhibit.title")}</h2>
      <label>
        {t("exhibit.kind")}
        <select value={kind} onChange={(e) => setKind(e.target.value as ExhibitKind)} data-testid="exhibit-kind">
          {exhibitKinds.map((k) => (
            <option key={k} value={k}>
              {t(`exhibit.kind.${k}` as Key)}
            </option>
          ))}
        </select>
      </label>
      <div
        className={over ? "dropzone over" : "dropzone"}
        data-testid="dropzone"
        onDragOver={(e) => (e.preventDefault(), setOver(true))}
        onDragLeave={() => setOver(false)}
        onDrop={drop}
      >
        <p>{t("exhibit.drop")}</p>
        <label className="button">
          {t("exhibit.choose")}
          <input
            ref={input}
            type="file"
            className="visually-hidden"
            accept="application/pdf,image/png,image/jpeg,.pdf,.png,.jpg,.jpeg"
            data-testid="exhibit-file"
            onChange={(e) => void send(e.target.files?.[0])}
          />
        </label>
      </div>
      {progress !== null && (
        <p role="status">
          {t("exhibit.sending")} <progress max={1} value={progress} /> {Math.round(progress * 100)} %
        </p>
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {sent && (
        <p role="status" className="ok">
          {sent}
        </p>
      )}
    </section>
  );
}

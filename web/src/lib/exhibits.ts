// Exhibits a lawyer or agent attaches to a case: what the API accepts,
// checked before anything is sent so a refusal costs no upload.
import type { Key } from "../i18n/messages";

// exhibitKinds are the API's attachment kinds (recouvra.AttachmentKinds),
// in the order a filing needs them.
export const exhibitKinds = [
  "invoice",
  "credit_note",
  "formal_notice_receipt",
  "power_of_attorney",
  "mandate",
  "contract",
  "purchase_order",
  "delivery_note",
  "proof",
  "correspondence",
  "other",
] as const;
export type ExhibitKind = (typeof exhibitKinds)[number];

// maxExhibitBytes is the contract's bound on an uploaded file (the
// server's default RECOUVRA_MAX_UPLOAD_BYTES); a server set lower still
// answers 413, which is shown too.
export const maxExhibitBytes = 10 * 1024 * 1024;

const types: Record<string, string> = { pdf: "application/pdf", png: "image/png", jpg: "image/jpeg", jpeg: "image/jpeg" };

// exhibitProblem says why a file cannot be sent (a message key), or null.
// The server reads the type from the content; this only spares the round
// trip for the obvious cases.
export function exhibitProblem(f: { name: string; size: number; type: string }): Key | null {
  const ext = f.name.toLowerCase().split(".").pop() ?? "";
  const ok = Object.values(types).includes(f.type) || (f.type === "" && ext in types);
  if (!ok) return "exhibit.badType";
  if (f.size === 0) return "exhibit.empty";
  if (f.size > maxExhibitBytes) return "exhibit.tooLarge";
  return null;
}

// kindLabel names a document's kind in words: an exhibit's, or a generated
// letter's; unknown kinds are shown as they are.
export function kindKey(kind: string): Key | null {
  return (exhibitKinds as readonly string[]).includes(kind) ? (`exhibit.kind.${kind}` as Key) : null;
}

// blockerAction is what removes a docket blocker: assign oneself, attach a
// piece on the case page, record the notice's receipt there, enter a rate
// (admin), complete the creditor's identity or mandate (admin), or nothing
// to do but wait.
export type BlockerAction = "assign" | "attach" | "notice" | "receipt" | "rates" | "mandate" | "creditor" | null;

export function blockerAction(b: { field?: string; code: string }): BlockerAction {
  switch (b.field) {
    case "exhibits.invoice":
    case "exhibits.credit_note":
    case "exhibits.power_of_attorney":
    case "exhibits.formal_notice_receipt":
      return "attach";
    case "exhibits.formal_notice":
      return "notice";
    case "formal_notice_received_on":
      return "receipt";
    case "statement":
      return "rates";
  }
  if (b.field?.startsWith("creditor.")) return "creditor";
  switch (b.code) {
    case "guard.no_lawyer":
      return "assign";
    case "guard.mandate_forbids_judicial":
      return "mandate";
  }
  return null;
}

// attachKind is the kind the attach form preselects for a missing exhibit.
export function attachKind(field: string | undefined): ExhibitKind {
  const kind = field?.startsWith("exhibits.") ? field.slice("exhibits.".length) : "";
  return (exhibitKinds as readonly string[]).includes(kind) ? (kind as ExhibitKind) : "invoice";
}

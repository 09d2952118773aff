import { describe, expect, it } from "vitest";
import type { Schemas } from "../api/client";
import { en, fr, type Key } from "../i18n/messages";
import { notificationHref, notificationText } from "./Notifications";

const base: Schemas["Notification"] = {
  id: "01a23576-3999-78dc-b4fc-cb7c71580567", seq: 6, case_id: "01a23576-2e96-7503-bf88-ac98017045ea", case_reference: "D-2026-000001",
  kind: "payment", event_type: "payment_recorded", text: "Paiement de 500,00 € reçu sur le dossier D-2026-000001.", at: "2026-12-02T06:34:25Z",
  read: false, amount_cents: 50_000, currency: "EUR", stage: null,
};
const tFr = (k: Key) => fr[k];
const tEn = (k: Key) => en[k];

describe("notificationText", () => {
  it("says each kind in the reader's language, with its amount or stage", () => {
    expect(notificationText(base, tFr, "fr")).toBe("Paiement de 500,00\u00a0€ reçu");
    expect(notificationText(base, tEn, "en")).toBe("Payment of €500.00 received");
    const stage = { ...base, kind: "stage_changed" as const, event_type: "stage_changed", amount_cents: null, currency: null, stage: "formal_notice" as const };
    expect(notificationText(stage, tFr, "fr")).toBe("Passage à l'étape Mise en demeure");
    expect(notificationText(stage, tEn, "en")).toBe("Moved to stage Formal notice");
    const approval = { ...stage, kind: "approval_requested" as const, event_type: "approval_requested", stage: null };
    expect(notificationText(approval, tFr, "fr")).toBe("Votre accord est demandé");
  });

  it("tells of a webhook endpoint disabled: the server's French words, the English kind, and the way to the webhooks screen", () => {
    const off = {
      ...base, case_id: null, case_reference: "", kind: "webhook_disabled" as const, event_type: "webhook_endpoint_disabled", amount_cents: null, currency: null,
      text: "Webhooks : le point de réception https://erp.example/hooks a été désactivé le 5 décembre 2026 : tous ses envois ont échoué depuis le 2 décembre 2026.",
    };
    expect(notificationText(off, tFr, "fr")).toBe(off.text);
    expect(notificationText(off, tEn, "en")).toBe("Webhook endpoint disabled after three days of failures: enable it again under Webhooks");
    expect(notificationHref(off)).toBe("/webhooks");
    expect(notificationHref(base)).toBe(`/dossiers/${base.case_id}`);
  });
});

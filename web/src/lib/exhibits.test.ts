import { describe, expect, it } from "vitest";
import { attachKind, blockerAction, exhibitProblem, kindKey, maxExhibitBytes } from "./exhibits";

describe("exhibitProblem", () => {
  it("accepts PDF, PNG and JPEG within the limit", () => {
    expect(exhibitProblem({ name: "Facture F-1.pdf", size: 1000, type: "application/pdf" })).toBeNull();
    expect(exhibitProblem({ name: "ar.JPG", size: 1000, type: "" })).toBeNull();
    expect(exhibitProblem({ name: "scan.png", size: maxExhibitBytes, type: "image/png" })).toBeNull();
  });
  it("refuses other types, empty files and files over the limit", () => {
    expect(exhibitProblem({ name: "facture.docx", size: 1000, type: "application/vnd.openxmlformats-officedocument.wordprocessingml.document" })).toBe("exhibit.badType");
    expect(exhibitProblem({ name: "facture.pdf.exe", size: 1000, type: "" })).toBe("exhibit.badType");
    expect(exhibitProblem({ name: "vide.pdf", size: 0, type: "application/pdf" })).toBe("exhibit.empty");
    expect(exhibitProblem({ name: "gros.pdf", size: maxExhibitBytes + 1, type: "application/pdf" })).toBe("exhibit.tooLarge");
  });
});

describe("blockerAction", () => {
  it("gives each blocker the action that removes it", () => {
    expect(blockerAction({ field: "to", code: "guard.no_lawyer" })).toBe("assign");
    expect(blockerAction({ field: "exhibits.invoice", code: "missing" })).toBe("attach");
    expect(blockerAction({ field: "exhibits.formal_notice_receipt", code: "missing" })).toBe("attach");
    expect(blockerAction({ field: "exhibits.formal_notice", code: "missing" })).toBe("notice");
    expect(blockerAction({ field: "statement", code: "provisional" })).toBe("rates");
    expect(blockerAction({ field: "to", code: "guard.mandate_forbids_judicial" })).toBe("mandate");
    expect(blockerAction({ field: "exhibits.power_of_attorney", code: "missing" })).toBe("attach");
    expect(blockerAction({ field: "exhibits.credit_note", code: "missing" })).toBe("attach");
    expect(blockerAction({ field: "formal_notice_received_on", code: "missing" })).toBe("receipt");
    expect(blockerAction({ field: "creditor.identity.legal_form", code: "missing" })).toBe("creditor");
    expect(blockerAction({ field: "creditor.siren", code: "missing" })).toBe("creditor");
    expect(blockerAction({ field: "to", code: "guard.notice_deadline_not_elapsed" })).toBeNull();
  });
  it("preselects the missing piece's kind", () => {
    expect(attachKind("exhibits.formal_notice_receipt")).toBe("formal_notice_receipt");
    expect(attachKind("exhibits.invoice")).toBe("invoice");
    expect(attachKind("exhibits.power_of_attorney")).toBe("power_of_attorney");
    expect(attachKind("exhibits.credit_note")).toBe("credit_note");
    expect(attachKind("statement")).toBe("invoice");
  });
  it("names the API's kinds in words", () => {
    expect(kindKey("invoice")).toBe("exhibit.kind.invoice");
    expect(kindKey("formal_notice")).toBeNull();
  });
});

package server_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/recouvra/recouvra/internal/httpapi/oapi"
)

func (w *world) einvoiceUploads(as, query string) oapi.EInvoiceUploadRecordPage {
	w.t.Helper()
	r := w.as(as).Do("GET", "/api/v1/e-invoice-uploads"+query, nil)
	if r.Status != 200 {
		w.t.Fatalf("uploads as %s%s: %d %s", as, query, r.Status, r.Body)
	}
	var page oapi.EInvoiceUploadRecordPage
	r.Decode(w.t, &page)
	return page
}

// TestEInvoiceUploadsListedPerCreditor: every upload is listed, newest
// first — placed (the invoice, its new case, who, the file), present
// again, refused (each reason with its file; nothing placed) — and each
// creditor sees its own only: creditor B, whose upload of A's invoice was
// refused, sees that one, not A's, and naming A lists nothing; A's API
// key sees A's; staff see all, narrowed by creditor_id, paged; an upload
// made with the API key names the key.
func TestEInvoiceUploadsListedPerCreditor(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.sellerIsA()
	ubl := einvoiceSample(t, "ubl-invoice.xml")
	a := w.as("creditor")
	if r := w.uploadEInvoices(a, "", namedFile{"FA-2026-0150.xml", ubl}); r.Status != 200 {
		t.Fatalf("first upload: %d %s", r.Status, r.Body)
	}
	if r := w.uploadEInvoices(a, "", namedFile{"encore.xml", ubl}); r.Status != 200 {
		t.Fatalf("second upload: %d %s", r.Status, r.Body)
	}
	if r := w.uploadEInvoices(a, "", namedFile{"bon.xml", ubl}, namedFile{"casse.xml", []byte("<Invoice>pas fini")}); r.Status != 422 {
		t.Fatalf("broken upload: %d %s", r.Status, r.Body)
	}
	if r := w.uploadEInvoices(w.as("creditor_b"), "", namedFile{"de-dupont.xml", ubl}); r.Status != 422 {
		t.Fatalf("B uploads A's invoice: %d %s", r.Status, r.Body)
	}

	mine := w.einvoiceUploads("creditor", "")
	if len(mine.Items) != 3 || mine.NextCursor != nil {
		t.Fatalf("creditor A's uploads: %+v", mine)
	}
	refused, present, placed := mine.Items[0], mine.Items[1], mine.Items[2]
	for _, u := range mine.Items {
		if u.CreditorId != w.credA.ID || u.By.Label != "creditor@recouvra.test" || u.By.UserId.MustGet() != w.users["creditor"].ID {
			t.Fatalf("an upload of A: %+v", u)
		}
	}
	if placed.Outcome != "placed" || placed.Placed != 1 || placed.Present != 0 || placed.CasesCreated != 1 || len(placed.Files) != 1 ||
		placed.Files[0].Name != "FA-2026-0150.xml" || placed.Files[0].SizeBytes != int64(len(ubl)) || len(placed.Invoices) != 1 ||
		placed.Invoices[0].Status != "created" || !placed.Invoices[0].NewCase || len(placed.Cases) != 1 || placed.Cases[0].CaseId != placed.Invoices[0].CaseId ||
		!strings.HasPrefix(placed.Cases[0].CaseReference, "D-") || len(placed.Refusals) != 0 {
		t.Fatalf("placed: %+v", placed)
	}
	if present.Outcome != "placed" || present.Placed != 0 || present.Present != 1 || present.CasesCreated != 0 || len(present.Invoices) != 1 ||
		present.Invoices[0].Status != "present" || present.Invoices[0].Number != placed.Invoices[0].Number || len(present.Cases) != 1 ||
		present.Cases[0].CaseId != placed.Cases[0].CaseId || present.Cases[0].NewCase {
		t.Fatalf("present: %+v", present)
	}
	if refused.Outcome != "refused" || refused.Placed != 0 || len(refused.Invoices) != 0 || len(refused.Cases) != 0 || len(refused.Files) != 2 ||
		refused.Refused != len(refused.Refusals) || len(refused.Refusals) == 0 {
		t.Fatalf("refused: %+v", refused)
	}
	for _, f := range refused.Refusals {
		if f.File != "casse.xml" || f.Reason == "" {
			t.Fatalf("a refusal that does not name the broken file: %+v", refused.Refusals)
		}
	}

	b := w.einvoiceUploads("creditor_b", "")
	if len(b.Items) != 1 || b.Items[0].CreditorId != w.credB.ID || b.Items[0].Outcome != "refused" || len(b.Items[0].Refusals) != 1 ||
		b.Items[0].Refusals[0].File != "de-dupont.xml" || !strings.Contains(b.Items[0].Refusals[0].Reason, "Boulangerie Martin SAS") {
		t.Fatalf("creditor B's uploads: %+v", b)
	}
	if other := w.einvoiceUploads("creditor_b", "?creditor_id="+w.credA.ID.String()); len(other.Items) != 0 {
		t.Fatalf("creditor B lists A's uploads: %+v", other)
	}
	if key := w.einvoiceUploads("api_key", ""); len(key.Items) != 3 || key.Items[0].Id != refused.Id {
		t.Fatalf("A's API key: %+v", key)
	}

	if all := w.einvoiceUploads("admin", ""); len(all.Items) != 4 {
		t.Fatalf("staff: %d uploads", len(all.Items))
	}
	if onlyB := w.einvoiceUploads("agent", "?creditor_id="+w.credB.ID.String()); len(onlyB.Items) != 1 || onlyB.Items[0].Id != b.Items[0].Id {
		t.Fatalf("staff narrowed to B: %+v", onlyB)
	}
	first := w.einvoiceUploads("admin", "?limit=2&creditor_id="+w.credA.ID.String())
	if len(first.Items) != 2 || first.NextCursor == nil || first.Items[0].Id != refused.Id || first.Items[1].Id != present.Id {
		t.Fatalf("first page: %+v", first)
	}
	rest := w.einvoiceUploads("admin", "?limit=2&creditor_id="+w.credA.ID.String()+"&cursor="+url.QueryEscape(*first.NextCursor))
	if len(rest.Items) != 1 || rest.Items[0].Id != placed.Id || rest.NextCursor != nil {
		t.Fatalf("second page: %+v", rest)
	}

	// An upload made with the API key names the key, to the creditor and
	// to staff: which of its keys sent it.
	if r := w.uploadEInvoices(w.as("api_key"), "", namedFile{"par-erp.xml", ubl}); r.Status != 200 {
		t.Fatalf("upload with the API key: %d %s", r.Status, r.Body)
	}
	for _, as := range []string{"creditor", "api_key", "admin"} {
		got := w.einvoiceUploads(as, "?limit=1&creditor_id="+w.credA.ID.String()).Items
		if len(got) != 1 || got[0].Files[0].Name != "par-erp.xml" || got[0].By.Label != "clé d'API « ERP de Dupont »" ||
			got[0].By.ApiKeyId.MustGet() != w.keyA.ID || !got[0].By.UserId.IsNull() {
			t.Fatalf("the API key's upload, as %s: %+v", as, got)
		}
	}
}

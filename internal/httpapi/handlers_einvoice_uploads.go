package httpapi

import (
	"context"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/httpapi/oapi"
)

// ListEInvoiceUploads serves GET /api/v1/e-invoice-uploads.
func (a *API) ListEInvoiceUploads(ctx context.Context, req oapi.ListEInvoiceUploadsRequestObject) (oapi.ListEInvoiceUploadsResponseObject, error) {
	ctx = requestContext(ctx)
	var creditor *uuid.UUID
	if req.Params.CreditorId != nil {
		id := uuid.UUID(*req.Params.CreditorId)
		creditor = &id
	}
	page, err := a.deps.App.EInvoiceUploads(ctx, principalFrom(ctx), creditor, pageRequest(req.Params.Limit, req.Params.Cursor))
	if err != nil {
		return nil, err
	}
	return oapi.ListEInvoiceUploads200JSONResponse{Items: mapSlice(page.Items, apiEInvoiceUploadRecord), NextCursor: nextCursor(page.NextCursor)}, nil
}

func apiEInvoiceUploadRecord(u app.EInvoiceUploadRecord) oapi.EInvoiceUploadRecord {
	out := oapi.EInvoiceUploadRecord{Id: u.ID, CreditorId: u.CreditorID, CreatedAt: u.CreatedAt, Outcome: oapi.EInvoiceUploadRecordOutcome(u.Outcome),
		Placed: u.Placed, Present: u.Present, Refused: u.Refused, CasesCreated: u.CasesCreated}
	out.By.Label, out.By.UserId, out.By.ApiKeyId = u.ByLabel, nullOf(u.CreatedBy), nullOf(u.CreatedByAPIKey)
	out.Files = make([]struct {
		Name      string `json:"name"`
		SizeBytes int64  `json:"size_bytes"`
	}, len(u.Files))
	for i, f := range u.Files {
		out.Files[i].Name, out.Files[i].SizeBytes = f.Name, f.SizeBytes
	}
	out.Invoices = make([]struct {
		AmountCents   int64                                   `json:"amount_cents"`
		CaseId        uuid.UUID                               `json:"case_id"`
		CaseReference string                                  `json:"case_reference"`
		Currency      string                                  `json:"currency"`
		File          string                                  `json:"file"`
		NewCase       bool                                    `json:"new_case"`
		Number        string                                  `json:"number"`
		Status        oapi.EInvoiceUploadRecordInvoicesStatus `json:"status"`
	}, len(u.Invoices))
	for i, inv := range u.Invoices {
		o := &out.Invoices[i]
		o.AmountCents, o.CaseId, o.CaseReference, o.Currency, o.File, o.NewCase, o.Number, o.Status =
			inv.AmountCents, inv.CaseID, inv.CaseReference, inv.Currency, inv.File, inv.NewCase, inv.Number, oapi.EInvoiceUploadRecordInvoicesStatus(inv.Status)
	}
	touched := u.CasesTouched()
	out.Cases = make([]struct {
		CaseId        uuid.UUID `json:"case_id"`
		CaseReference string    `json:"case_reference"`
		NewCase       bool      `json:"new_case"`
	}, len(touched))
	for i, c := range touched {
		out.Cases[i].CaseId, out.Cases[i].CaseReference, out.Cases[i].NewCase = c.CaseID, c.CaseReference, c.NewCase
	}
	out.Refusals = make([]struct {
		Element string `json:"element"`
		File    string `json:"file"`
		Reason  string `json:"reason"`
	}, len(u.Refusals))
	for i, r := range u.Refusals {
		out.Refusals[i].Element, out.Refusals[i].File, out.Refusals[i].Reason = r.Element, r.File, r.Reason
	}
	return out
}

package httpapi

import (
	"context"
	"mime/multipart"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/bankfile"
	"github.com/recouvra/recouvra/internal/httpapi/oapi"
	"github.com/recouvra/recouvra/internal/recouvra"
)

func apiBankEntry(v app.BankEntryView) oapi.BankEntry {
	e := v.Entry
	out := oapi.BankEntry{
		Id: e.ID, Account: e.Account, StatementId: e.StatementID, Reference: e.Reference, EndToEndId: e.EndToEndID,
		BookedOn: apiDate(e.BookedOn), ValueOn: apiDate(e.ValueOn), AmountCents: e.AmountCents, Currency: e.Currency, Credit: e.Credit,
		Reversal: e.Reversal, RemittanceInformation: e.Unstructured, StructuredReference: e.Structured, DebtorName: e.DebtorName,
		DebtorIban: e.DebtorIBAN, Position: e.Where, Status: oapi.BankEntryStatus(e.Status), CaseId: nullOf(e.CaseID),
		CaseReference: e.CaseReference, PaymentId: nullOf(e.PaymentID), ReversesEntryId: nullOf(e.ReversesEntryID),
		MatchRule: e.MatchRule, Confidence: e.Confidence, Note: e.Note, DecidedAt: nullOf(e.DecidedAt), CreatedAt: e.CreatedAt,
		Suggestions: make([]oapi.BankSuggestion, len(v.Suggestions)),
	}
	for i, s := range v.Suggestions {
		out.Suggestions[i] = oapi.BankSuggestion{CaseId: s.Case.ID, CaseReference: s.Case.Reference, CreditorName: s.Case.CreditorName,
			DebtorName: s.Case.DebtorName, BalanceCents: s.Case.BalanceCents, Open: s.Case.Open, Confidence: s.Confidence, Rule: oapi.BankMatchRule(s.Rule)}
	}
	return out
}

func (a *API) ListBankEntries(ctx context.Context, req oapi.ListBankEntriesRequestObject) (oapi.ListBankEntriesResponseObject, error) {
	ctx = requestContext(ctx)
	status := app.BankUnmatched
	if req.Params.Status != nil {
		status = app.BankStatus(*req.Params.Status)
	}
	page, err := a.deps.App.ListBankEntries(ctx, principalFrom(ctx), status, pageRequest(req.Params.Limit, req.Params.Cursor))
	if err != nil {
		return nil, err
	}
	return oapi.ListBankEntries200JSONResponse{Items: mapSlice(page.Items, apiBankEntry), NextCursor: nextCursor(page.NextCursor)}, nil
}

func (a *API) BookBankEntry(ctx context.Context, req oapi.BookBankEntryRequestObject) (oapi.BookBankEntryResponseObject, error) {
	ctx = requestContext(ctx)
	v, err := a.deps.App.BookBankEntry(ctx, principalFrom(ctx), req.Id, req.Body.CaseId, metaFrom(ctx))
	if err != nil {
		return nil, err
	}
	return oapi.BookBankEntry200JSONResponse(apiBankEntry(v)), nil
}

func (a *API) RejectBankEntry(ctx context.Context, req oapi.RejectBankEntryRequestObject) (oapi.RejectBankEntryResponseObject, error) {
	ctx = requestContext(ctx)
	v, err := a.deps.App.RejectBankEntry(ctx, principalFrom(ctx), req.Id, req.Body.Reason, metaFrom(ctx))
	if err != nil {
		return nil, err
	}
	return oapi.RejectBankEntry200JSONResponse(apiBankEntry(v)), nil
}

// importBankStatement serves POST /api/v1/bank-statements: an optional
// format field, then the file part, streamed to a temporary file by the
// import before its transaction begins (the file is never held whole in
// memory, nor its entries: they are stored a chunk at a time, in the one
// transaction of the import).
func (a *API) importBankStatement(c *gin.Context) {
	ctx := c.Request.Context()
	var format bankfile.Format
	a.readUpload(c, upload{what: "le relevé", fieldMax: 64,
		field: func(name, value string) error {
			if name != "format" {
				return nil
			}
			switch f := bankfile.Format(value); f {
			case "", bankfile.CAMT053, bankfile.CFONB120:
				format = f
				return nil
			}
			return recouvra.Invalid("Format inconnu.", recouvra.FieldError{Field: "form.format", Code: "invalid", Message: "camt.053 ou cfonb120."})
		},
		file: func(part *multipart.Part) (int, any, error) {
			if err := fileNameProblem(part.FileName()); err != nil {
				return 0, nil, err
			}
			res, err := a.deps.App.ImportBankStatement(ctx, principalFrom(ctx), format, part.FileName(), part, metaFrom(ctx))
			if err != nil {
				return 0, nil, err
			}
			return http.StatusCreated, oapi.BankImportResult{ImportId: res.Import.ID, Format: oapi.BankImportResultFormat(res.Import.Format),
				Entries: res.Entries, Duplicates: res.Duplicates, Booked: res.Booked, Unmatched: res.Unmatched, Reversed: res.Reversed, Ignored: res.Ignored}, nil
		},
	})
}

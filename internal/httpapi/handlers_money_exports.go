package httpapi

import (
	"context"
	"io"
	"mime"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/httpapi/oapi"
	"github.com/recouvra/recouvra/internal/sheet"
)

// The accounting lists as files. Each reads (or checks) what it exports
// before the first byte, so a refusal is still a problem answer, then
// writes into a pipe the response copies from.

// privateDownload names the download of a money file and keeps it out of
// every cache (the accounting exports, an invoice, a pain.001).
func privateDownload(ctx context.Context, filename string) {
	if gc, ok := ctx.(*gin.Context); ok {
		gc.Header("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": filename}))
		gc.Header("Cache-Control", "private, no-store")
	}
}

// sheetDownload streams the sheet write makes in the format asked (CSV
// unless xlsx) from a goroutine on a pipe, as the download name with the
// format's extension. It returns the body and whether it is XLSX, for
// the caller to pick the operation's answer.
func sheetDownload[F ~string](gc context.Context, format *F, name string, write func(w io.Writer, kind sheet.Kind) error) (io.Reader, bool) {
	kind := sheet.CSV
	if format != nil && *format == "xlsx" {
		kind = sheet.XLSX
	}
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(write(pw, kind)) }()
	privateDownload(gc, name+"."+string(kind))
	return pr, kind == sheet.XLSX
}

func (a *API) today() string { return a.now().Format("2006-01-02") }

func (a *API) ExportLedgerBalances(ctx context.Context, req oapi.ExportLedgerBalancesRequestObject) (oapi.ExportLedgerBalancesResponseObject, error) {
	gc := ctx
	ctx = requestContext(ctx)
	b, err := a.balances(ctx, req.Params.CreditorId, req.Params.Currency, req.Params.Overdue)
	if err != nil {
		return nil, err
	}
	body, xlsx := sheetDownload(gc, req.Params.Format, "soldes-"+a.today(), func(w io.Writer, kind sheet.Kind) error { return app.WriteBalances(b, kind, w) })
	if xlsx {
		return oapi.ExportLedgerBalances200ApplicationvndOpenxmlformatsOfficedocumentSpreadsheetmlSheetResponse{Body: body}, nil
	}
	return oapi.ExportLedgerBalances200TextcsvResponse{Body: body}, nil
}

func (a *API) ExportLedgerEntries(ctx context.Context, req oapi.ExportLedgerEntriesRequestObject) (oapi.ExportLedgerEntriesResponseObject, error) {
	gc := ctx
	ctx = requestContext(ctx)
	p := principalFrom(ctx)
	creditor := uuidPtr(req.Params.CreditorId)
	// The first line is read before answering: a refused caller or another
	// creditor's id is a problem answer, not a broken file.
	if _, _, err := a.deps.App.LedgerEntries(ctx, p, creditor, 1); err != nil {
		return nil, err
	}
	body, xlsx := sheetDownload(gc, req.Params.Format, "ecritures-"+a.today(), func(w io.Writer, kind sheet.Kind) error {
		return a.deps.App.ExportLedgerEntries(ctx, p, creditor, kind, w)
	})
	if xlsx {
		return oapi.ExportLedgerEntries200ApplicationvndOpenxmlformatsOfficedocumentSpreadsheetmlSheetResponse{Body: body}, nil
	}
	return oapi.ExportLedgerEntries200TextcsvResponse{Body: body}, nil
}

func (a *API) ExportLedgerCommission(ctx context.Context, req oapi.ExportLedgerCommissionRequestObject) (oapi.ExportLedgerCommissionResponseObject, error) {
	gc := ctx
	ctx = requestContext(ctx)
	months, currency, err := a.commission(ctx, req.Params.From, req.Params.To, req.Params.Currency)
	if err != nil {
		return nil, err
	}
	body, xlsx := sheetDownload(gc, req.Params.Format, "commissions-"+a.today(), func(w io.Writer, kind sheet.Kind) error {
		return app.WriteCommission(months, currency, kind, w)
	})
	if xlsx {
		return oapi.ExportLedgerCommission200ApplicationvndOpenxmlformatsOfficedocumentSpreadsheetmlSheetResponse{Body: body}, nil
	}
	return oapi.ExportLedgerCommission200TextcsvResponse{Body: body}, nil
}

func (a *API) ExportRemittanceRuns(ctx context.Context, req oapi.ExportRemittanceRunsRequestObject) (oapi.ExportRemittanceRunsResponseObject, error) {
	gc := ctx
	ctx = requestContext(ctx)
	p := principalFrom(ctx)
	runs, err := a.deps.App.RemittanceRuns(ctx, p, 200)
	if err != nil {
		return nil, err
	}
	var ids []uuid.UUID
	for _, r := range runs {
		if r.CreditorID != nil {
			ids = append(ids, *r.CreditorID)
		}
	}
	names, err := a.deps.App.CreditorNames(ctx, p, ids)
	if err != nil {
		return nil, err
	}
	body, xlsx := sheetDownload(gc, req.Params.Format, "reversements-"+a.today(), func(w io.Writer, kind sheet.Kind) error {
		return app.WriteRemittanceRuns(runs, names, kind, w)
	})
	if xlsx {
		return oapi.ExportRemittanceRuns200ApplicationvndOpenxmlformatsOfficedocumentSpreadsheetmlSheetResponse{Body: body}, nil
	}
	return oapi.ExportRemittanceRuns200TextcsvResponse{Body: body}, nil
}

func (a *API) ExportRemittanceRunLines(ctx context.Context, req oapi.ExportRemittanceRunLinesRequestObject) (oapi.ExportRemittanceRunLinesResponseObject, error) {
	gc := ctx
	ctx = requestContext(ctx)
	run, err := a.deps.App.RemittanceRun(ctx, principalFrom(ctx), req.Id)
	if err != nil {
		return nil, err
	}
	for i := range run.Lines {
		run.Lines[i].Reference, run.Lines[i].State = run.Reference, run.State
	}
	body, xlsx := sheetDownload(gc, req.Params.Format, "reversement-"+run.Reference, func(w io.Writer, kind sheet.Kind) error {
		return app.WriteRunLines(run.Lines, "Reversement", kind, w)
	})
	if xlsx {
		return oapi.ExportRemittanceRunLines200ApplicationvndOpenxmlformatsOfficedocumentSpreadsheetmlSheetResponse{Body: body}, nil
	}
	return oapi.ExportRemittanceRunLines200TextcsvResponse{Body: body}, nil
}

func (a *API) ExportRemittances(ctx context.Context, req oapi.ExportRemittancesRequestObject) (oapi.ExportRemittancesResponseObject, error) {
	gc := ctx
	ctx = requestContext(ctx)
	lines, err := a.deps.App.CreditorRemittances(ctx, principalFrom(ctx), uuidPtr(req.Params.CreditorId))
	if err != nil {
		return nil, err
	}
	body, xlsx := sheetDownload(gc, req.Params.Format, "mes-reversements-"+a.today(), func(w io.Writer, kind sheet.Kind) error {
		return app.WriteRunLines(lines, "Reversements", kind, w)
	})
	if xlsx {
		return oapi.ExportRemittances200ApplicationvndOpenxmlformatsOfficedocumentSpreadsheetmlSheetResponse{Body: body}, nil
	}
	return oapi.ExportRemittances200TextcsvResponse{Body: body}, nil
}

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

func sheetKind(format *string) sheet.Kind {
	if format != nil && *format == "xlsx" {
		return sheet.XLSX
	}
	return sheet.CSV
}

// sheetFile starts write in a goroutine on a pipe and names the download.
func (a *API) sheetFile(ctx context.Context, name string, kind sheet.Kind, write func(io.Writer) error) io.Reader {
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(write(pw)) }()
	if gc, ok := ctx.(*gin.Context); ok {
		gc.Header("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name + "." + string(kind)}))
		gc.Header("Cache-Control", "private, no-store")
	}
	return pr
}

func (a *API) today() string { return a.now().Format("2006-01-02") }

func formatOf[T ~string](f *T) *string {
	if f == nil {
		return nil
	}
	s := string(*f)
	return &s
}

func (a *API) ExportLedgerBalances(ctx context.Context, req oapi.ExportLedgerBalancesRequestObject) (oapi.ExportLedgerBalancesResponseObject, error) {
	gc := ctx
	ctx = requestContext(ctx)
	currency, overdue := "", false
	if req.Params.Currency != nil {
		currency = *req.Params.Currency
	}
	if req.Params.Overdue != nil {
		overdue = *req.Params.Overdue
	}
	b, err := a.deps.App.Balances(ctx, principalFrom(ctx), uuidPtr(req.Params.CreditorId), currency, overdue)
	if err != nil {
		return nil, err
	}
	kind := sheetKind(formatOf(req.Params.Format))
	body := a.sheetFile(gc, "soldes-"+a.today(), kind, func(w io.Writer) error { return app.WriteBalances(b, kind, w) })
	if kind == sheet.XLSX {
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
	kind := sheetKind(formatOf(req.Params.Format))
	body := a.sheetFile(gc, "ecritures-"+a.today(), kind, func(w io.Writer) error { return a.deps.App.ExportLedgerEntries(ctx, p, creditor, kind, w) })
	if kind == sheet.XLSX {
		return oapi.ExportLedgerEntries200ApplicationvndOpenxmlformatsOfficedocumentSpreadsheetmlSheetResponse{Body: body}, nil
	}
	return oapi.ExportLedgerEntries200TextcsvResponse{Body: body}, nil
}

func (a *API) ExportLedgerCommission(ctx context.Context, req oapi.ExportLedgerCommissionRequestObject) (oapi.ExportLedgerCommissionResponseObject, error) {
	gc := ctx
	ctx = requestContext(ctx)
	currency := str(req.Params.Currency)
	if currency == "" {
		currency = "EUR"
	}
	months, err := a.deps.App.Commission(ctx, principalFrom(ctx), str(req.Params.From), str(req.Params.To), currency)
	if err != nil {
		return nil, err
	}
	kind := sheetKind(formatOf(req.Params.Format))
	body := a.sheetFile(gc, "commissions-"+a.today(), kind, func(w io.Writer) error { return app.WriteCommission(months, currency, kind, w) })
	if kind == sheet.XLSX {
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
	kind := sheetKind(formatOf(req.Params.Format))
	body := a.sheetFile(gc, "reversements-"+a.today(), kind, func(w io.Writer) error { return app.WriteRemittanceRuns(runs, names, kind, w) })
	if kind == sheet.XLSX {
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
	kind := sheetKind(formatOf(req.Params.Format))
	body := a.sheetFile(gc, "reversement-"+run.Reference, kind, func(w io.Writer) error { return app.WriteRunLines(run.Lines, "Reversement", kind, w) })
	if kind == sheet.XLSX {
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
	kind := sheetKind(formatOf(req.Params.Format))
	body := a.sheetFile(gc, "mes-reversements-"+a.today(), kind, func(w io.Writer) error { return app.WriteRunLines(lines, "Reversements", kind, w) })
	if kind == sheet.XLSX {
		return oapi.ExportRemittances200ApplicationvndOpenxmlformatsOfficedocumentSpreadsheetmlSheetResponse{Body: body}, nil
	}
	return oapi.ExportRemittances200TextcsvResponse{Body: body}, nil
}

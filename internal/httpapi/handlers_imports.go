package httpapi

import (
	"context"
	"io"
	"mime"
	"mime/multipart"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/httpapi/oapi"
	"github.com/recouvra/recouvra/internal/recouvra"
	"github.com/recouvra/recouvra/internal/sheet"
)

func apiImportMapping(m recouvra.PlacementMapping) oapi.ImportMapping {
	var out oapi.ImportMapping
	set := map[recouvra.PlacementField]**int{
		recouvra.PFDebtorName: &out.DebtorName, recouvra.PFSIREN: &out.Siren, recouvra.PFSIRET: &out.Siret, recouvra.PFAddress: &out.Address,
		recouvra.PFPostalCode: &out.PostalCode, recouvra.PFCity: &out.City, recouvra.PFEmail: &out.Email, recouvra.PFPhone: &out.Phone,
		recouvra.PFReference: &out.Reference, recouvra.PFInvoiceNumber: &out.InvoiceNumber, recouvra.PFIssuedOn: &out.IssuedOn,
		recouvra.PFDueOn: &out.DueOn, recouvra.PFAmount: &out.Amount, recouvra.PFVAT: &out.Vat, recouvra.PFCurrency: &out.Currency,
	}
	for f, i := range m {
		if p, ok := set[f]; ok {
			v := i
			*p = &v
		}
	}
	return out
}

func domainImportMapping(m oapi.ImportMapping) recouvra.PlacementMapping {
	out := recouvra.PlacementMapping{}
	for f, p := range map[recouvra.PlacementField]*int{
		recouvra.PFDebtorName: m.DebtorName, recouvra.PFSIREN: m.Siren, recouvra.PFSIRET: m.Siret, recouvra.PFAddress: m.Address,
		recouvra.PFPostalCode: m.PostalCode, recouvra.PFCity: m.City, recouvra.PFEmail: m.Email, recouvra.PFPhone: m.Phone,
		recouvra.PFReference: m.Reference, recouvra.PFInvoiceNumber: m.InvoiceNumber, recouvra.PFIssuedOn: m.IssuedOn,
		recouvra.PFDueOn: m.DueOn, recouvra.PFAmount: m.Amount, recouvra.PFVAT: m.Vat, recouvra.PFCurrency: m.Currency,
	} {
		if p != nil {
			out[f] = *p
		}
	}
	return out
}

func apiImport(v app.ImportView) oapi.PlacementImport {
	i := v.Import
	out := oapi.PlacementImport{
		Id: i.ID, CreditorId: i.CreditorID, FileName: i.FileName, Kind: oapi.PlacementImportKind(i.Kind), Encoding: i.Encoding,
		Separator: i.Separator, Headers: i.Headers, Mapping: apiImportMapping(i.Mapping), Status: oapi.PlacementImportStatus(i.Status),
		TotalRows: i.TotalRows, ProcessedRows: i.ProcessedRows, PlacedRows: i.Placed, PresentRows: i.Present, RefusedRows: i.Refused,
		CasesCreated: i.CasesCreated, Error: i.Error, CreatedAt: i.CreatedAt, StartedAt: nullOf(i.StartedAt), FinishedAt: nullOf(i.FinishedAt),
		Preview: make([]oapi.ImportPreviewRow, len(v.Preview)),
	}
	if out.Headers == nil {
		out.Headers = []string{}
	}
	for n, r := range v.Preview {
		row := oapi.ImportPreviewRow{Line: r.Line, Cells: r.Cells, Problems: make([]oapi.ImportCellProblem, len(r.Problems))}
		for k, p := range r.Problems {
			row.Problems[k] = oapi.ImportCellProblem{Field: string(p.Field), Message: p.Message}
		}
		out.Preview[n] = row
	}
	return out
}

func (a *API) GetImport(ctx context.Context, req oapi.GetImportRequestObject) (oapi.GetImportResponseObject, error) {
	ctx = requestContext(ctx)
	v, err := a.deps.App.GetImport(ctx, principalFrom(ctx), req.Id)
	if err != nil {
		return nil, err
	}
	return oapi.GetImport200JSONResponse(apiImport(v)), nil
}

func (a *API) SetImportMapping(ctx context.Context, req oapi.SetImportMappingRequestObject) (oapi.SetImportMappingResponseObject, error) {
	ctx = requestContext(ctx)
	v, err := a.deps.App.SetImportMapping(ctx, principalFrom(ctx), req.Id, domainImportMapping(req.Body.Mapping))
	if err != nil {
		return nil, err
	}
	return oapi.SetImportMapping200JSONResponse(apiImport(v)), nil
}

func (a *API) RunImport(ctx context.Context, req oapi.RunImportRequestObject) (oapi.RunImportResponseObject, error) {
	ctx = requestContext(ctx)
	v, err := a.deps.App.RunImport(ctx, principalFrom(ctx), req.Id)
	if err != nil {
		return nil, err
	}
	return oapi.RunImport202JSONResponse(apiImport(v)), nil
}

// uploadImport serves POST /api/v1/imports: creditor_id, then the file.
func (a *API) uploadImport(c *gin.Context) {
	ctx := c.Request.Context()
	var creditor *uuid.UUID
	a.readUpload(c, upload{what: "le fichier", fieldMax: 64,
		field: func(name, value string) error {
			if name != "creditor_id" || value == "" {
				return nil
			}
			id, err := uuid.Parse(value)
			if err != nil {
				return recouvra.Invalid("Créancier invalide.", recouvra.FieldError{Field: "creditor_id", Code: "invalid", Message: "Identifiant de créancier invalide."})
			}
			creditor = &id
			return nil
		},
		file: func(part *multipart.Part) (int, any, error) {
			if err := fileNameProblem(part.FileName()); err != nil {
				return 0, nil, err
			}
			v, err := a.deps.App.UploadImport(ctx, principalFrom(ctx), creditor, part.FileName(), part)
			if err != nil {
				return 0, nil, err
			}
			return http.StatusCreated, apiImport(v), nil
		},
	})
}

// exportKind reads ?format= (csv by default).
func exportKind(c *gin.Context) (sheet.Kind, string, error) {
	switch c.Query("format") {
	case "", "csv":
		return sheet.CSV, "text/csv; charset=utf-8", nil
	case "xlsx":
		return sheet.XLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", nil
	}
	return "", "", recouvra.Invalid("Format inconnu.", recouvra.FieldError{Field: "query.format", Code: "invalid", Message: "csv ou xlsx."})
}

// attachment names a downloaded file (French names, as the screens say).
func attachment(c *gin.Context, mediaType, name string) {
	h := c.Writer.Header()
	h.Set("Content-Type", mediaType)
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	h.Set("Cache-Control", "no-store")
}

// importRefused serves GET /api/v1/imports/{id}/refused.
func (a *API) importRefused(c *gin.Context) {
	ctx := c.Request.Context()
	id, err := pathID(c)
	if err != nil {
		a.fail(c, err)
		return
	}
	kind, media, err := exportKind(c)
	if err != nil {
		a.fail(c, err)
		return
	}
	p := principalFrom(ctx)
	if _, err := a.deps.App.GetImport(ctx, p, id); err != nil { // 404 before any byte is written
		a.fail(c, err)
		return
	}
	attachment(c, media, "lignes-refusees-"+id.String()[:8]+"."+string(kind))
	c.Status(http.StatusOK)
	if err := a.deps.App.WriteRefusedRows(ctx, p, id, kind, c.Writer); err != nil {
		a.deps.Logger.Warn("refused rows download interrupted", "request_id", requestID(c), "error", err.Error())
	}
}

// ExportCases streams the case list as a file: the service writes into a
// pipe the response copies from, so no more than a page is held.
func (a *API) ExportCases(ctx context.Context, req oapi.ExportCasesRequestObject) (oapi.ExportCasesResponseObject, error) {
	gc, _ := ctx.(*gin.Context)
	ctx = requestContext(ctx)
	p := req.Params
	f := a.caseFilter(oapi.ListCasesParams{CreditorId: p.CreditorId, DebtorId: p.DebtorId, Stage: p.Stage, Status: (*oapi.ListCasesParamsStatus)(p.Status),
		AssigneeId: p.AssigneeId, Due: p.Due, OverduePromise: p.OverduePromise, MinBalanceCents: p.MinBalanceCents, MaxBalanceCents: p.MaxBalanceCents,
		Q: p.Q, PlacedFrom: p.PlacedFrom, PlacedTo: p.PlacedTo, Sort: (*oapi.ListCasesParamsSort)(p.Sort), Order: (*oapi.ListCasesParamsOrder)(p.Order)})
	kind := sheet.CSV
	if p.Format != nil && *p.Format == oapi.ExportCasesParamsFormatXlsx {
		kind = sheet.XLSX
	}
	principal := principalFrom(ctx)
	// The first page is read before answering, so a bad filter is a 422.
	if _, err := a.deps.App.ListCases(ctx, principal, f, app.PageRequest{Limit: 1}); err != nil {
		return nil, err
	}
	pr, pw := io.Pipe()
	go func() {
		pw.CloseWithError(a.deps.App.ExportCases(ctx, principal, f, kind, pw))
	}()
	name := "dossiers-" + a.now().Format("2006-01-02") + "." + string(kind)
	if gc != nil {
		gc.Header("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
		gc.Header("Cache-Control", "no-store")
	}
	if kind == sheet.XLSX {
		return oapi.ExportCases200ApplicationvndOpenxmlformatsOfficedocumentSpreadsheetmlSheetResponse{Body: pr}, nil
	}
	return oapi.ExportCases200TextcsvResponse{Body: pr}, nil
}

// ExportCaseEvents streams a case's timeline as a file.
func (a *API) ExportCaseEvents(ctx context.Context, req oapi.ExportCaseEventsRequestObject) (oapi.ExportCaseEventsResponseObject, error) {
	gc, _ := ctx.(*gin.Context)
	ctx = requestContext(ctx)
	kind := sheet.CSV
	if req.Params.Format != nil && *req.Params.Format == oapi.ExportCaseEventsParamsFormatXlsx {
		kind = sheet.XLSX
	}
	principal := principalFrom(ctx)
	v, err := a.deps.App.GetCase(ctx, principal, req.Id) // 404 before any byte is written
	if err != nil {
		return nil, err
	}
	pr, pw := io.Pipe()
	go func() {
		pw.CloseWithError(a.deps.App.ExportEvents(ctx, principal, req.Id, kind, pw))
	}()
	if gc != nil {
		gc.Header("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": "historique-" + v.Case.Reference + "." + string(kind)}))
		gc.Header("Cache-Control", "no-store")
	}
	if kind == sheet.XLSX {
		return oapi.ExportCaseEvents200ApplicationvndOpenxmlformatsOfficedocumentSpreadsheetmlSheetResponse{Body: pr}, nil
	}
	return oapi.ExportCaseEvents200TextcsvResponse{Body: pr}, nil
}

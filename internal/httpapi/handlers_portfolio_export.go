package httpapi

import (
	"context"
	"io"
	"mime"

	"github.com/gin-gonic/gin"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/httpapi/oapi"
	"github.com/recouvra/recouvra/internal/sheet"
)

// ExportPortfolio streams the portfolio figures as a file; the figures are
// computed before answering, so a refused scope or currency is a 422/404.
func (a *API) ExportPortfolio(ctx context.Context, req oapi.ExportPortfolioRequestObject) (oapi.ExportPortfolioResponseObject, error) {
	gc, _ := ctx.(*gin.Context)
	ctx = requestContext(ctx)
	currency := ""
	if req.Params.Currency != nil {
		currency = *req.Params.Currency
	}
	kind := sheet.CSV
	if req.Params.Format != nil && *req.Params.Format == oapi.ExportPortfolioParamsFormatXlsx {
		kind = sheet.XLSX
	}
	pf, err := a.deps.App.Portfolio(ctx, principalFrom(ctx), uuidPtr(req.Params.CreditorId), currency)
	if err != nil {
		return nil, err
	}
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(app.WritePortfolio(pf, kind, pw)) }()
	if gc != nil {
		gc.Header("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": "portefeuille-" + a.now().Format("2006-01-02") + "." + string(kind)}))
		gc.Header("Cache-Control", "no-store")
	}
	if kind == sheet.XLSX {
		return oapi.ExportPortfolio200ApplicationvndOpenxmlformatsOfficedocumentSpreadsheetmlSheetResponse{Body: pr}, nil
	}
	return oapi.ExportPortfolio200TextcsvResponse{Body: pr}, nil
}

package httpapi

import (
	"bytes"
	"context"

	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/httpapi/oapi"
	"github.com/recouvra/recouvra/internal/recouvra"
)

func apiRunLine(l app.RunLine) oapi.RemittanceLine {
	f := l.Figures
	out := oapi.RemittanceLine{RunId: l.RunID, Reference: l.Reference, EndToEndId: l.EndToEndID, CreditorId: l.CreditorID, LegalName: l.LegalName, Iban: l.IBAN,
		State: oapi.RemittanceLineState(l.State), Currency: l.Currency, HeldCents: f.HeldCents, CommissionCents: f.CommissionCents,
		DirectCommissionCents: f.DirectCommCents, FeesCents: f.FeesCents, CommissionNetCents: f.CommissionNetCents, VatRateBps: f.VATRateBps,
		VatCents: f.VATCents, CommissionGrossCents: f.CommissionGrossCents, NetCents: f.NetCents, PeriodFrom: apiDate(l.From), PeriodTo: apiDate(l.To),
		CreatedAt: l.CreatedAt}
	if l.BIC != "" {
		b := l.BIC
		out.Bic = &b
	}
	if l.DocumentID != nil {
		id := openapi_types.UUID(*l.DocumentID)
		out.DocumentId = &id
	}
	if l.InvoiceID != nil {
		id := openapi_types.UUID(*l.InvoiceID)
		out.InvoiceId = &id
	}
	return out
}

func apiRun(r app.RemittanceRun) oapi.RemittanceRun {
	out := oapi.RemittanceRun{Id: r.ID, Reference: r.Reference, State: oapi.RemittanceRunState(r.State), Currency: r.Currency, Transfers: r.Transfers,
		TotalNetCents: r.TotalNetCents, CreatedAt: r.CreatedAt, BookedAt: r.BookedAt, SentAt: r.SentAt, CancelledAt: r.CancelledAt}
	out.Skipped = make([]struct {
		Code       string             `json:"code"`
		CreditorId openapi_types.UUID `json:"creditor_id"`
		LegalName  string             `json:"legal_name"`
		Reason     string             `json:"reason"`
	}, len(r.Skipped))
	if r.RunKey != "" {
		k := r.RunKey
		out.RunKey = &k
	}
	if r.CreditorID != nil {
		id := openapi_types.UUID(*r.CreditorID)
		out.CreditorId = &id
	}
	out.Lines = mapSlice(r.Lines, apiRunLine)
	for i, s := range r.Skipped {
		out.Skipped[i].Code, out.Skipped[i].CreditorId, out.Skipped[i].LegalName, out.Skipped[i].Reason = s.Code, s.CreditorID, s.LegalName, s.Reason
	}
	return out
}

func (a *API) ListRemittanceRuns(ctx context.Context, req oapi.ListRemittanceRunsRequestObject) (oapi.ListRemittanceRunsResponseObject, error) {
	ctx = requestContext(ctx)
	runs, err := a.deps.App.RemittanceRuns(ctx, principalFrom(ctx), orZero(req.Params.Limit))
	if err != nil {
		return nil, err
	}
	return oapi.ListRemittanceRuns200JSONResponse{Items: mapSlice(runs, apiRun)}, nil
}

func (a *API) DrawUpRemittanceRun(ctx context.Context, req oapi.DrawUpRemittanceRunRequestObject) (oapi.DrawUpRemittanceRunResponseObject, error) {
	ctx = requestContext(ctx)
	var creditor *openapi_types.UUID
	if req.Body != nil {
		creditor = req.Body.CreditorId
	}
	run, err := a.deps.App.DrawUpRemittanceRun(ctx, principalFrom(ctx), uuidPtr(creditor), "", metaFrom(ctx))
	if err != nil {
		return nil, err
	}
	return oapi.DrawUpRemittanceRun201JSONResponse(apiRun(run)), nil
}

func (a *API) GetRemittanceRun(ctx context.Context, req oapi.GetRemittanceRunRequestObject) (oapi.GetRemittanceRunResponseObject, error) {
	ctx = requestContext(ctx)
	run, err := a.deps.App.RemittanceRun(ctx, principalFrom(ctx), req.Id)
	if err != nil {
		return nil, err
	}
	return oapi.GetRemittanceRun200JSONResponse(apiRun(run)), nil
}

func (a *API) runAct(ctx context.Context, id openapi_types.UUID, action recouvra.RunAction) (oapi.RemittanceRun, error) {
	ctx = requestContext(ctx)
	run, err := a.deps.App.RemittanceRunAct(ctx, principalFrom(ctx), id, action, metaFrom(ctx))
	if err != nil {
		return oapi.RemittanceRun{}, err
	}
	return apiRun(run), nil
}

func (a *API) BookRemittanceRun(ctx context.Context, req oapi.BookRemittanceRunRequestObject) (oapi.BookRemittanceRunResponseObject, error) {
	run, err := a.runAct(ctx, req.Id, recouvra.RunBook)
	if err != nil {
		return nil, err
	}
	return oapi.BookRemittanceRun200JSONResponse(run), nil
}

func (a *API) MarkRemittanceRunSent(ctx context.Context, req oapi.MarkRemittanceRunSentRequestObject) (oapi.MarkRemittanceRunSentResponseObject, error) {
	run, err := a.runAct(ctx, req.Id, recouvra.RunSend)
	if err != nil {
		return nil, err
	}
	return oapi.MarkRemittanceRunSent200JSONResponse(run), nil
}

func (a *API) CancelRemittanceRun(ctx context.Context, req oapi.CancelRemittanceRunRequestObject) (oapi.CancelRemittanceRunResponseObject, error) {
	run, err := a.runAct(ctx, req.Id, recouvra.RunCancel)
	if err != nil {
		return nil, err
	}
	return oapi.CancelRemittanceRun200JSONResponse(run), nil
}

func (a *API) GetRemittanceRunPain001(ctx context.Context, req oapi.GetRemittanceRunPain001RequestObject) (oapi.GetRemittanceRunPain001ResponseObject, error) {
	gc := ctx
	ctx = requestContext(ctx)
	run, err := a.deps.App.RemittanceRunFile(ctx, principalFrom(ctx), req.Id)
	if err != nil {
		return nil, err
	}
	privateDownload(gc, "pain001-"+run.Reference+".xml")
	return oapi.GetRemittanceRunPain001200ApplicationxmlResponse{Body: bytes.NewReader(run.Pain001), ContentLength: int64(len(run.Pain001))}, nil
}

func (a *API) ListRemittances(ctx context.Context, req oapi.ListRemittancesRequestObject) (oapi.ListRemittancesResponseObject, error) {
	ctx = requestContext(ctx)
	lines, err := a.deps.App.CreditorRemittances(ctx, principalFrom(ctx), uuidPtr(req.Params.CreditorId))
	if err != nil {
		return nil, err
	}
	return oapi.ListRemittances200JSONResponse{Items: mapSlice(lines, apiRunLine)}, nil
}

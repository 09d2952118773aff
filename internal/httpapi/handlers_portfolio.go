package httpapi

import (
	"context"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/httpapi/oapi"
	"github.com/recouvra/recouvra/internal/recouvra"
)

func (a *API) GetPortfolio(ctx context.Context, req oapi.GetPortfolioRequestObject) (oapi.GetPortfolioResponseObject, error) {
	ctx = requestContext(ctx)
	currency := ""
	if req.Params.Currency != nil {
		currency = *req.Params.Currency
	}
	p, err := a.deps.App.Portfolio(ctx, principalFrom(ctx), uuidPtr(req.Params.CreditorId), currency)
	if err != nil {
		return nil, err
	}
	return oapi.GetPortfolio200JSONResponse(apiPortfolio(p)), nil
}

func apiPortfolio(p app.Portfolio) oapi.Portfolio {
	return oapi.Portfolio{
		AsOf: apiDate(p.AsOf), Currency: p.Currency, Cases: p.Cases, OpenCases: p.OpenCases,
		PlacedCents: p.PlacedCents, RecoveredCents: p.RecoveredCents, OutstandingCents: p.OutstandingCents, RemittedCents: p.RemittedCents,
		RecoveryRateBps: p.RecoveryRateBps(), Currencies: nonNilStrings(p.Currencies),
		Stages: mapSlice(p.Stages, func(s app.StageFigures) oapi.StageFigures {
			return oapi.StageFigures{Stage: oapi.Stage(s.Stage), Cases: s.Cases, BalanceCents: s.BalanceCents}
		}),
		Ageing: mapSlice(p.Ageing, func(b app.AgeingBucket) oapi.AgeingBand {
			return oapi.AgeingBand{FromDays: b.FromDays, ToDays: nullOf(b.ToDays), Cases: b.Cases, BalanceCents: b.BalanceCents}
		}),
	}
}

func (a *API) GetDocket(ctx context.Context, req oapi.GetDocketRequestObject) (oapi.GetDocketResponseObject, error) {
	ctx = requestContext(ctx)
	var q app.DocketQuery
	if req.Params.Mine != nil {
		q.Mine = *req.Params.Mine
	}
	if req.Params.Ready != nil {
		q.Ready = *req.Params.Ready
	}
	if req.Params.Limit != nil {
		q.Limit = *req.Params.Limit
	}
	entries, truncated, err := a.deps.App.Docket(ctx, principalFrom(ctx), q)
	if err != nil {
		return nil, err
	}
	return oapi.GetDocket200JSONResponse{Items: mapSlice(entries, apiDocketEntry), Truncated: truncated}, nil
}

func apiDocketEntry(e app.DocketEntry) oapi.DocketEntry {
	out := oapi.DocketEntry{
		Case:      apiCaseSummary(e.CaseSummary),
		Deadlines: mapSlice(e.Deadlines, apiDeadline),
		Urgent:    e.Urgent,
		Blockers: mapSlice(e.Blockers, func(f recouvra.FieldError) oapi.FieldError {
			return oapi.FieldError{Field: ptr(f.Field), Code: f.Code, Message: f.Message}
		}),
	}
	if d, ok := e.Next(); ok {
		out.NextDeadline.Set(apiDeadline(d))
	} else {
		out.NextDeadline.SetNull()
	}
	return out
}

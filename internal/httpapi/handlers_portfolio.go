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

func (a *API) GetPortfolioPerformance(ctx context.Context, req oapi.GetPortfolioPerformanceRequestObject) (oapi.GetPortfolioPerformanceResponseObject, error) {
	ctx = requestContext(ctx)
	currency, months := "", 0
	if req.Params.Currency != nil {
		currency = *req.Params.Currency
	}
	if req.Params.Months != nil {
		months = *req.Params.Months
	}
	p, err := a.deps.App.Performance(ctx, principalFrom(ctx), uuidPtr(req.Params.CreditorId), currency, months)
	if err != nil {
		return nil, err
	}
	return oapi.GetPortfolioPerformance200JSONResponse(apiPerformance(p)), nil
}

// tenthsToDays writes tenths of a day as the number of days to one decimal.
func tenthsToDays(tenths int64) float64 { return float64(tenths) / 10 }

func apiPerformance(p app.Performance) oapi.PortfolioPerformance {
	return oapi.PortfolioPerformance{
		AsOf: apiDate(p.AsOf), Currency: p.Currency, DsoDays: tenthsToDays(p.DSOTenths()),
		Months: mapSlice(p.Months, func(m app.MonthFigures) oapi.MonthFigures {
			return oapi.MonthFigures{Month: m.Month.String()[:7], PlacedCents: m.PlacedCents, RecoveredCents: m.RecoveredCents,
				RemittedCents: m.RemittedCents, ReceivablesCents: m.ReceivablesCents, DsoDays: tenthsToDays(m.DSOTenths)}
		}),
		ByStage: mapSlice(p.ByStage, func(r app.RateFigures) oapi.StageRecoveryRate {
			return oapi.StageRecoveryRate{Stage: oapi.Stage(r.Stage), Cases: r.Cases, PlacedCents: r.PlacedCents, RecoveredCents: r.RecoveredCents, RecoveryRateBps: r.RateBps()}
		}),
		ByAgeAtPlacement: mapSlice(p.ByAge, func(r app.RateFigures) oapi.AgeRecoveryRate {
			return oapi.AgeRecoveryRate{FromDays: r.FromDays, ToDays: nullOf(r.ToDays), Cases: r.Cases, PlacedCents: r.PlacedCents, RecoveredCents: r.RecoveredCents, RecoveryRateBps: r.RateBps()}
		}),
	}
}

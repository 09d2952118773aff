package httpapi

import (
	"context"
	"fmt"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/httpapi/oapi"
	"github.com/recouvra/recouvra/internal/recouvra"
)

func (a *API) GetPortfolioForecast(ctx context.Context, req oapi.GetPortfolioForecastRequestObject) (oapi.GetPortfolioForecastResponseObject, error) {
	ctx = requestContext(ctx)
	currency := ""
	if req.Params.Currency != nil {
		currency = *req.Params.Currency
	}
	f, err := a.deps.App.Forecast(ctx, principalFrom(ctx), uuidPtr(req.Params.CreditorId), currency)
	if err != nil {
		return nil, err
	}
	return oapi.GetPortfolioForecast200JSONResponse(apiForecast(f)), nil
}

// isoWeek names the ISO 8601 week of d, e.g. 2026-W49.
func isoWeek(d recouvra.Date) string {
	y, w := d.Time().ISOWeek()
	return fmt.Sprintf("%04d-W%02d", y, w)
}

func apiForecast(f app.Forecast) oapi.PortfolioForecast {
	out := oapi.PortfolioForecast{AsOf: apiDate(f.AsOf), CreditorId: f.CreditorID, Currency: f.Currency, GraceDays: f.GraceDays,
		Weighting: oapi.ForecastWeighting{Kept: f.Kept, Broken: f.Broken, KeptRateBps: f.KeptRateBps, Neutral: f.NeutralRate},
		Weeks:     make([]oapi.ForecastWeek, 0, len(f.Weeks)), Received: make([]oapi.ReceivedWeek, 0, len(f.Received))}
	for _, w := range f.Weeks {
		out.Weeks = append(out.Weeks, oapi.ForecastWeek{Week: isoWeek(w.Monday), StartsOn: apiDate(w.Monday), Promises: w.Promises,
			PromisedCents: w.PromisedCents, ExpectedCents: w.ExpectedCents})
		out.PromisedCents += w.PromisedCents
		out.ExpectedCents += w.ExpectedCents
	}
	for _, w := range f.Received {
		out.Received = append(out.Received, oapi.ReceivedWeek{Week: isoWeek(w.Week), StartsOn: apiDate(w.Week), ReceivedCents: w.Cents})
		out.ReceivedCents += w.Cents
	}
	return out
}

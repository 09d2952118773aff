package httpapi

import (
	"context"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/httpapi/oapi"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// sized makes *s a slice of n zero elements, whatever its (generated,
// anonymous) element type.
func sized[S ~[]E, E any](s *S, n int) { *s = make(S, n) }

func (a *API) ListStrategyExperiments(ctx context.Context, req oapi.ListStrategyExperimentsRequestObject) (oapi.ListStrategyExperimentsResponseObject, error) {
	ctx = requestContext(ctx)
	list, err := a.deps.App.ListExperiments(ctx, principalFrom(ctx), req.Params.CreditorId)
	if err != nil {
		return nil, err
	}
	out := oapi.StrategyExperimentList{Items: make([]oapi.StrategyExperiment, len(list))}
	for i, e := range list {
		out.Items[i] = apiExperiment(e)
	}
	return oapi.ListStrategyExperiments200JSONResponse(out), nil
}

func (a *API) StartStrategyExperiment(ctx context.Context, req oapi.StartStrategyExperimentRequestObject) (oapi.StartStrategyExperimentResponseObject, error) {
	ctx = requestContext(ctx)
	b := req.Body
	in := app.NewExperiment{CreditorID: b.CreditorId, Name: b.Name, Seed: b.Seed, Arms: make([]recouvra.ExperimentArmInput, len(b.Arms))}
	for i, arm := range b.Arms {
		in.Arms[i] = recouvra.ExperimentArmInput{StrategyID: arm.StrategyId, SharePercent: arm.SharePercent}
	}
	e, err := a.deps.App.StartExperiment(ctx, principalFrom(ctx), in, metaFrom(ctx))
	if err != nil {
		return nil, err
	}
	return oapi.StartStrategyExperiment201JSONResponse(apiExperiment(e)), nil
}

func (a *API) GetStrategyExperiment(ctx context.Context, req oapi.GetStrategyExperimentRequestObject) (oapi.GetStrategyExperimentResponseObject, error) {
	ctx = requestContext(ctx)
	e, err := a.deps.App.GetExperiment(ctx, principalFrom(ctx), req.Id)
	if err != nil {
		return nil, err
	}
	return oapi.GetStrategyExperiment200JSONResponse(apiExperiment(e)), nil
}

func (a *API) StopStrategyExperiment(ctx context.Context, req oapi.StopStrategyExperimentRequestObject) (oapi.StopStrategyExperimentResponseObject, error) {
	ctx = requestContext(ctx)
	e, err := a.deps.App.StopExperiment(ctx, principalFrom(ctx), req.Id, metaFrom(ctx))
	if err != nil {
		return nil, err
	}
	return oapi.StopStrategyExperiment200JSONResponse(apiExperiment(e)), nil
}

// experimentMethods says, in the report, how its intervals are computed.
const experimentMethods = "Écart de taux de recouvrement (challenger − champion) : intervalle de confiance à 95 % par la méthode delta " +
	"sur les montants par dossier (le dossier est l'unité tirée au sort) ; écart de la part de dossiers ayant payé : intervalle hybride " +
	"de Newcombe (scores de Wilson). Chaque dossier compte dans la stratégie tirée au sort, même s'il a été déplacé depuis."

func (a *API) GetStrategyExperimentReport(ctx context.Context, req oapi.GetStrategyExperimentReportRequestObject) (oapi.GetStrategyExperimentReportResponseObject, error) {
	ctx = requestContext(ctx)
	currency := ""
	if req.Params.Currency != nil {
		currency = *req.Params.Currency
	}
	r, err := a.deps.App.ReportExperiment(ctx, principalFrom(ctx), req.Id, currency)
	if err != nil {
		return nil, err
	}
	out := oapi.StrategyExperimentReport{Experiment: apiExperiment(r.Experiment), Currency: r.Currency, Methods: experimentMethods}
	sized(&out.Arms, len(r.Arms))
	for i, arm := range r.Arms {
		o := &out.Arms[i]
		o.StrategyId, o.StrategyName, o.SharePercent = arm.StrategyID, arm.StrategyName, arm.SharePercent
		o.Cases, o.PlacedCents, o.RecoveredCents, o.RecoveryRate = arm.Cases, arm.PlacedCents, arm.RecoveredCents, arm.RecoveryRate
		o.CasesPaying, o.MedianDaysToFirstPayment, o.CostCents, o.CostCurrency = arm.CasesPaying, arm.MedianDaysToPay, arm.CostCents, arm.CostCurrency
		sized(&o.Actions, len(arm.Actions))
		for j, t := range arm.Actions {
			o.Actions[j].Action, o.Actions[j].Count, o.Actions[j].CostCents = oapi.StrategyExperimentReportArmsActionsAction(t.Action), t.Count, t.CostCents
		}
	}
	sized(&out.Comparisons, len(r.Comparisons))
	for i, c := range r.Comparisons {
		o := &out.Comparisons[i]
		o.StrategyId, o.AgainstStrategyId = c.StrategyID, c.AgainstStrategyID
		o.RecoveryRateDiff, o.PayingShareDiff = c.RecoveryRateDiff, c.PayingShareDiff
		o.CostPerCaseDiffCents, o.RecoveredPerCaseDiffCents = c.CostPerCaseDiff, c.RecoveredPerCaseDiff
		if c.RecoveryRateCI != nil {
			o.RecoveryRateCi95 = &oapi.ConfidenceInterval{Low: c.RecoveryRateCI.Low, High: c.RecoveryRateCI.High}
		}
		if c.PayingShareCI != nil {
			o.PayingShareCi95 = &oapi.ConfidenceInterval{Low: c.PayingShareCI.Low, High: c.PayingShareCI.High}
		}
	}
	sized(&out.UnitCosts, len(r.UnitCosts))
	for i, u := range r.UnitCosts {
		o := &out.UnitCosts[i]
		o.Action, o.ValidFrom, o.CostCents, o.Currency, o.Source = u.Action, apiDate(u.From), u.Cents, u.Currency, u.Source
	}
	return oapi.GetStrategyExperimentReport200JSONResponse(out), nil
}

func apiExperiment(e recouvra.Experiment) oapi.StrategyExperiment {
	out := oapi.StrategyExperiment{Id: e.ID, CreditorId: e.CreditorID, Name: e.Name, Seed: e.Seed, Running: e.Running(),
		StartedOn: apiDate(e.StartedOn), StartedAt: e.StartedAt, StoppedAt: e.StoppedAt}
	if !e.StoppedOn.IsZero() {
		d := apiDate(e.StoppedOn)
		out.StoppedOn = &d
	}
	sized(&out.Arms, len(e.Arms))
	for i, a := range e.Arms {
		out.Arms[i].StrategyId, out.Arms[i].StrategyName, out.Arms[i].SharePercent, out.Arms[i].BucketBelow = a.StrategyID, a.StrategyName, a.SharePercent, a.BucketBelow
	}
	return out
}

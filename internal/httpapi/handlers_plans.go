package httpapi

import (
	"context"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/httpapi/oapi"
	"github.com/recouvra/recouvra/internal/recouvra"
)

func apiPlan(v app.PlanView) oapi.Plan {
	p := v.Plan
	out := oapi.Plan{
		Id: p.ID, CaseId: p.CaseID, CreditorId: p.CreditorID, Origin: oapi.PlanOrigin(p.Origin), Status: oapi.PlanStatus(p.Status),
		Currency: p.Currency, TotalCents: p.TotalCents, RemainingCents: p.RemainingCents(), InterestFrozen: p.InterestFrozen,
		GraceDays: p.GraceDays, MissesBeforeBroken: p.MissesBeforeBroken, MadeOn: apiDate(p.MadeOn),
		Instalments: make([]oapi.Instalment, len(p.Instalments)), Deviations: apiFieldErrors(p.Deviations),
		Court: p.Court, CourtDecisionOn: nullDate(p.CourtDecisionOn), DecisionReason: p.DecisionReason,
		DecidedOn: nullDate(p.DecidedOn), SignedOn: nullDate(p.SignedOn), CreatedAt: p.CreatedAt,
	}
	if out.Deviations == nil {
		out.Deviations = []oapi.FieldError{}
	}
	out.ResumesPlanId = nullOf(p.ResumesPlanID)
	for i, in := range p.Instalments {
		out.Instalments[i] = oapi.Instalment{Seq: in.Seq, DueOn: apiDate(in.DueOn), AmountCents: in.AmountCents, PaidCents: in.PaidCents,
			Status: oapi.InstalmentStatus(in.Status)}
	}
	return out
}

func (a *API) ListPlans(ctx context.Context, req oapi.ListPlansRequestObject) (oapi.ListPlansResponseObject, error) {
	ctx = requestContext(ctx)
	plans, err := a.deps.App.Plans(ctx, principalFrom(ctx), req.Id)
	if err != nil {
		return nil, err
	}
	return oapi.ListPlans200JSONResponse{Items: append([]oapi.Plan{}, mapSlice(plans, apiPlan)...)}, nil
}

func (a *API) CreatePlan(ctx context.Context, req oapi.CreatePlanRequestObject) (oapi.CreatePlanResponseObject, error) {
	ctx = requestContext(ctx)
	b := req.Body
	in := app.PlanProposal{GraceDays: b.GraceDays, RequestApproval: b.RequestApproval != nil && *b.RequestApproval,
		Court: b.Court != nil || b.CourtDecisionOn != nil, CourtName: str(b.Court)}
	if b.CourtDecisionOn != nil {
		in.CourtDecisionOn = domainDate(*b.CourtDecisionOn)
	}
	switch {
	case (b.Instalments == nil) == (b.Schedule == nil):
		return nil, recouvra.Invalid("Échéancier incomplet.", recouvra.FieldError{Field: "instalments", Code: "one_of",
			Message: "Donnez soit les échéances (instalments), soit un calendrier à générer (schedule)."})
	case b.Schedule != nil:
		s := b.Schedule
		in.Schedule = &recouvra.Schedule{Frequency: recouvra.Frequency(s.Frequency), Count: s.Count, FirstOn: domainDate(s.FirstOn)}
		if s.DownPaymentCents != nil {
			in.Schedule.DownPaymentCents = *s.DownPaymentCents
		}
		if s.DownPaymentOn != nil {
			in.Schedule.DownPaymentOn = domainDate(*s.DownPaymentOn)
		}
	default:
		for _, i := range *b.Instalments {
			in.Instalments = append(in.Instalments, recouvra.Instalment{DueOn: domainDate(i.DueOn), AmountCents: i.AmountCents})
		}
	}
	v, err := a.deps.App.CreatePlan(ctx, principalFrom(ctx), req.Id, in)
	if err != nil {
		return nil, err
	}
	return oapi.CreatePlan201JSONResponse(apiPlan(v)), nil
}

func (a *API) GetPlan(ctx context.Context, req oapi.GetPlanRequestObject) (oapi.GetPlanResponseObject, error) {
	ctx = requestContext(ctx)
	v, err := a.deps.App.Plan(ctx, principalFrom(ctx), req.Id)
	if err != nil {
		return nil, err
	}
	return oapi.GetPlan200JSONResponse(apiPlan(v)), nil
}

func (a *API) ApprovePlan(ctx context.Context, req oapi.ApprovePlanRequestObject) (oapi.ApprovePlanResponseObject, error) {
	ctx = requestContext(ctx)
	v, err := a.deps.App.DecidePlan(ctx, principalFrom(ctx), req.Id, true, str(req.Body.Reason))
	if err != nil {
		return nil, err
	}
	return oapi.ApprovePlan200JSONResponse(apiPlan(v)), nil
}

func (a *API) RefusePlan(ctx context.Context, req oapi.RefusePlanRequestObject) (oapi.RefusePlanResponseObject, error) {
	ctx = requestContext(ctx)
	v, err := a.deps.App.DecidePlan(ctx, principalFrom(ctx), req.Id, false, req.Body.Reason)
	if err != nil {
		return nil, err
	}
	return oapi.RefusePlan200JSONResponse(apiPlan(v)), nil
}

func (a *API) CancelPlan(ctx context.Context, req oapi.CancelPlanRequestObject) (oapi.CancelPlanResponseObject, error) {
	ctx = requestContext(ctx)
	v, err := a.deps.App.CancelPlan(ctx, principalFrom(ctx), req.Id, str(req.Body.Reason))
	if err != nil {
		return nil, err
	}
	return oapi.CancelPlan200JSONResponse(apiPlan(v)), nil
}

func (a *API) SignPlan(ctx context.Context, req oapi.SignPlanRequestObject) (oapi.SignPlanResponseObject, error) {
	ctx = requestContext(ctx)
	var on recouvra.Date
	if req.Body.SignedOn != nil {
		on = domainDate(*req.Body.SignedOn)
	}
	v, err := a.deps.App.SignPlan(ctx, principalFrom(ctx), req.Id, on)
	if err != nil {
		return nil, err
	}
	return oapi.SignPlan200JSONResponse(apiPlan(v)), nil
}

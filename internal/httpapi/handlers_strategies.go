package httpapi

import (
	"context"
	"time"

	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/httpapi/oapi"
	"github.com/recouvra/recouvra/internal/recouvra"
)

func (a *API) ListStrategies(ctx context.Context, _ oapi.ListStrategiesRequestObject) (oapi.ListStrategiesResponseObject, error) {
	ctx = requestContext(ctx)
	list, err := a.deps.App.ListStrategies(ctx, principalFrom(ctx))
	if err != nil {
		return nil, err
	}
	out := oapi.StrategyList{Items: make([]oapi.Strategy, len(list))}
	for i, v := range list {
		out.Items[i] = apiStrategy(v)
	}
	return oapi.ListStrategies200JSONResponse(out), nil
}

func (a *API) CreateStrategy(ctx context.Context, req oapi.CreateStrategyRequestObject) (oapi.CreateStrategyResponseObject, error) {
	ctx = requestContext(ctx)
	v, err := a.deps.App.CreateStrategy(ctx, principalFrom(ctx), strategyInput(*req.Body), metaFrom(ctx))
	if err != nil {
		return nil, err
	}
	return oapi.CreateStrategy201JSONResponse(apiStrategy(v)), nil
}

func (a *API) GetStrategy(ctx context.Context, req oapi.GetStrategyRequestObject) (oapi.GetStrategyResponseObject, error) {
	ctx = requestContext(ctx)
	v, err := a.deps.App.GetStrategy(ctx, principalFrom(ctx), req.Id)
	if err != nil {
		return nil, err
	}
	return oapi.GetStrategy200JSONResponse(apiStrategy(v)), nil
}

func (a *API) UpdateStrategy(ctx context.Context, req oapi.UpdateStrategyRequestObject) (oapi.UpdateStrategyResponseObject, error) {
	ctx = requestContext(ctx)
	b := req.Body
	in := strategyInput(oapi.StrategyInput{Name: b.Name, Description: b.Description, PauseAfterPaymentDays: b.PauseAfterPaymentDays, Steps: b.Steps})
	v, err := a.deps.App.UpdateStrategy(ctx, principalFrom(ctx), req.Id, b.Version, in, metaFrom(ctx))
	if err != nil {
		return nil, err
	}
	return oapi.UpdateStrategy200JSONResponse(apiStrategy(v)), nil
}

func (a *API) DeleteStrategy(ctx context.Context, req oapi.DeleteStrategyRequestObject) (oapi.DeleteStrategyResponseObject, error) {
	ctx = requestContext(ctx)
	if err := a.deps.App.DeleteStrategy(ctx, principalFrom(ctx), req.Id, metaFrom(ctx)); err != nil {
		return nil, err
	}
	return oapi.DeleteStrategy204Response{}, nil
}

func (a *API) SimulateStrategy(ctx context.Context, req oapi.SimulateStrategyRequestObject) (oapi.SimulateStrategyResponseObject, error) {
	ctx = requestContext(ctx)
	s := req.Body.Sample
	sample := recouvra.SampleCase{}
	if s.PlacedOn != nil {
		sample.PlacedOn = domainDate(*s.PlacedOn)
	}
	if s.OldestDueOn != nil {
		sample.OldestDueOn = domainDate(*s.OldestDueOn)
	}
	if s.BalanceCents != nil {
		sample.BalanceCents = *s.BalanceCents
	}
	if s.DebtorKind != nil {
		sample.DebtorKind = recouvra.DebtorKind(*s.DebtorKind)
	}
	sample.HasEmail = s.HasEmail != nil && *s.HasEmail
	sample.HasPhone = s.HasPhone != nil && *s.HasPhone
	if s.NoticeDays != nil {
		sample.NoticeDays = *s.NoticeDays
	}
	steps, err := a.deps.App.SimulateStrategy(ctx, principalFrom(ctx), strategyInput(req.Body.Strategy), sample)
	if err != nil {
		return nil, err
	}
	var out oapi.StrategySimulation
	out.Steps = make([]struct {
		Channel string             `json:"channel"`
		Index   int                `json:"index"`
		Name    string             `json:"name"`
		Note    string             `json:"note"`
		On      openapi_types.Date `json:"on"`
		Skipped bool               `json:"skipped"`
	}, len(steps))
	for i, st := range steps {
		out.Steps[i].Channel, out.Steps[i].Index, out.Steps[i].Name = string(st.Channel), st.Index, st.Name
		out.Steps[i].Note, out.Steps[i].On, out.Steps[i].Skipped = st.Note, apiDate(st.On), st.Skipped
	}
	return oapi.SimulateStrategy200JSONResponse(out), nil
}

func (a *API) SetCreditorStrategy(ctx context.Context, req oapi.SetCreditorStrategyRequestObject) (oapi.SetCreditorStrategyResponseObject, error) {
	ctx = requestContext(ctx)
	if err := a.deps.App.SetMandateStrategy(ctx, principalFrom(ctx), req.Id, req.Body.StrategyId, metaFrom(ctx)); err != nil {
		return nil, err
	}
	return oapi.SetCreditorStrategy200JSONResponse{CreditorId: req.Id, StrategyId: req.Body.StrategyId}, nil
}

func (a *API) GetCaseStrategy(ctx context.Context, req oapi.GetCaseStrategyRequestObject) (oapi.GetCaseStrategyResponseObject, error) {
	ctx = requestContext(ctx)
	v, err := a.deps.App.CaseStrategy(ctx, principalFrom(ctx), req.Id)
	if err != nil {
		return nil, err
	}
	return oapi.GetCaseStrategy200JSONResponse(apiCaseStrategy(v)), nil
}

func (a *API) MoveCaseStrategy(ctx context.Context, req oapi.MoveCaseStrategyRequestObject) (oapi.MoveCaseStrategyResponseObject, error) {
	ctx = requestContext(ctx)
	v, err := a.deps.App.MoveCaseStrategy(ctx, principalFrom(ctx), req.Id, req.Body.StrategyId)
	if err != nil {
		return nil, err
	}
	return oapi.MoveCaseStrategy200JSONResponse(apiCaseStrategy(v)), nil
}

func (a *API) ListStrategyRuns(ctx context.Context, req oapi.ListStrategyRunsRequestObject) (oapi.ListStrategyRunsResponseObject, error) {
	ctx = requestContext(ctx)
	limit := 0
	if req.Params.Limit != nil {
		limit = int(*req.Params.Limit)
	}
	runs, err := a.deps.App.StrategyRuns(ctx, principalFrom(ctx), limit)
	if err != nil {
		return nil, err
	}
	out := oapi.StrategyRunList{Items: make([]oapi.StrategyRun, len(runs))}
	for i, r := range runs {
		it := oapi.StrategyRun{Id: r.ID, RunOn: apiDate(r.RunOn), StartedAt: r.StartedAt, FinishedAt: r.FinishedAt, Enrolled: r.Enrolled, Claimed: r.Claimed,
			Counts: channelCounts(r.Counts)}
		it.Failures = make([]struct {
			Attempts      int                `json:"attempts"`
			CaseId        openapi_types.UUID `json:"case_id"`
			Channel       *string            `json:"channel,omitempty"`
			NextAttemptAt *time.Time         `json:"next_attempt_at,omitempty"`
			Reason        string             `json:"reason"`
			State         string             `json:"state"`
			StepIndex     int                `json:"step_index"`
		}, len(r.Failures))
		for j, f := range r.Failures {
			ch := f.Channel
			it.Failures[j].Attempts, it.Failures[j].CaseId, it.Failures[j].Channel = f.Attempts, f.CaseID, &ch
			it.Failures[j].NextAttemptAt, it.Failures[j].Reason, it.Failures[j].State, it.Failures[j].StepIndex = f.NextAttemptAt, f.Reason, f.State, f.StepIndex
		}
		out.Items[i] = it
	}
	return oapi.ListStrategyRuns200JSONResponse(out), nil
}

func (a *API) PreviewStrategyRun(ctx context.Context, req oapi.PreviewStrategyRunRequestObject) (oapi.PreviewStrategyRunResponseObject, error) {
	ctx = requestContext(ctx)
	var day recouvra.Date
	if req.Params.On != nil {
		day = domainDate(*req.Params.On)
	}
	p, err := a.deps.App.PreviewStrategyRun(ctx, principalFrom(ctx), day)
	if err != nil {
		return nil, err
	}
	if day.IsZero() {
		day = recouvra.DateOf(a.now()).AddDays(1)
	}
	out := oapi.StrategyRunPreview{On: apiDate(day), Total: p.Total, ByChannel: channelCounts(p.ByChannel)}
	out.Sample = make([]struct {
		CaseId        openapi_types.UUID `json:"case_id"`
		CaseReference string             `json:"case_reference"`
		Channel       string             `json:"channel"`
		DueOn         openapi_types.Date `json:"due_on"`
		StepIndex     int                `json:"step_index"`
		StepName      string             `json:"step_name"`
		StrategyId    openapi_types.UUID `json:"strategy_id"`
		StrategyName  string             `json:"strategy_name"`
	}, len(p.Sample))
	for i, s := range p.Sample {
		o := &out.Sample[i]
		o.CaseId, o.CaseReference, o.Channel, o.DueOn = s.CaseID, s.CaseReference, s.Channel, apiDate(s.DueOn)
		o.StepIndex, o.StepName, o.StrategyId, o.StrategyName = s.StepIndex, s.StepName, s.StrategyID, s.StrategyName
	}
	return oapi.PreviewStrategyRun200JSONResponse(out), nil
}

func (a *API) CompleteCallTask(ctx context.Context, req oapi.CompleteCallTaskRequestObject) (oapi.CompleteCallTaskResponseObject, error) {
	ctx = requestContext(ctx)
	note := ""
	if req.Body.Note != nil {
		note = *req.Body.Note
	}
	t, err := a.deps.App.CompleteCallTask(ctx, principalFrom(ctx), req.Id, req.Body.Outcome, note)
	if err != nil {
		return nil, err
	}
	return oapi.CompleteCallTask200JSONResponse(apiCallTask(t)), nil
}

func channelCounts(in []app.ChannelCount) []oapi.StrategyChannelCount {
	out := make([]oapi.StrategyChannelCount, len(in))
	for i, c := range in {
		out[i] = oapi.StrategyChannelCount{Channel: c.Channel, Count: c.Count}
		if c.State != "" {
			s := c.State
			out[i].State = &s
		}
	}
	return out
}

func strategyInput(b oapi.StrategyInput) recouvra.StrategyInput {
	in := recouvra.StrategyInput{Name: b.Name}
	if b.Description != nil {
		in.Description = *b.Description
	}
	if b.PauseAfterPaymentDays != nil {
		in.PauseAfterPaymentDays = *b.PauseAfterPaymentDays
	}
	for _, s := range b.Steps {
		st := recouvra.StepInput{Channel: s.Channel, FallbackToLetter: s.FallbackToLetter}
		if s.Name != nil {
			st.Name = *s.Name
		}
		if s.Delay != nil {
			st.Delay = *s.Delay
		}
		if s.Unit != nil {
			st.Unit = *s.Unit
		}
		if s.From != nil {
			st.From = *s.From
		}
		if s.Template != nil {
			st.Template = *s.Template
		}
		if s.Conditions != nil {
			st.Conditions = *s.Conditions
		}
		in.Steps = append(in.Steps, st)
	}
	return in
}

func apiStrategy(v app.StrategyView) oapi.Strategy {
	out := oapi.Strategy{Id: v.ID, Name: v.Name, Description: v.Description, PauseAfterPaymentDays: v.PauseAfterPaymentDays, Version: v.Version,
		CasesCount: v.Cases, MandatesCount: v.Mandates, CreatedAt: v.CreatedAt, UpdatedAt: v.UpdatedAt, Steps: make([]oapi.StrategyStep, len(v.Steps))}
	for i, s := range v.Steps {
		st := oapi.StrategyStep{Name: s.Name, Delay: s.Delay, Unit: oapi.StrategyStepUnit(s.Unit), From: oapi.StrategyStepFrom(s.From),
			Channel: oapi.StrategyStepChannel(s.Channel), Template: s.Template, FallbackToLetter: s.FallbackToLetter}
		c := s.Conditions
		st.Conditions.MinBalanceCents, st.Conditions.MaxBalanceCents, st.Conditions.HasEmail, st.Conditions.HasPhone = c.MinBalanceCents, c.MaxBalanceCents, c.HasEmail, c.HasPhone
		if len(c.DebtorKinds) > 0 {
			kinds := make([]string, len(c.DebtorKinds))
			for j, k := range c.DebtorKinds {
				kinds[j] = string(k)
			}
			st.Conditions.DebtorKinds = &kinds
		}
		if len(c.Stages) > 0 {
			stages := make([]string, len(c.Stages))
			for j, k := range c.Stages {
				stages[j] = string(k)
			}
			st.Conditions.Stages = &stages
		}
		out.Steps[i] = st
	}
	return out
}

func apiCaseStrategy(v app.CaseStrategyView) oapi.CaseStrategy {
	out := oapi.CaseStrategy{CaseId: v.State.CaseID, StrategyId: v.Strategy.ID, StrategyName: v.Strategy.Name, Position: v.State.Position, StepsTotal: len(v.Strategy.Steps)}
	out.Paused = make([]struct {
		Code string `json:"code"`
		Text string `json:"text"`
	}, len(v.Paused))
	for i, p := range v.Paused {
		out.Paused[i].Code, out.Paused[i].Text = p.Code, p.Text
	}
	if v.LastStep != nil && v.State.LastStep != nil {
		out.LastStep = &oapi.StrategyStepRef{Index: *v.State.LastStep, Name: v.LastStep.Name, Channel: string(v.LastStep.Channel)}
	}
	if !v.State.LastStepOn.IsZero() {
		d := apiDate(v.State.LastStepOn)
		out.LastStepOn = &d
	}
	if v.NextStep != nil {
		out.NextStep = &oapi.StrategyStepRef{Index: v.State.Position, Name: v.NextStep.Name, Channel: string(v.NextStep.Channel)}
	}
	if !v.State.NextDueOn.IsZero() {
		d := apiDate(v.State.NextDueOn)
		out.NextDueOn = &d
	}
	if v.CallTask != nil {
		t := apiCallTask(*v.CallTask)
		out.CallTask = &t
	}
	return out
}

func apiCallTask(t recouvra.CallTask) oapi.CallTask {
	return oapi.CallTask{Id: t.ID, CaseId: t.CaseID, DueAt: t.DueAt, Script: t.Script, State: oapi.CallTaskState(t.State), Outcome: t.Outcome, CompletedAt: t.CompletedAt}
}

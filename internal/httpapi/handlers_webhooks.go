package httpapi

import (
	"context"
	"encoding/json"
	"time"

	"github.com/google/uuid"
	"github.com/oapi-codegen/nullable"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/httpapi/oapi"
	"github.com/recouvra/recouvra/internal/recouvra"
)

func (a *API) ListWebhookEndpoints(ctx context.Context, req oapi.ListWebhookEndpointsRequestObject) (oapi.ListWebhookEndpointsResponseObject, error) {
	ctx = requestContext(ctx)
	eps, err := a.deps.App.WebhookEndpoints(ctx, principalFrom(ctx), uuidPtr(req.Params.CreditorId))
	if err != nil {
		return nil, err
	}
	return oapi.ListWebhookEndpoints200JSONResponse{Items: mapSlice(eps, apiWebhookEndpoint)}, nil
}

func (a *API) CreateWebhookEndpoint(ctx context.Context, req oapi.CreateWebhookEndpointRequestObject) (oapi.CreateWebhookEndpointResponseObject, error) {
	ctx = requestContext(ctx)
	in := recouvra.WebhookEndpointInput{URL: req.Body.Url, Types: webhookTypes(req.Body.EventTypes)}
	if req.Body.Description != nil {
		in.Description = *req.Body.Description
	}
	ep, err := a.deps.App.CreateWebhookEndpoint(ctx, principalFrom(ctx), metaFrom(ctx), uuidPtr(req.Body.CreditorId), in)
	if err != nil {
		return nil, err
	}
	return oapi.CreateWebhookEndpoint201JSONResponse(withSecret(ep)), nil
}

func (a *API) GetWebhookEndpoint(ctx context.Context, req oapi.GetWebhookEndpointRequestObject) (oapi.GetWebhookEndpointResponseObject, error) {
	ctx = requestContext(ctx)
	ep, err := a.deps.App.WebhookEndpoint(ctx, principalFrom(ctx), uuid.UUID(req.Id))
	if err != nil {
		return nil, err
	}
	return oapi.GetWebhookEndpoint200JSONResponse(apiWebhookEndpoint(ep)), nil
}

func (a *API) UpdateWebhookEndpoint(ctx context.Context, req oapi.UpdateWebhookEndpointRequestObject) (oapi.UpdateWebhookEndpointResponseObject, error) {
	ctx = requestContext(ctx)
	patch := app.WebhookEndpointPatch{URL: req.Body.Url, Description: req.Body.Description, Enabled: req.Body.Enabled}
	if req.Body.EventTypes != nil {
		patch.Types = webhookTypes(*req.Body.EventTypes)
		if patch.Types == nil {
			patch.Types = []string{}
		}
	}
	ep, err := a.deps.App.UpdateWebhookEndpoint(ctx, principalFrom(ctx), metaFrom(ctx), uuid.UUID(req.Id), patch)
	if err != nil {
		return nil, err
	}
	return oapi.UpdateWebhookEndpoint200JSONResponse(apiWebhookEndpoint(ep)), nil
}

func (a *API) DeleteWebhookEndpoint(ctx context.Context, req oapi.DeleteWebhookEndpointRequestObject) (oapi.DeleteWebhookEndpointResponseObject, error) {
	ctx = requestContext(ctx)
	if err := a.deps.App.DeleteWebhookEndpoint(ctx, principalFrom(ctx), metaFrom(ctx), uuid.UUID(req.Id)); err != nil {
		return nil, err
	}
	return oapi.DeleteWebhookEndpoint204Response{}, nil
}

func (a *API) RotateWebhookSecret(ctx context.Context, req oapi.RotateWebhookSecretRequestObject) (oapi.RotateWebhookSecretResponseObject, error) {
	ctx = requestContext(ctx)
	ep, err := a.deps.App.RotateWebhookSecret(ctx, principalFrom(ctx), metaFrom(ctx), uuid.UUID(req.Id))
	if err != nil {
		return nil, err
	}
	return oapi.RotateWebhookSecret200JSONResponse(withSecret(ep)), nil
}

func (a *API) PingWebhookEndpoint(ctx context.Context, req oapi.PingWebhookEndpointRequestObject) (oapi.PingWebhookEndpointResponseObject, error) {
	ctx = requestContext(ctx)
	d, err := a.deps.App.PingWebhookEndpoint(ctx, principalFrom(ctx), uuid.UUID(req.Id))
	if err != nil {
		return nil, err
	}
	return oapi.PingWebhookEndpoint200JSONResponse(apiWebhookDelivery(d)), nil
}

func (a *API) ListWebhookDeliveries(ctx context.Context, req oapi.ListWebhookDeliveriesRequestObject) (oapi.ListWebhookDeliveriesResponseObject, error) {
	ctx = requestContext(ctx)
	page, err := a.deps.App.WebhookDeliveries(ctx, principalFrom(ctx), uuid.UUID(req.Id), pageRequest(req.Params.Limit, req.Params.Cursor))
	if err != nil {
		return nil, err
	}
	return oapi.ListWebhookDeliveries200JSONResponse{Items: mapSlice(page.Items, apiWebhookDelivery), NextCursor: nextCursor(page.NextCursor)}, nil
}

func (a *API) ReplayWebhookDelivery(ctx context.Context, req oapi.ReplayWebhookDeliveryRequestObject) (oapi.ReplayWebhookDeliveryResponseObject, error) {
	ctx = requestContext(ctx)
	d, err := a.deps.App.ReplayWebhookDelivery(ctx, principalFrom(ctx), metaFrom(ctx), uuid.UUID(req.Id))
	if err != nil {
		return nil, err
	}
	return oapi.ReplayWebhookDelivery202JSONResponse(apiWebhookDelivery(d)), nil
}

func webhookTypes(in []oapi.WebhookEventType) []string {
	var out []string
	for _, t := range in {
		out = append(out, string(t))
	}
	return out
}

func apiWebhookEndpoint(ep recouvra.WebhookEndpoint) oapi.WebhookEndpoint {
	out := oapi.WebhookEndpoint{Id: ep.ID, CreditorId: ep.CreditorID, Url: ep.URL, Description: ep.Description, Enabled: ep.Enabled,
		EventTypes: make([]oapi.WebhookEventType, 0, len(ep.Types)), CreatedAt: ep.CreatedAt, UpdatedAt: ep.UpdatedAt}
	for _, t := range ep.Types {
		out.EventTypes = append(out.EventTypes, oapi.WebhookEventType(t))
	}
	out.DisabledReason.SetNull()
	if ep.DisabledReason != "" {
		out.DisabledReason.Set(oapi.WebhookEndpointDisabledReason(ep.DisabledReason))
	}
	setTime(&out.DisabledAt, ep.DisabledAt)
	setTime(&out.FailingSince, ep.FailingSince)
	out.PreviousSecretUntil.SetNull()
	if ep.PreviousSecret != "" && ep.PreviousUntil != nil {
		out.PreviousSecretUntil.Set(*ep.PreviousUntil)
	}
	return out
}

func withSecret(ep recouvra.WebhookEndpoint) oapi.WebhookEndpointWithSecret {
	o := apiWebhookEndpoint(ep)
	out := oapi.WebhookEndpointWithSecret{Id: o.Id, CreditorId: o.CreditorId, Url: o.Url, Description: o.Description, Enabled: o.Enabled,
		EventTypes: o.EventTypes, CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt, DisabledAt: o.DisabledAt, FailingSince: o.FailingSince,
		PreviousSecretUntil: o.PreviousSecretUntil, Secret: ep.Secret}
	out.DisabledReason.SetNull()
	if r, err := o.DisabledReason.Get(); err == nil {
		out.DisabledReason.Set(oapi.WebhookEndpointWithSecretDisabledReason(r))
	}
	return out
}

func apiWebhookDelivery(d recouvra.WebhookDelivery) oapi.WebhookDelivery {
	out := oapi.WebhookDelivery{Id: d.ID, EndpointId: d.EndpointID, Type: string(d.Type), State: oapi.WebhookDeliveryState(d.State),
		Attempts: d.Attempts, CreatedAt: d.CreatedAt, RetryUntil: d.RetryUntil, Payload: map[string]any{},
		Tries: make([]oapi.WebhookAttempt, 0, len(d.Tries))}
	_ = json.Unmarshal(d.Payload, &out.Payload)
	out.EventId.SetNull()
	if d.EventID != nil {
		out.EventId.Set(*d.EventID)
	}
	out.LastStatus.SetNull()
	if d.LastStatus != nil {
		out.LastStatus.Set(*d.LastStatus)
	}
	setTime(&out.NextAttemptAt, d.NextAttemptAt)
	setTime(&out.DeliveredAt, d.DeliveredAt)
	for _, t := range d.Tries {
		a := oapi.WebhookAttempt{Id: t.ID, At: t.At, Ok: t.OK(), LatencyMs: t.LatencyMS, Excerpt: t.Excerpt, Error: t.Error}
		a.Status.SetNull()
		if t.Status != nil {
			a.Status.Set(*t.Status)
		}
		out.Tries = append(out.Tries, a)
	}
	return out
}

// setTime sets a nullable time from t (nil: null).
func setTime(n *nullable.Nullable[time.Time], t *time.Time) {
	if t == nil {
		n.SetNull()
		return
	}
	n.Set(*t)
}

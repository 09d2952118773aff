package httpapi

import (
	"context"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/httpapi/oapi"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// The daily e-mail digest of notifications: each person's choice, and
// each creditor's choice of how it is told of payments (R124-5).

func apiNotificationSettings(v app.NotificationSettingsView) oapi.NotificationSettings {
	return oapi.NotificationSettings{EmailDigest: v.EmailDigest, Language: oapi.NotificationSettingsLanguage(v.Language), Email: v.Email,
		DigestTime: v.DigestTime, MailConfigured: v.MailOn, PaymentsByCreditor: v.PaymentsByCreditor}
}

func (a *API) GetNotificationSettings(ctx context.Context, _ oapi.GetNotificationSettingsRequestObject) (oapi.GetNotificationSettingsResponseObject, error) {
	ctx = requestContext(ctx)
	v, err := a.deps.App.NotificationSettings(ctx, principalFrom(ctx))
	if err != nil {
		return nil, err
	}
	return oapi.GetNotificationSettings200JSONResponse(apiNotificationSettings(v)), nil
}

func (a *API) SetNotificationSettings(ctx context.Context, req oapi.SetNotificationSettingsRequestObject) (oapi.SetNotificationSettingsResponseObject, error) {
	ctx = requestContext(ctx)
	v, err := a.deps.App.SetNotificationSettings(ctx, principalFrom(ctx), app.NotificationSettings{EmailDigest: req.Body.EmailDigest, Language: string(req.Body.Language)})
	if err != nil {
		return nil, err
	}
	return oapi.SetNotificationSettings200JSONResponse(apiNotificationSettings(v)), nil
}

func (a *API) GetCreditorPaymentReports(ctx context.Context, req oapi.GetCreditorPaymentReportsRequestObject) (oapi.GetCreditorPaymentReportsResponseObject, error) {
	ctx = requestContext(ctx)
	r, err := a.deps.App.CreditorPaymentReports(ctx, principalFrom(ctx), uuid.UUID(req.Id))
	if err != nil {
		return nil, err
	}
	return oapi.GetCreditorPaymentReports200JSONResponse{PaymentReports: oapi.CreditorPaymentReportsPaymentReports(r)}, nil
}

func (a *API) SetCreditorPaymentReports(ctx context.Context, req oapi.SetCreditorPaymentReportsRequestObject) (oapi.SetCreditorPaymentReportsResponseObject, error) {
	ctx = requestContext(ctx)
	r, err := a.deps.App.SetCreditorPaymentReports(ctx, principalFrom(ctx), uuid.UUID(req.Id), recouvra.PaymentReports(req.Body.PaymentReports), metaFrom(ctx))
	if err != nil {
		return nil, err
	}
	return oapi.SetCreditorPaymentReports200JSONResponse{PaymentReports: oapi.CreditorPaymentReportsPaymentReports(r)}, nil
}

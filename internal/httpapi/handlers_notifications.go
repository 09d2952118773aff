package httpapi

import (
	"context"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/httpapi/oapi"
	"github.com/recouvra/recouvra/internal/recouvra"
)

func (a *API) ListNotifications(ctx context.Context, req oapi.ListNotificationsRequestObject) (oapi.ListNotificationsResponseObject, error) {
	ctx = requestContext(ctx)
	page, err := a.deps.App.Notifications(ctx, principalFrom(ctx), pageRequest(req.Params.Limit, req.Params.Cursor))
	if err != nil {
		return nil, err
	}
	return oapi.ListNotifications200JSONResponse{Items: mapSlice(page.Items, apiNotification), NextCursor: nextCursor(page.NextCursor),
		UnreadCount: page.Unread}, nil
}

func (a *API) GetUnreadNotifications(ctx context.Context, _ oapi.GetUnreadNotificationsRequestObject) (oapi.GetUnreadNotificationsResponseObject, error) {
	ctx = requestContext(ctx)
	n, err := a.deps.App.UnreadNotifications(ctx, principalFrom(ctx))
	if err != nil {
		return nil, err
	}
	return oapi.GetUnreadNotifications200JSONResponse{UnreadCount: n}, nil
}

func (a *API) MarkNotificationRead(ctx context.Context, req oapi.MarkNotificationReadRequestObject) (oapi.MarkNotificationReadResponseObject, error) {
	ctx = requestContext(ctx)
	n, err := a.deps.App.MarkNotificationRead(ctx, principalFrom(ctx), uuid.UUID(req.Id))
	if err != nil {
		return nil, err
	}
	return oapi.MarkNotificationRead200JSONResponse{UnreadCount: n}, nil
}

func (a *API) MarkAllNotificationsRead(ctx context.Context, _ oapi.MarkAllNotificationsReadRequestObject) (oapi.MarkAllNotificationsReadResponseObject, error) {
	ctx = requestContext(ctx)
	p := principalFrom(ctx)
	if err := a.deps.App.MarkAllNotificationsRead(ctx, p); err != nil {
		return nil, err
	}
	n, err := a.deps.App.UnreadNotifications(ctx, p)
	if err != nil {
		return nil, err
	}
	return oapi.MarkAllNotificationsRead200JSONResponse{UnreadCount: n}, nil
}

func apiNotification(n recouvra.Notification) oapi.Notification {
	e := n.Event
	out := oapi.Notification{Id: e.ID, Seq: e.Seq, CaseReference: n.CaseReference, Kind: oapi.NotificationKind(n.Kind()),
		EventType: string(e.Type), Text: n.Text(), At: e.At, Read: n.Read}
	if e.CaseID == uuid.Nil {
		out.CaseId.SetNull() // a notice about the creditor (webhook_disabled)
	} else {
		out.CaseId.Set(e.CaseID)
	}
	out.AmountCents.SetNull()
	out.Currency.SetNull()
	out.Stage.SetNull()
	switch n.Kind() {
	case recouvra.NotifyPayment, recouvra.NotifyPaymentReversed, recouvra.NotifyDirectPayment:
		if cents, ok := n.AmountCents(); ok {
			out.AmountCents.Set(cents)
			out.Currency.Set(n.Currency())
		}
	case recouvra.NotifyStageChanged:
		if to, _ := e.Data["to"].(string); recouvra.Stage(to).Valid() {
			out.Stage.Set(oapi.Stage(to))
		}
	}
	return out
}

package httpapi

import (
	"context"

	"github.com/recouvra/recouvra/internal/httpapi/oapi"
	"github.com/recouvra/recouvra/internal/recouvra"
)

func apiMail(m recouvra.MailMessage) oapi.MailMessage {
	out := oapi.MailMessage{
		Id: m.ID, CaseId: m.CaseID, DocumentId: nullOf(m.DocumentID), Kind: oapi.MailMessageKind(m.Kind), To: m.To, ReplyTo: m.ReplyTo,
		Subject: m.Subject, MessageId: m.MessageID, Language: oapi.MailMessageLanguage(m.Language), State: oapi.MailMessageState(m.State),
		Attempts: m.Attempts, LastError: m.LastError, AddressMarkedBad: m.State == recouvra.MailRefused, CreatedAt: m.CreatedAt, SentAt: nullOf(m.SentAt),
	}
	if m.SMTPCode != 0 {
		code := m.SMTPCode
		out.SmtpCode = nullOf(&code)
	} else {
		out.SmtpCode = nullOf[int](nil)
	}
	return out
}

func (a *API) EmailDocument(ctx context.Context, req oapi.EmailDocumentRequestObject) (oapi.EmailDocumentResponseObject, error) {
	ctx = requestContext(ctx)
	m, created, err := a.deps.App.EmailDocument(ctx, principalFrom(ctx), req.Id)
	if err != nil {
		return nil, err
	}
	if created {
		return oapi.EmailDocument201JSONResponse(apiMail(m)), nil
	}
	return oapi.EmailDocument200JSONResponse(apiMail(m)), nil
}

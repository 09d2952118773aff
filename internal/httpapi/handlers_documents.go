package httpapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/oapi-codegen/nullable"
	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/documents"
	"github.com/recouvra/recouvra/internal/httpapi/oapi"
	"github.com/recouvra/recouvra/internal/recouvra"
)

func apiDocument(d recouvra.Document) oapi.Document {
	return oapi.Document{
		Id: d.ID, CaseId: nullOf(d.CaseID), CreditorId: d.CreditorID, Kind: d.Kind, Generated: d.Generated, FileName: d.FileName,
		MediaType: oapi.DocumentMediaType(d.MediaType), SizeBytes: d.SizeBytes, Sha256: d.SHA256, Reference: d.Reference,
		AuthorUserId: nullOf(d.AuthorUserID), AuthorApiKeyId: nullOf(d.AuthorAPIKeyID), Visibility: oapi.DocumentVisibility(d.Visibility),
		Supersedes: nullOf(d.Supersedes), SupersededBy: nullOf(d.SupersededBy), CreatedAt: d.CreatedAt,
	}
}

func (a *API) ListDocuments(ctx context.Context, req oapi.ListDocumentsRequestObject) (oapi.ListDocumentsResponseObject, error) {
	ctx = requestContext(ctx)
	docs, err := a.deps.App.ListDocuments(ctx, principalFrom(ctx), req.Id)
	if err != nil {
		return nil, err
	}
	return oapi.ListDocuments200JSONResponse{Items: mapSlice(docs, apiDocument)}, nil
}

func (a *API) GenerateDocument(ctx context.Context, req oapi.GenerateDocumentRequestObject) (oapi.GenerateDocumentResponseObject, error) {
	ctx = requestContext(ctx)
	b := req.Body
	opts := app.DocOptions{Supersedes: uuidPtr(b.Supersedes)}
	if o := b.Options; o != nil {
		opts.RegisteredNumber = str(o.RegisteredNumber)
		opts.Court = str(o.Court)
		opts.PaymentID = uuidPtr(o.PaymentId)
		opts.PlanID = uuidPtr(o.PlanId)
		if o.AsOf != nil {
			opts.AsOf = domainDate(*o.AsOf)
		}
	}
	d, err := a.deps.App.GenerateDocument(ctx, principalFrom(ctx), req.Id, documents.Kind(b.Kind), opts)
	if err != nil {
		return nil, err
	}
	return oapi.GenerateDocument201JSONResponse(apiDocument(d)), nil
}

func (a *API) GetDocument(ctx context.Context, req oapi.GetDocumentRequestObject) (oapi.GetDocumentResponseObject, error) {
	ctx = requestContext(ctx)
	d, err := a.deps.App.GetDocument(ctx, principalFrom(ctx), req.Id)
	if err != nil {
		return nil, err
	}
	return oapi.GetDocument200JSONResponse(apiDocument(d)), nil
}

// pathID reads the :id path parameter of a hand-served route (the gate has
// already validated it as a UUID).
func pathID(c *gin.Context) (uuid.UUID, error) {
	id, err := uuid.Parse(c.Param("id"))
	if err != nil {
		return uuid.Nil, recouvra.Invalid("Identifiant invalide.", recouvra.FieldError{Field: "path.id", Code: "format", Message: "UUID attendu."})
	}
	return id, nil
}

// documentContent serves GET /api/v1/documents/{id}/content: the verified
// file, streamed with its type, its size and a download name that cannot
// break the header.
func (a *API) documentContent(c *gin.Context) {
	ctx := c.Request.Context()
	id, err := pathID(c)
	if err != nil {
		a.fail(c, err)
		return
	}
	d, rc, err := a.deps.App.OpenDocument(ctx, principalFrom(ctx), id)
	if err != nil {
		a.fail(c, err)
		return
	}
	defer rc.Close()
	h := c.Writer.Header()
	h.Set("Content-Type", d.MediaType)
	h.Set("Content-Length", strconv.FormatInt(d.SizeBytes, 10))
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": d.FileName}))
	h.Set("Cache-Control", "private, no-store")
	h.Set("ETag", strconv.Quote(d.SHA256))
	c.Status(http.StatusOK)
	if _, err := io.Copy(c.Writer, rc); err != nil {
		a.deps.Logger.Warn("document download interrupted", "request_id", requestID(c), "error", err.Error())
	}
}

// uploadAttachment serves POST /api/v1/cases/{id}/attachments: one
// multipart file part, streamed to the store without holding it in memory.
func (a *API) uploadAttachment(c *gin.Context) {
	ctx := c.Request.Context()
	caseID, err := pathID(c)
	if err != nil {
		a.fail(c, err)
		return
	}
	in := app.NewAttachment{}
	a.readUpload(c, upload{what: "le fichier", fieldMax: 200,
		field: func(name, value string) error {
			switch name {
			case "kind", "visibility", "supersedes":
			default:
				return nil
			}
			if code, msg := textProblem(value); code != "" { // the gate does not read uploads
				return recouvra.Invalid("La requête contient du texte invalide.", recouvra.FieldError{Field: "form." + name, Code: code, Message: msg})
			}
			switch name {
			case "kind":
				in.Kind = value
			case "visibility":
				in.Visibility = recouvra.Visibility(value)
			case "supersedes":
				id, err := uuid.Parse(value)
				if err != nil {
					return recouvra.Invalid("Identifiant invalide.", recouvra.FieldError{Field: "supersedes", Code: "format", Message: "UUID attendu."})
				}
				in.Supersedes = &id
			}
			return nil
		},
		file: func(part *multipart.Part) (int, any, error) {
			if in.Kind == "" {
				return 0, nil, recouvra.Invalid("Type de pièce manquant.", recouvra.FieldError{Field: "kind", Code: "required",
					Message: "Envoyez le champ kind avant le fichier."})
			}
			if in.Visibility != "" && in.Visibility != recouvra.Internal && in.Visibility != recouvra.Shared {
				return 0, nil, recouvra.Invalid("Visibilité inconnue.", recouvra.FieldError{Field: "visibility", Code: "invalid", Message: "internal ou shared."})
			}
			if err := fileNameProblem(part.FileName()); err != nil {
				return 0, nil, err
			}
			in.FileName, in.Content = part.FileName(), part
			d, err := a.deps.App.UploadAttachment(ctx, principalFrom(ctx), caseID, in)
			if err != nil {
				return 0, nil, err
			}
			return http.StatusCreated, apiDocument(d), nil
		},
	})
}

// uploadError turns the body-size limit into 413.
func uploadError(err error) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return recouvra.Errorf(recouvra.ECodeTooLarge, "Le fichier dépasse la taille maximale acceptée.")
	}
	if recouvra.ErrorCode(err) != recouvra.ECodeInternal {
		return err
	}
	return &recouvra.Error{Code: recouvra.ECodeMalformed, Message: fmt.Sprintf("Envoi illisible : %v", err), Err: err}
}

func (a *API) CreateRemittanceStatement(ctx context.Context, req oapi.CreateRemittanceStatementRequestObject) (oapi.CreateRemittanceStatementResponseObject, error) {
	ctx = requestContext(ctx)
	d, err := a.deps.App.RemittanceStatement(ctx, principalFrom(ctx), req.Id, domainDate(req.Body.From), domainDate(req.Body.To))
	if err != nil {
		return nil, err
	}
	return oapi.CreateRemittanceStatement201JSONResponse(apiDocument(d)), nil
}

func (a *API) ListCreditorDocuments(ctx context.Context, req oapi.ListCreditorDocumentsRequestObject) (oapi.ListCreditorDocumentsResponseObject, error) {
	ctx = requestContext(ctx)
	docs, err := a.deps.App.CreditorDocuments(ctx, principalFrom(ctx), req.Id)
	if err != nil {
		return nil, err
	}
	return oapi.ListCreditorDocuments200JSONResponse{Items: mapSlice(docs, apiDocument)}, nil
}

func apiBatch(b app.Batch) oapi.Batch {
	out := oapi.Batch{Id: b.ID, Kind: b.Kind, State: oapi.BatchState(b.State), Total: b.Total, Done: b.Done, Failed: b.Failed,
		ResultSha256: nullable.NewNullNullable[string](), ResultSize: nullable.NewNullNullable[int64](),
		CreatedAt: b.CreatedAt, StartedAt: nullOf(b.StartedAt), FinishedAt: nullOf(b.FinishedAt)}
	out.Failures = make([]struct {
		CaseId  openapi_types.UUID `json:"case_id"`
		Message string             `json:"message"`
	}, len(b.Failures))
	for i, f := range b.Failures {
		out.Failures[i].CaseId, out.Failures[i].Message = f.CaseID, f.Message
	}
	if b.ResultSHA256 != "" {
		out.ResultSha256 = nullable.NewNullableWithValue(b.ResultSHA256)
		out.ResultSize = nullable.NewNullableWithValue(b.ResultSize)
	}
	return out
}

func (a *API) StartBatch(ctx context.Context, req oapi.StartBatchRequestObject) (oapi.StartBatchResponseObject, error) {
	ctx = requestContext(ctx)
	b := req.Body
	var numbers map[string]string
	if b.Options != nil && b.Options.RegisteredNumbers != nil {
		numbers = *b.Options.RegisteredNumbers
	}
	batch, err := a.deps.App.StartBatch(ctx, principalFrom(ctx), documents.Kind(b.Kind), b.CaseIds, numbers)
	if err != nil {
		return nil, err
	}
	return oapi.StartBatch202JSONResponse(apiBatch(batch)), nil
}

func (a *API) GetBatch(ctx context.Context, req oapi.GetBatchRequestObject) (oapi.GetBatchResponseObject, error) {
	ctx = requestContext(ctx)
	batch, err := a.deps.App.GetBatch(ctx, principalFrom(ctx), req.Id)
	if err != nil {
		return nil, err
	}
	return oapi.GetBatch200JSONResponse(apiBatch(batch)), nil
}

// batchContent serves GET /api/v1/document-batches/{id}/content.
func (a *API) batchContent(c *gin.Context) {
	ctx := c.Request.Context()
	id, err := pathID(c)
	if err != nil {
		a.fail(c, err)
		return
	}
	b, rc, err := a.deps.App.OpenBatchResult(ctx, principalFrom(ctx), id)
	if err != nil {
		a.fail(c, err)
		return
	}
	defer rc.Close()
	h := c.Writer.Header()
	h.Set("Content-Type", "application/zip")
	h.Set("Content-Length", strconv.FormatInt(b.ResultSize, 10))
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": "lot-" + b.Kind + "-" + b.ID.String()[:8] + ".zip"}))
	c.Status(http.StatusOK)
	if _, err := io.Copy(c.Writer, rc); err != nil {
		a.deps.Logger.Warn("batch download interrupted", "request_id", requestID(c), "error", err.Error())
	}
}

package httpapi

import (
	"errors"
	"log/slog"
	"math"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/recouvra/recouvra/internal/httpapi/oapi"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// problemKind is how one error code reads over HTTP.
type problemKind struct {
	status int
	title  string
}

// problemKinds is the single error-code → HTTP status table. Handlers never
// write status codes for errors: they return domain errors and this table
// decides.
var problemKinds = map[recouvra.Code]problemKind{
	recouvra.ECodeInvalid:          {http.StatusUnprocessableEntity, "La requête contient des données invalides."},
	recouvra.ECodeMalformed:        {http.StatusBadRequest, "La requête est illisible."},
	recouvra.ECodeNotFound:         {http.StatusNotFound, "Ressource introuvable."},
	recouvra.ECodeConflict:         {http.StatusConflict, "Conflit avec l'état actuel."},
	recouvra.ECodePrecondition:     {http.StatusPreconditionFailed, "La ressource a été modifiée entre-temps."},
	recouvra.ECodePreconditionReq:  {http.StatusPreconditionRequired, "En-tête If-Match requis."},
	recouvra.ECodeUnauthorized:     {http.StatusUnauthorized, "Authentification requise."},
	recouvra.ECodeForbidden:        {http.StatusForbidden, "Action non autorisée."},
	recouvra.ECodeTooManyRequests:  {http.StatusTooManyRequests, "Trop de tentatives."},
	recouvra.ECodeMethodNotAllowed: {http.StatusMethodNotAllowed, "Méthode non autorisée pour cette ressource."},
	recouvra.ECodeUnavailable:      {http.StatusServiceUnavailable, "Service momentanément indisponible."},
	recouvra.ECodeInternal:         {http.StatusInternalServerError, "Erreur interne du serveur."},
	recouvra.ECodeTooLarge:         {http.StatusRequestEntityTooLarge, "Fichier trop volumineux."},
	recouvra.ECodeUnsupportedMedia: {http.StatusUnsupportedMediaType, "Type de fichier non accepté."},
	recouvra.ECodeIntegrity:        {http.StatusInternalServerError, "Document altéré."},
}

// problemContentType is RFC 9457's media type.
const problemContentType = "application/problem+json"

// problemType is the `type` URI of a code: a URN, stable and not pretending
// to be a web page.
func problemType(code recouvra.Code) string { return "urn:recouvra:problem:" + string(code) }

// writeProblem answers err as problem+json. Unexpected errors are logged with
// the request id and answered without their text.
func writeProblem(c *gin.Context, logger *slog.Logger, err error) {
	code := recouvra.ErrorCode(err)
	kind, ok := problemKinds[code]
	if !ok {
		code, kind = recouvra.ECodeInternal, problemKinds[recouvra.ECodeInternal]
	}
	reqID := requestID(c)
	if kind.status >= 500 {
		logger.ErrorContext(c.Request.Context(), "request failed", "request_id", reqID, "error", err.Error())
	}
	p := oapi.Problem{
		Type:      problemType(code),
		Title:     kind.title,
		Status:    kind.status,
		Code:      string(code),
		RequestId: ptr(reqID),
	}
	if msg := recouvra.ErrorMessage(err); msg != "" && code != recouvra.ECodeInternal {
		p.Detail = ptr(msg)
	}
	var de *recouvra.Error
	if errors.As(err, &de) && len(de.Fields) > 0 {
		fields := make([]oapi.FieldError, len(de.Fields))
		for i, f := range de.Fields {
			fields[i] = oapi.FieldError{Field: ptr(f.Field), Code: f.Code, Message: f.Message}
		}
		p.Errors = &fields
	}
	if de != nil && de.RetryAfter > 0 {
		c.Header("Retry-After", strconv.Itoa(int(math.Ceil(de.RetryAfter.Seconds()))))
	}
	c.Header("Content-Type", problemContentType)
	c.Header("Cache-Control", "no-store")
	c.Status(kind.status)
	c.Abort()
	_ = writeJSON(c.Writer, p)
}

func ptr[T any](v T) *T { return &v }

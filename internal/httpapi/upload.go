package httpapi

import (
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/recouvra/recouvra/internal/recouvra"
)

// upload describes a multipart/form-data request whose short text fields
// come before its one file part. The file is read as a stream, never
// buffered whole; the gate does not read such bodies, so the handlers
// check what they take from them.
type upload struct {
	what     string                                                       // "le fichier", "le relevé": named when the body is not multipart or has no file
	fieldMax int64                                                        // bytes read of a text field
	field    func(name, value string) error                               // a text field, trimmed (unknown names: ignore them)
	file     func(part *multipart.Part) (status int, body any, err error) // the file part: the answer, or why not
}

// readUpload answers a request described by u: the file callback's
// answer, or the first refusal (a body over the upload limit is 413).
func (a *API) readUpload(c *gin.Context, u upload) {
	// The whole request may exceed the file limit by the form's few fields.
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, a.deps.MaxUploadBytes+64<<10)
	mr, err := c.Request.MultipartReader()
	if err != nil {
		a.fail(c, &recouvra.Error{Code: recouvra.ECodeMalformed, Message: "Envoyez " + u.what + " en multipart/form-data.", Err: err})
		return
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			a.fail(c, uploadError(err))
			return
		}
		if part.FormName() == "file" {
			status, body, err := u.file(part)
			if err != nil {
				a.fail(c, uploadError(err))
				return
			}
			c.JSON(status, body)
			return
		}
		v, err := io.ReadAll(io.LimitReader(part, u.fieldMax))
		if err != nil {
			a.fail(c, uploadError(err))
			return
		}
		if err := u.field(part.FormName(), strings.TrimSpace(string(v))); err != nil {
			a.fail(c, err)
			return
		}
	}
	a.fail(c, recouvra.Invalid("Fichier manquant.", recouvra.FieldError{Field: "file", Code: "required", Message: "Joignez " + u.what + " dans le champ file."}))
}

// fileNameProblem refuses a file name that is not printable text.
func fileNameProblem(name string) error {
	if code, msg := textProblem(name); code != "" {
		return recouvra.Invalid("Nom de fichier invalide.", recouvra.FieldError{Field: "form.file", Code: code, Message: "Nom de fichier invalide. " + msg})
	}
	return nil
}

package httpapi

import (
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/recouvra/recouvra/internal/httpapi/oapi"
)

// strategyRunPrintFile serves GET /api/v1/strategy-runs/{id}/print-file:
// the pass's letters for the post in one PDF (app.StrategyRunPrintFile).
func (a *API) strategyRunPrintFile(c *gin.Context) {
	ctx := c.Request.Context()
	id, err := pathID(c)
	if err != nil {
		a.fail(c, err)
		return
	}
	f, err := a.deps.App.StrategyRunPrintFile(ctx, principalFrom(ctx), id)
	if err != nil {
		a.fail(c, err)
		return
	}
	h := c.Writer.Header()
	h.Set("Content-Length", strconv.Itoa(len(f.PDF)))
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": f.FileName}))
	h.Set("Cache-Control", "private, no-store")
	c.Data(http.StatusOK, "application/pdf", f.PDF)
}

// recordRegisteredNumbers serves POST /api/v1/strategy-runs/{id}/registered-numbers:
// the post's list of registered numbers, one multipart file part.
func (a *API) recordRegisteredNumbers(c *gin.Context) {
	ctx := c.Request.Context()
	id, err := pathID(c)
	if err != nil {
		a.fail(c, err)
		return
	}
	a.readUpload(c, upload{what: "la liste des numéros de recommandé", fieldMax: 64,
		field: func(string, string) error { return nil },
		file: func(part *multipart.Part) (int, any, error) {
			if err := fileNameProblem(part.FileName()); err != nil {
				return 0, nil, err
			}
			res, err := a.deps.App.RecordRegisteredLetters(ctx, principalFrom(ctx), id, part)
			if err != nil {
				return 0, nil, err
			}
			out := oapi.RegisteredNumbersResult{Lines: res.Lines, Recorded: res.Recorded, Duplicates: res.Duplicates,
				Refused: make([]struct {
					Field   oapi.RegisteredNumbersResultRefusedField `json:"field"`
					Line    int                                      `json:"line"`
					Message string                                   `json:"message"`
				}, len(res.Refused))}
			for i, r := range res.Refused {
				out.Refused[i].Field, out.Refused[i].Line, out.Refused[i].Message = oapi.RegisteredNumbersResultRefusedField(r.Field), r.Line, r.Message
			}
			return http.StatusOK, out, nil
		},
	})
}

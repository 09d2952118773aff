package httpapi

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
)

var boundsSpec = []byte(`
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /amounts:
    post:
      operationId: postAmount
      x-rbac: public
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              additionalProperties: false
              properties:
                amount_cents: {type: integer, format: int64, minimum: -9007199254740991, maximum: 9007199254740991}
                numbers: {type: object, additionalProperties: {type: string, maxLength: 10}}
      responses:
        "204": {description: ok}
        default:
          description: problem
          content:
            application/problem+json:
              schema: {type: object}
`)

// TestValidationProblemsStayBoundedAndReadable: a bound is written as the
// integer it is, and a field named by the client (an unknown property as
// long as the body allows) is not echoed back whole — the contract bounds
// FieldError.field.
func TestValidationProblemsStayBoundedAndReadable(t *testing.T) {
	f := newFixture(t, boundsSpec)
	f.api.contract.POST("/amounts", func(c *gin.Context) { c.Status(204) })

	long := strings.Repeat("é", 5000)
	r := f.client.Do("POST", "/amounts", `{"amount_cents": 9007199254740992, "`+long+`": 1}`)
	p := r.Problem(t)
	if r.Status != 422 {
		t.Fatalf("want 422, got %d %+v", r.Status, p)
	}
	var sawMax, sawUnknown bool
	for _, e := range p.Errors {
		if len(e.Field) > maxFieldLen || !utf8.ValidString(e.Field) {
			t.Errorf("field not bounded to %d bytes of UTF-8: %d bytes", maxFieldLen, len(e.Field))
		}
		switch {
		case e.Field == "body.amount_cents":
			sawMax = true
			if want := "La valeur doit être au plus 9007199254740991."; e.Message != want {
				t.Errorf("maximum message %q, want %q", e.Message, want)
			}
		case strings.HasPrefix(e.Field, "body.éé") && strings.HasSuffix(e.Field, "…"):
			sawUnknown = true
		}
	}
	if !sawMax || !sawUnknown {
		t.Fatalf("want the amount (%v) and the cut unknown field (%v) named among %d errors", sawMax, sawUnknown, len(p.Errors))
	}
	// A rule broken a thousand times is named for the first 200 fields.
	var many strings.Builder
	many.WriteString(`{"numbers": {`)
	for i := range 1000 {
		if i > 0 {
			many.WriteString(",")
		}
		fmt.Fprintf(&many, `"n%d": 1`, i)
	}
	many.WriteString("}}")
	r = f.client.Do("POST", "/amounts", many.String())
	if p := r.Problem(t); r.Status != 422 || len(p.Errors) != maxProblemFields {
		t.Fatalf("want 422 naming %d fields, got %d naming %d", maxProblemFields, r.Status, len(p.Errors))
	}
	if got := boundedField("body.amount_cents"); got != "body.amount_cents" {
		t.Errorf("a short field must stay whole, got %q", got)
	}
}

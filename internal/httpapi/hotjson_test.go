package httpapi

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"net/http/httptest"
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"
	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/recouvra/recouvra/internal/httpapi/oapi"
)

// TestHotJSONMatchesEncodingJSON: the statement written by hotjson.go is,
// byte for byte, what the generated handler wrote with encoding/json — on
// random statements whose every field is filled (strings with quotes,
// HTML characters, control characters, U+2028, invalid UTF-8; slices nil,
// empty or full). A field the contract adds and hotjson.go does not write
// makes the bytes differ.
func TestHotJSONMatchesEncodingJSON(t *testing.T) {
	rng := rand.New(rand.NewPCG(18, 18))
	for i := range 300 {
		var s oapi.Statement
		fill(rng, reflect.ValueOf(&s).Elem(), 0)
		var want bytes.Buffer
		if err := json.NewEncoder(&want).Encode(s); err != nil {
			t.Fatal(err)
		}
		rec := httptest.NewRecorder()
		if err := statementResponse(s).VisitGetStatementResponse(rec); err != nil {
			t.Fatal(err)
		}
		if got := rec.Body.String(); got != want.String() {
			t.Fatalf("statement %d differs:\nencoding/json: %s\nhotjson:       %s", i, want.String(), got)
		}
		if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/json" {
			t.Fatalf("status %d, type %q", rec.Code, rec.Header().Get("Content-Type"))
		}
		// The generated response, for the record: the same bytes.
		gen := httptest.NewRecorder()
		if err := oapi.GetStatement200JSONResponse(s).VisitGetStatementResponse(gen); err != nil || gen.Body.String() != want.String() {
			t.Fatalf("the generated response differs from encoding/json: %v", err)
		}
	}
}

var hotStrings = []string{"", "D-2026-000042", `guillemets "et" \ barre`, "<b>&amp;</b>", "ligne\nsuivante\ttab\r\b\f\x01\x1f",
	"é à ç — €", "\u2028\u2029", "invalide \xff\xfe fin", "\xe2\x82", "Intérêts au taux légal (C. mon. fin. L313-2)"}

// fill sets every field of v to a random value, slices nil, empty or of
// one to three elements.
func fill(rng *rand.Rand, v reflect.Value, depth int) {
	switch v.Type() {
	case reflect.TypeFor[openapi_types.Date]():
		v.Set(reflect.ValueOf(openapi_types.Date{Time: time.Date(1990+rng.IntN(60), time.Month(1+rng.IntN(12)), 1+rng.IntN(28), 0, 0, 0, 0, time.UTC)}))
		return
	case reflect.TypeFor[uuid.UUID]():
		var u uuid.UUID
		for i := range u {
			u[i] = byte(rng.IntN(256))
		}
		v.Set(reflect.ValueOf(u))
		return
	}
	switch v.Kind() {
	case reflect.Struct:
		for i := range v.NumField() {
			fill(rng, v.Field(i), depth+1)
		}
	case reflect.Slice:
		switch n := rng.IntN(5); n {
		case 0: // nil
		default:
			s := reflect.MakeSlice(v.Type(), n-1, n-1)
			for i := range n - 1 {
				fill(rng, s.Index(i), depth+1)
			}
			v.Set(s)
		}
	case reflect.String:
		v.SetString(hotStrings[rng.IntN(len(hotStrings))])
	case reflect.Bool:
		v.SetBool(rng.IntN(2) == 1)
	case reflect.Int, reflect.Int64, reflect.Int32:
		v.SetInt(rng.Int64N(1<<53) - 1<<52)
	default:
		panic("fill: unhandled " + v.Type().String() + ": hotjson_test.go and hotjson.go must learn it")
	}
}

// BenchmarkStatementJSON: a twenty-claim statement, encoding/json (the
// generated response) against hotjson.go.
func BenchmarkStatementJSON(b *testing.B) {
	rng := rand.New(rand.NewPCG(20, 20))
	var s oapi.Statement
	fill(rng, reflect.ValueOf(&s).Elem(), 0)
	s.Claims = make([]oapi.StatementClaim, 20)
	for i := range s.Claims {
		fill(rng, reflect.ValueOf(&s.Claims[i]).Elem(), 1)
	}
	b.Run("encoding-json", func(b *testing.B) {
		for b.Loop() {
			_ = oapi.GetStatement200JSONResponse(s).VisitGetStatementResponse(httptest.NewRecorder())
		}
	})
	b.Run("hotjson", func(b *testing.B) {
		for b.Loop() {
			_ = statementResponse(s).VisitGetStatementResponse(httptest.NewRecorder())
		}
	})
}

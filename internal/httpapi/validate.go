package httpapi

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"

	"github.com/recouvra/recouvra/internal/recouvra"
)

// requestProblem turns the validator's errors into one domain error: 400 when
// the body cannot be parsed at all, else 422 with one entry per field.
func requestProblem(err error) error {
	var fields []recouvra.FieldError
	malformed := false
	var walk func(err error, where string)
	walk = func(err error, where string) {
		// A type switch, not errors.As: the wrappers unwrap to each other and
		// the outermost one knows where in the request the problem is.
		switch e := err.(type) {
		case openapi3.MultiError:
			for _, inner := range e {
				walk(inner, where)
			}
		case *openapi3filter.RequestError:
			switch {
			case e.Parameter != nil:
				where = e.Parameter.In + "." + e.Parameter.Name
			case e.RequestBody != nil:
				where = "body"
			}
			if e.Err == nil {
				fields = append(fields, recouvra.FieldError{Field: where, Code: "invalid", Message: frenchReason(e.Reason)})
				return
			}
			walk(e.Err, where)
		case *openapi3filter.ParseError:
			if where == "body" {
				malformed = true
				return
			}
			fields = append(fields, recouvra.FieldError{Field: where, Code: "format", Message: "Valeur illisible."})
		case *openapi3.SchemaError:
			field := where
			if ptr := e.JSONPointer(); len(ptr) > 0 {
				field += "." + strings.Join(ptr, ".")
			}
			if m := unsupportedProperty.FindStringSubmatch(e.Reason); m != nil {
				// additionalProperties: false reports on the object; name the field.
				fields = append(fields, recouvra.FieldError{Field: field + "." + m[1], Code: "additionalProperties", Message: "Champ inconnu."})
				return
			}
			fields = append(fields, recouvra.FieldError{Field: field, Code: schemaCode(e), Message: schemaMessage(e)})
		default:
			if inner := errors.Unwrap(err); inner != nil {
				walk(inner, where)
				return
			}
			fields = append(fields, recouvra.FieldError{Field: where, Code: "invalid", Message: "Valeur invalide."})
		}
	}
	walk(err, "")
	if malformed {
		return recouvra.Errorf(recouvra.ECodeMalformed, "Le corps de la requête n'est pas un JSON valide.")
	}
	for i := range fields {
		fields[i].Field = boundedField(fields[i].Field)
	}
	sort.SliceStable(fields, func(i, j int) bool { return fields[i].Field < fields[j].Field })
	if len(fields) > maxProblemFields {
		fields = fields[:maxProblemFields]
	}
	return recouvra.Invalid("Certains champs sont invalides.", fields...)
}

// maxProblemFields bounds the fields one problem names: a 1 MiB body can
// break a rule a hundred thousand times, and the answer need not repeat it.
const maxProblemFields = 200

// maxFieldLen bounds a field path in a problem (FieldError.field in the
// contract): an unknown property's name is the client's, up to the size of
// the body, and is not echoed back whole.
const maxFieldLen = 200

// boundedField cuts a field path to maxFieldLen bytes, on a character
// boundary, marking the cut with "…".
func boundedField(f string) string {
	if len(f) <= maxFieldLen {
		return f
	}
	cut := maxFieldLen - len("…")
	for cut > 0 && !utf8.RuneStart(f[cut]) {
		cut--
	}
	return f[:cut] + "…"
}

// number writes a schema bound as the integer it is (9007199254740991, not
// 9.007199254740991e+15).
func number(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// unsupportedProperty finds the field name in kin-openapi's reason for an
// additionalProperties violation.
var unsupportedProperty = regexp.MustCompile(`^property "([^"]+)" is unsupported`)

// schemaCode names the rule a value broke with the JSON Schema keyword.
func schemaCode(e *openapi3.SchemaError) string {
	if e.SchemaField == "" {
		return "invalid"
	}
	return e.SchemaField
}

// schemaMessage says in French what a JSON Schema keyword asks.
func schemaMessage(e *openapi3.SchemaError) string {
	s := e.Schema
	switch e.SchemaField {
	case "required":
		return "Ce champ est obligatoire."
	case "type":
		if s != nil && s.Type != nil {
			return "Type attendu : " + strings.Join(s.Type.Slice(), " ou ") + "."
		}
		return "Type incorrect."
	case "enum":
		if s != nil {
			vals := make([]string, len(s.Enum))
			for i, v := range s.Enum {
				vals[i] = fmt.Sprint(v)
			}
			return "Valeur non autorisée ; valeurs possibles : " + strings.Join(vals, ", ") + "."
		}
	case "format":
		if s != nil {
			return "Format attendu : " + s.Format + "."
		}
	case "minLength":
		if s != nil {
			return fmt.Sprintf("Au moins %d caractère(s).", s.MinLength)
		}
	case "maxLength":
		if s != nil && s.MaxLength != nil {
			return fmt.Sprintf("Au plus %d caractères.", *s.MaxLength)
		}
	case "minimum":
		if s != nil && s.Min != nil {
			return fmt.Sprintf("La valeur doit être au moins %s.", number(*s.Min))
		}
	case "maximum":
		if s != nil && s.Max != nil {
			return fmt.Sprintf("La valeur doit être au plus %s.", number(*s.Max))
		}
	case "pattern":
		return "Format incorrect."
	case "additionalProperties":
		return "Champ inconnu."
	case "minItems":
		if s != nil {
			return fmt.Sprintf("Au moins %d élément(s).", s.MinItems)
		}
	case "maxItems":
		if s != nil && s.MaxItems != nil {
			return fmt.Sprintf("Au plus %d éléments.", *s.MaxItems)
		}
	}
	return "Valeur invalide."
}

func frenchReason(reason string) string {
	switch {
	case strings.Contains(reason, "must have a value"), strings.Contains(reason, "required"):
		return "Ce champ est obligatoire."
	case strings.Contains(reason, "header Content-Type"):
		return "Type de contenu non pris en charge."
	}
	return "Valeur invalide."
}

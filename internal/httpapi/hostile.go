package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/recouvra/recouvra/internal/recouvra"
)

// Limits of what the gate lets through to the validator and the handlers.
// They are decided once, here, for every operation of the contract: a NUL
// byte makes PostgreSQL refuse the statement (a 500), invalid UTF-8 and lone
// surrogates become U+FFFD silently in Go's decoder, and an unbounded body,
// depth or array is memory an anonymous caller could take.
const (
	// DefaultMaxBodyBytes bounds a request body outside uploads.
	DefaultMaxBodyBytes = 1 << 20
	// maxJSONDepth bounds nesting of objects and arrays in a JSON body.
	maxJSONDepth = 32
	// maxJSONArray bounds the elements of one JSON array.
	maxJSONArray = 10_000
)

// readBody reads a request body that is not an upload, refusing it with 413
// as soon as it is known to be over max: from Content-Length before reading
// anything, else (chunked) after max+1 bytes, never more.
func readBody(r *http.Request, max int64) ([]byte, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	if r.ContentLength > max {
		return nil, bodyTooLarge(max)
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, max+1))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, bodyTooLarge(max)
		}
		return nil, &recouvra.Error{Code: recouvra.ECodeMalformed, Message: "Corps de requête illisible.", Err: err}
	}
	if int64(len(body)) > max {
		return nil, bodyTooLarge(max)
	}
	return body, nil
}

func bodyTooLarge(max int64) error {
	return recouvra.Errorf(recouvra.ECodeTooLarge, "Le corps de la requête dépasse la taille maximale de %s.", byteSize(max))
}

// byteSize writes a byte count the way people read it.
func byteSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d Mio", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d Kio", n>>10)
	}
	return fmt.Sprintf("%d octets", n)
}

// isJSON says whether a Content-Type names JSON (application/json or a
// +json suffix such as application/merge-patch+json).
func isJSON(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	return mt == "application/json" || strings.HasSuffix(mt, "+json")
}

func isForm(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && mt == "application/x-www-form-urlencoded"
}

// textProblem says what is wrong with one piece of text, or "" when nothing
// is: text must be valid UTF-8 without NUL.
func textProblem(s string) (code, message string) {
	if !utf8.ValidString(s) {
		return "encoding", "Texte invalide : encodage UTF-8 incorrect."
	}
	if strings.IndexByte(s, 0) >= 0 {
		return "character", "Texte invalide : caractère nul (U+0000) interdit."
	}
	return "", ""
}

// screenValues checks every name and value of a query string or a form.
func screenValues(where string, vals url.Values, fields []recouvra.FieldError) []recouvra.FieldError {
	for name, vs := range vals {
		field := where + "." + printable(name)
		if code, msg := textProblem(name); code != "" {
			fields = append(fields, recouvra.FieldError{Field: field, Code: code, Message: "Nom de paramètre invalide. " + msg})
			continue
		}
		for _, v := range vs {
			if code, msg := textProblem(v); code != "" {
				fields = append(fields, recouvra.FieldError{Field: field, Code: code, Message: msg})
				break
			}
		}
	}
	return fields
}

// screenRequest refuses hostile text anywhere in the request line and
// headers: path parameters, query parameters and header values must be
// valid UTF-8 without NUL or other control characters in headers.
func screenRequest(r *http.Request, pathParams map[string]string) error {
	var fields []recouvra.FieldError
	for name, v := range pathParams {
		if code, msg := textProblem(v); code != "" {
			fields = append(fields, recouvra.FieldError{Field: "path." + name, Code: code, Message: msg})
		}
	}
	if r.URL.RawQuery != "" {
		q, err := url.ParseQuery(r.URL.RawQuery)
		if err != nil {
			return recouvra.Invalid("La chaîne de requête est mal encodée.",
				recouvra.FieldError{Field: "query", Code: "encoding", Message: "Encodage URL incorrect (séquence %XX invalide)."})
		}
		fields = screenValues("query", q, fields)
	}
	for name, vs := range r.Header {
		for _, v := range vs {
			if code, msg := headerProblem(v); code != "" {
				fields = append(fields, recouvra.FieldError{Field: "header." + printable(name), Code: code, Message: msg})
				break
			}
		}
	}
	if len(fields) > 0 {
		return recouvra.Invalid("La requête contient du texte invalide.", sortFields(fields)...)
	}
	return nil
}

// headerProblem is textProblem for a header value, which may also not hold
// control characters (only tab): they end up in the audit log and in
// PostgreSQL.
func headerProblem(v string) (code, message string) {
	if code, msg := textProblem(v); code != "" {
		return code, msg
	}
	for i := 0; i < len(v); i++ {
		if c := v[i]; (c < 0x20 && c != '\t') || c == 0x7f {
			return "character", "Caractère de contrôle interdit dans un en-tête."
		}
	}
	return "", ""
}

// screenBody checks a body that is not an upload: a JSON body must be one
// well-formed JSON value, without duplicate keys, within the depth and
// array bounds, whose strings (and keys) are valid Unicode without NUL and
// without lone surrogate escapes; a form body's fields must be valid UTF-8
// without NUL. Other bodies are left to the validator, which refuses media
// types the operation does not declare.
func screenBody(contentType string, body []byte) error {
	switch {
	case len(body) == 0:
		return nil
	case isJSON(contentType):
		return screenJSON(body)
	case isForm(contentType):
		vals, err := url.ParseQuery(string(body))
		if err != nil {
			return recouvra.Errorf(recouvra.ECodeMalformed, "Le formulaire est mal encodé.")
		}
		if fields := screenValues("form", vals, nil); len(fields) > 0 {
			return recouvra.Invalid("La requête contient du texte invalide.", sortFields(fields)...)
		}
	}
	return nil
}

// screenJSON is screenBody for JSON. encoding/json decides what is JSON
// (json.Valid refuses trailing data after the value); the walk below then
// reads the raw bytes, because the decoder would turn invalid UTF-8 and
// lone surrogates into U+FFFD without a word and keep the last of two
// duplicate keys.
func screenJSON(body []byte) error {
	if !json.Valid(body) {
		return recouvra.Errorf(recouvra.ECodeMalformed, "Le corps de la requête n'est pas un JSON valide (une seule valeur JSON, rien après).")
	}
	s := &jsonScreen{data: body}
	s.value("body", 0)
	if len(s.fields) > 0 {
		return recouvra.Invalid("Le corps de la requête contient des données refusées.", sortFields(s.fields)...)
	}
	return nil
}

// jsonScreen walks JSON already known to be well formed.
type jsonScreen struct {
	data   []byte
	pos    int
	fields []recouvra.FieldError
}

// maxScreenFields bounds the errors reported for one body.
const maxScreenFields = 20

func (s *jsonScreen) report(field, code, message string) {
	if len(s.fields) < maxScreenFields {
		s.fields = append(s.fields, recouvra.FieldError{Field: field, Code: code, Message: message})
	}
}

func (s *jsonScreen) space() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

// value reads one value at path; depth counts the enclosing containers.
// It returns false when the walk must stop (too deep).
func (s *jsonScreen) value(path string, depth int) bool {
	s.space()
	switch s.data[s.pos] {
	case '{':
		if depth >= maxJSONDepth {
			s.report(path, "depth", fmt.Sprintf("Imbrication trop profonde : au plus %d niveaux.", maxJSONDepth))
			return false
		}
		s.pos++
		seen := map[string]bool{}
		for {
			s.space()
			if s.data[s.pos] == '}' {
				s.pos++
				return true
			}
			if s.data[s.pos] == ',' {
				s.pos++
				s.space()
			}
			key, problem, msg := s.str()
			field := path + "." + printable(key)
			switch {
			case problem != "":
				s.report(field, problem, "Nom de champ invalide. "+msg)
			case seen[key]:
				s.report(field, "duplicate", "Champ en double.")
			}
			seen[key] = true
			s.space()
			s.pos++ // ':'
			if !s.value(field, depth+1) {
				return false
			}
		}
	case '[':
		if depth >= maxJSONDepth {
			s.report(path, "depth", fmt.Sprintf("Imbrication trop profonde : au plus %d niveaux.", maxJSONDepth))
			return false
		}
		s.pos++
		for i := 0; ; i++ {
			s.space()
			if s.data[s.pos] == ']' {
				s.pos++
				return true
			}
			if s.data[s.pos] == ',' {
				s.pos++
			}
			if i == maxJSONArray {
				s.report(path, "maxItems", fmt.Sprintf("Au plus %d éléments par liste.", maxJSONArray))
				return false
			}
			if !s.value(path+"."+strconv.Itoa(i), depth+1) {
				return false
			}
		}
	case '"':
		if _, problem, msg := s.str(); problem != "" {
			s.report(path, problem, msg)
		}
		return true
	default: // number, true, false, null
		for s.pos < len(s.data) {
			switch s.data[s.pos] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				return true
			}
			s.pos++
		}
		return true
	}
}

// str reads a string at s.pos (on its opening quote) and returns it
// decoded, with what is wrong with it, if anything.
func (s *jsonScreen) str() (text, problem, message string) {
	s.pos++ // opening quote
	var b strings.Builder
	for {
		c := s.data[s.pos]
		switch {
		case c == '"':
			s.pos++
			return b.String(), problem, message
		case c == '\\':
			s.pos++
			e := s.data[s.pos]
			s.pos++
			if e != 'u' {
				b.WriteByte(unescape(e))
				continue
			}
			r := hex4(s.data[s.pos:])
			s.pos += 4
			switch {
			case r == 0:
				problem, message = "character", "Texte invalide : caractère nul (U+0000) interdit."
				b.WriteByte(0) // kept, so that the field's name shows it
			case r >= 0xD800 && r < 0xDC00: // high surrogate: a low one must follow
				if s.pos+6 <= len(s.data) && s.data[s.pos] == '\\' && s.data[s.pos+1] == 'u' {
					if lo := hex4(s.data[s.pos+2:]); lo >= 0xDC00 && lo < 0xE000 {
						s.pos += 6
						b.WriteRune(0x10000 + (r-0xD800)<<10 + (lo - 0xDC00))
						continue
					}
				}
				problem, message = "encoding", "Texte invalide : demi-caractère UTF-16 isolé (\\u"+fmt.Sprintf("%04x", r)+")."
				b.WriteRune(utf8.RuneError)
			case r >= 0xDC00 && r < 0xE000:
				problem, message = "encoding", "Texte invalide : demi-caractère UTF-16 isolé (\\u"+fmt.Sprintf("%04x", r)+")."
				b.WriteRune(utf8.RuneError)
			default:
				b.WriteRune(r)
			}
		case c < utf8.RuneSelf:
			b.WriteByte(c)
			s.pos++
		default:
			r, size := utf8.DecodeRune(s.data[s.pos:])
			if r == utf8.RuneError && size == 1 {
				problem, message = "encoding", "Texte invalide : encodage UTF-8 incorrect."
				b.WriteRune(utf8.RuneError)
			} else {
				b.Write(s.data[s.pos : s.pos+size])
			}
			s.pos += size
		}
	}
}

func unescape(e byte) byte {
	switch e {
	case 'b':
		return '\b'
	case 'f':
		return '\f'
	case 'n':
		return '\n'
	case 'r':
		return '\r'
	case 't':
		return '\t'
	}
	return e // " \ /
}

// hex4 reads the four hex digits of a \u escape (json.Valid checked them).
func hex4(b []byte) rune {
	if len(b) < 4 {
		return -1
	}
	n, err := strconv.ParseUint(string(b[:4]), 16, 32)
	if err != nil {
		return -1
	}
	return rune(n)
}

// printable makes a name safe to put in a field path: invalid bytes become
// U+FFFD and NUL is written \u0000, so that the answer names the field
// without carrying the hostile text itself.
func printable(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if r := []rune(s); len(r) > 64 {
		s = string(r[:64]) + "…"
	}
	return strings.ReplaceAll(s, "\x00", `\u0000`)
}

func sortFields(fields []recouvra.FieldError) []recouvra.FieldError {
	for i := 1; i < len(fields); i++ {
		for j := i; j > 0 && fields[j].Field < fields[j-1].Field; j-- {
			fields[j], fields[j-1] = fields[j-1], fields[j]
		}
	}
	return fields
}

// screenedBody reads, bounds and screens the body of a request that is not
// an upload, and puts it back unchanged for the validator and the handler.
func screenedBody(r *http.Request, max int64) error {
	body, err := readBody(r, max)
	if err != nil {
		return err
	}
	if err := screenBody(r.Header.Get("Content-Type"), body); err != nil {
		return err
	}
	if r.Body != nil && r.Body != http.NoBody {
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
	}
	return nil
}

// declaresUpload says whether an operation takes multipart/form-data: only
// those skip the gate's body checks (their handler bounds and checks the
// parts). Another operation sent as multipart is read and validated like
// any body, and refused for its media type.
func declaresUpload(op *openapi3.Operation) bool {
	rb := op.RequestBody
	return rb != nil && rb.Value != nil && rb.Value.Content.Get("multipart/form-data") != nil
}

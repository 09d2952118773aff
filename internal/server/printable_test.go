package server_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/recouvra/recouvra/internal/apitest"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// Names in Greek, Cyrillic and accented Latin print on the letters as they
// are: DejaVu has them, nothing is replaced and nothing is logged.
func TestLettersPrintGreekCyrillicAndAccentedLatinNames(t *testing.T) {
	t.Parallel()
	logs := &apitest.LogBuffer{}
	w := newWorldWithLogs(t, logs)
	name := "Παπαδόπουλος Α.Ε. Жуков и сыновья Łódź Šťastný Çağrı Đoàn"
	line1 := "ул. Тверская, 7 — Οδός Ερμού 12"
	v := w.newCase(w.credA.ID, name, "")
	id := v.Case.ID.String()
	if _, err := w.db.Pool.Exec(context.Background(), "UPDATE debtors SET address_line1 = $1 WHERE id = $2", line1, v.Debtor.ID); err != nil {
		t.Fatal(err)
	}
	for _, kind := range []string{"amicable_letter", "statement"} {
		r, doc := w.generate("agent", id, map[string]any{"kind": kind})
		if r.Status != 201 {
			t.Fatalf("%s: %d %s", kind, r.Status, r.Body)
		}
		_, data := w.content("agent", doc.Id.String())
		text := apitest.PDFText(t, data)
		for _, want := range []string{name, line1} {
			if !strings.Contains(text, want) {
				t.Errorf("%s: %q not read back from:\n%s", kind, want, text)
			}
		}
		if strings.ContainsRune(text, '\uFFFD') {
			t.Errorf("%s: a character was replaced:\n%s", kind, text)
		}
	}
	if strings.Contains(logs.String(), "replaced characters") {
		t.Errorf("replacements logged for printable names:\n%s", logs.String())
	}
}

// Data entered before the entry rule, or in a script no bundled font has,
// still gives its documents: each such character is drawn as U+FFFD where
// it stood, and the document's log line says how many and which.
func TestLegacyTextNoFontHasStillGivesItsLetter(t *testing.T) {
	t.Parallel()
	logs := &apitest.LogBuffer{}
	w := newWorldWithLogs(t, logs)
	v := w.newCase(w.credA.ID, "Dupont", "")
	id := v.Case.ID.String()
	// Written straight to the database: the API refuses the control
	// character and the bidi override (see TestUnprintableTextRefusedAtEntry).
	if _, err := w.db.Pool.Exec(context.Background(), "UPDATE debtors SET name = $1, address_line2 = $2 WHERE id = $3",
		"山田商事 😀 Dupont", "Bât.\x01B \u202Eétage", v.Debtor.ID); err != nil {
		t.Fatal(err)
	}
	r, doc := w.generate("agent", id, map[string]any{"kind": "amicable_letter"})
	if r.Status != 201 {
		t.Fatalf("letter: %d %s", r.Status, r.Body)
	}
	resp, data := w.content("agent", doc.Id.String())
	if resp.StatusCode != 200 || !strings.HasPrefix(string(data), "%PDF-") {
		t.Fatalf("content: %d %.20q", resp.StatusCode, data)
	}
	text := apitest.PDFText(t, data)
	for _, want := range []string{"\uFFFD\uFFFD\uFFFD\uFFFD \uFFFD Dupont", "Bât.\uFFFDB \uFFFDétage"} {
		if !strings.Contains(text, want) {
			t.Errorf("%q (visible replacements) not in the letter:\n%s", want, text)
		}
	}
	if strings.ContainsAny(text, "山😀\x01\u202E") {
		t.Errorf("an unprintable character reached the page:\n%s", text)
	}
	// The log line: kind, case, count, code points.
	var found bool
	for _, line := range strings.Split(logs.String(), "\n") {
		var e struct {
			Msg        string   `json:"msg"`
			Level      string   `json:"level"`
			Kind       string   `json:"kind"`
			CaseID     string   `json:"case_id"`
			Replaced   int      `json:"replaced"`
			Characters []string `json:"characters"`
		}
		if json.Unmarshal([]byte(line), &e) != nil || e.Msg != "document rendered with replaced characters" {
			continue
		}
		found = true
		// The name is printed in the address window and in the statement
		// line "Débiteur", the address line in the window only.
		want := []string{"U+5C71", "U+7530", "U+5546", "U+4E8B", "U+1F600", "U+0001", "U+202E"}
		if e.Level != "WARN" || e.Kind != "amicable_letter" || e.CaseID != id || e.Replaced < len(want) || strings.Join(e.Characters, " ") != strings.Join(want, " ") {
			t.Errorf("log line %s, want WARN amicable_letter case %s with %v", line, id, want)
		}
		if strings.Contains(line, "Dupont") || strings.Contains(line, "山") {
			t.Errorf("the log line carries the text itself: %s", line)
		}
	}
	if !found {
		t.Errorf("no log line for the replaced characters:\n%s", logs.String())
	}
}

// Text that cannot be printed on a legal letter is refused where it
// enters, 422 naming the field, for every class of character.
func TestUnprintableTextRefusedAtEntry(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	claim := func(number string) map[string]any {
		return map[string]any{"invoice_number": number, "issued_on": "2026-06-01", "due_on": "2026-07-01", "amount_cents": 1000}
	}
	newCase := func(debtor map[string]any, ref, invoice string) map[string]any {
		d := map[string]any{"kind": "company", "name": "Scierie Dupont", "address": map[string]any{"line1": "4 rue du Moulin", "postal_code": "39000", "city": "Dole"}}
		for k, v := range debtor {
			d[k] = v
		}
		return map[string]any{"creditor_id": w.credA.ID, "creditor_reference": ref, "debtor": d, "claims": []any{claim(invoice)}}
	}
	classes := []struct{ class, char, code string }{
		{"C0 control", "\x01", "unprintable.control"},
		{"escape", "\x1b", "unprintable.control"},
		{"tab", "\t", "unprintable.line_break"},
		{"newline", "\n", "unprintable.line_break"},
		{"DEL", "\x7f", "unprintable.control"},
		{"C1 control", "\u0085", "unprintable.control"},
		{"replacement character", "\uFFFD", "unprintable.replacement"},
		{"private use", "\uE000", "unprintable.private_use"},
		{"unassigned", "\u0378", "unprintable.unassigned"},
		{"noncharacter", "\uFFFF", "unprintable.unassigned"},
		{"right-to-left override", "\u202E", "unprintable.bidi"},
		{"first strong isolate", "\u2068", "unprintable.bidi"},
	}
	for _, c := range classes {
		bad := "Dupont" + c.char + "SA"
		for _, e := range []struct {
			field string
			body  map[string]any
		}{
			{"debtor.name", newCase(map[string]any{"name": bad}, "R-1", "F-1")},
			{"debtor.address.line1", newCase(map[string]any{"address": map[string]any{"line1": bad, "postal_code": "39000", "city": "Dole"}}, "R-1", "F-1")},
			{"debtor.address.city", newCase(map[string]any{"address": map[string]any{"line1": "1 rue", "postal_code": "39000", "city": bad}}, "R-1", "F-1")},
			{"creditor_reference", newCase(nil, bad, "F-1")},
			{"claims[0].invoice_number", newCase(nil, "R-1", bad)},
		} {
			r := w.as("agent").Do("POST", "/api/v1/cases", e.body)
			if r.Status != 422 {
				t.Errorf("%s in %s: %d %s", c.class, e.field, r.Status, r.Body)
				continue
			}
			p := r.Problem(t)
			if got := fieldCodes(p)[e.field]; got != c.code {
				t.Errorf("%s in %s: errors %v, want %s", c.class, e.field, fieldCodes(p), c.code)
			}
			for _, fe := range p.Errors {
				if fe.Field == e.field && !strings.Contains(fe.Message, "U+") && c.code != "unprintable.replacement" && c.code != "unprintable.line_break" {
					t.Errorf("%s: the message does not name the character: %q", c.class, fe.Message)
				}
			}
		}
	}
	// NUL: refused too (by the gate before the domain sees it), naming the field.
	if r := w.as("agent").Do("POST", "/api/v1/cases", newCase(map[string]any{"name": "Dupont\x00SA"}, "R-1", "F-1")); r.Status != 422 || !strings.Contains(string(r.Body), "debtor.name") {
		t.Errorf("NUL in the debtor's name: %d %s", r.Status, r.Body)
	}

	// The other entries of printed text: creditors, claims added later,
	// court steps, the timeline's text.
	bad := "Tribunal\u202E de commerce"
	check := func(what string, r *apitest.Response, field, code string) {
		t.Helper()
		if r.Status != 422 {
			t.Errorf("%s: %d %s", what, r.Status, r.Body)
			return
		}
		if got := fieldCodes(r.Problem(t)); got[field] != code {
			t.Errorf("%s: errors %v, want %s=%s", what, got, field, code)
		}
	}
	check("creditor name", w.as("admin").Do("POST", "/api/v1/creditors", map[string]any{"legal_name": bad}), "legal_name", "unprintable.bidi")
	check("creditor city", w.as("admin").Do("POST", "/api/v1/creditors", map[string]any{"legal_name": "Client", "address": map[string]any{"line1": "1 rue", "postal_code": "75001", "city": "Paris\x01"}}),
		"address.city", "unprintable.control")
	check("creditor contact", w.as("admin").Do("POST", "/api/v1/creditors", map[string]any{"legal_name": "Client", "contacts": []any{map[string]any{"name": "Anne\tMartin"}}}),
		"contacts[0].name", "unprintable.line_break")
	id := w.caseA.Case.ID.String()
	check("claim added", w.as("agent").Do("POST", "/api/v1/cases/"+id+"/claims", map[string]any{"claims": []any{claim("F-\uE000")}}),
		"claims[0].invoice_number", "unprintable.private_use")
	check("timeline note", w.as("agent").Do("POST", "/api/v1/cases/"+id+"/events", map[string]any{"type": "note", "data": map[string]any{"text": "appel\x07"}}),
		"data.text", "unprintable.control")
	check("payer reference", w.as("agent").Do("POST", "/api/v1/cases/"+id+"/payments",
		map[string]any{"amount_cents": 100, "received_on": recouvra.DateOf(w.clock.Now()).String(), "method": "transfer", "payer_reference": "VIR\u0085 123"}, "Idempotency-Key", "printable-"+w.unique()),
		"payer_reference", "unprintable.control")
	if r := w.as("agent").Do("POST", "/api/v1/cases/"+id+"/events", map[string]any{"type": "note", "data": map[string]any{"text": "première ligne\nseconde ligne"}}); r.Status != 201 {
		t.Errorf("a note on two lines: %d %s", r.Status, r.Body)
	}
	if _, err := w.db.Pool.Exec(context.Background(), "UPDATE cases SET stage = 'injunction' WHERE id = $1", id); err != nil {
		t.Fatal(err)
	}
	check("court", w.as("lawyer").Do("POST", "/api/v1/cases/"+id+"/court-steps", map[string]any{"step": "filed", "on": "2026-11-02", "court": bad}, "If-Match", w.etag(id)),
		"court", "unprintable.bidi")
	// Nothing was written by the refusals.
	var n int
	if err := w.db.Pool.QueryRow(context.Background(), "SELECT (SELECT count(*) FROM cases) + (SELECT count(*) FROM creditors) + (SELECT count(*) FROM payments)").Scan(&n); err != nil || n != 4 {
		t.Errorf("rows after refusals: %d %v (want the world's 2 cases and 2 creditors, no payment)", n, err)
	}
}

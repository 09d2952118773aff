package recouvra_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/recouvra/recouvra/internal/recouvra"
)

func TestUnprintableRefusesEachClassAndAcceptsEveryScript(t *testing.T) {
	for _, c := range []struct {
		class string
		in    string
		lines recouvra.Lines
		code  string // "" when printable
	}{
		{"accented Latin", "Société Générale Œuvres Łódź Šťastný Çağrı Đoàn", recouvra.OneLine, ""},
		{"Greek", "Ελληνικά Τρόφιμα ΑΕ", recouvra.OneLine, ""},
		{"Cyrillic", "ООО «Жёлтый Щит»", recouvra.OneLine, ""},
		{"CJK (printed as U+FFFD by the fonts, not refused)", "山田太郎", recouvra.OneLine, ""},
		{"emoji", "Café 😀", recouvra.OneLine, ""},
		{"combining mark", "Cafe\u0301", recouvra.OneLine, ""},
		{"no-break spaces and apostrophe", "l\u2019Atelier\u00a0du\u202fcoin", recouvra.OneLine, ""},
		{"empty", "", recouvra.OneLine, ""},
		{"newline in free text", "premier\nsecond", recouvra.MultiLine, ""},
		{"NUL", "a\x00b", recouvra.OneLine, "unprintable.control"},
		{"NUL in free text", "a\x00b", recouvra.MultiLine, "unprintable.control"},
		{"C0 control", "a\x01b", recouvra.OneLine, "unprintable.control"},
		{"escape", "a\x1b[31mb", recouvra.OneLine, "unprintable.control"},
		{"tab", "a\tb", recouvra.OneLine, "unprintable.line_break"},
		{"tab in free text", "a\tb", recouvra.MultiLine, "unprintable.line_break"},
		{"newline in a name", "a\nb", recouvra.OneLine, "unprintable.line_break"},
		{"carriage return", "a\rb", recouvra.MultiLine, "unprintable.line_break"},
		{"line separator", "a\u2028b", recouvra.OneLine, "unprintable.line_break"},
		{"DEL", "a\x7fb", recouvra.OneLine, "unprintable.control"},
		{"C1 control", "a\u0085b", recouvra.OneLine, "unprintable.control"},
		{"C1 control CSI", "a\u009bb", recouvra.OneLine, "unprintable.control"},
		{"replacement character", "Soci\uFFFDt\uFFFD", recouvra.OneLine, "unprintable.replacement"},
		{"private use (BMP)", "a\uE000b", recouvra.OneLine, "unprintable.private_use"},
		{"private use (plane 15)", "a\U000F0000b", recouvra.OneLine, "unprintable.private_use"},
		{"unassigned", "a\u0378b", recouvra.OneLine, "unprintable.unassigned"},
		{"noncharacter", "a\uFFFEb", recouvra.OneLine, "unprintable.unassigned"},
		{"unassigned (plane 3 beyond CJK)", "a\U0003FFF0b", recouvra.OneLine, "unprintable.unassigned"},
		{"left-to-right embedding", "a\u202Ab", recouvra.OneLine, "unprintable.bidi"},
		{"right-to-left override", "FA-\u202E1000", recouvra.OneLine, "unprintable.bidi"},
		{"pop directional formatting", "a\u202Cb", recouvra.OneLine, "unprintable.bidi"},
		{"left-to-right isolate", "a\u2066b", recouvra.OneLine, "unprintable.bidi"},
		{"pop directional isolate", "a\u2069b", recouvra.OneLine, "unprintable.bidi"},
		{"invalid UTF-8", "a\xffb", recouvra.OneLine, "unprintable.encoding"},
		{"lone surrogate (as WTF-8)", "a\xed\xa0\x80b", recouvra.OneLine, "unprintable.encoding"},
	} {
		code, msg, ok := recouvra.Unprintable(c.in, c.lines)
		if ok != (c.code == "") || code != c.code {
			t.Errorf("%s %q: %v %q %q, want code %q", c.class, c.in, ok, code, msg, c.code)
		}
		if !ok && (msg == "" || strings.ContainsAny(msg, "\x00\ufffd") && c.code != "unprintable.replacement") {
			t.Errorf("%s: message %q", c.class, msg)
		}
	}
}

// The rule is applied by the Validate methods of what documents print,
// each error naming its field.
func TestValidateRefusesUnprintableFieldsByName(t *testing.T) {
	bad := "Dupont\u202E"
	fields := func(fe []recouvra.FieldError) map[string]string {
		m := map[string]string{}
		for _, f := range fe {
			m[f.Field] = f.Code
		}
		return m
	}
	want := func(t *testing.T, got map[string]string, names ...string) {
		t.Helper()
		for _, n := range names {
			if got[n] != "unprintable.bidi" {
				t.Errorf("%s: %q, want unprintable.bidi (all: %v)", n, got[n], got)
			}
		}
	}
	d := recouvra.Debtor{Kind: recouvra.DebtorCompany, Name: bad, Address: recouvra.Address{Line1: bad, Line2: bad, PostalCode: bad, City: bad},
		Emails: []string{bad}, Phones: []string{bad}}
	want(t, fields(d.Validate()), "debtor.name", "debtor.address.line1", "debtor.address.line2", "debtor.address.postal_code", "debtor.address.city",
		"debtor.emails[0]", "debtor.phones[0]")

	c := recouvra.Creditor{LegalName: bad, CreditorDetails: recouvra.CreditorDetails{Address: recouvra.Address{Line1: bad, City: bad},
		Contacts: []recouvra.Contact{{Name: "Anne", Role: "compta"}, {Name: bad, Email: bad, Phone: bad, Role: bad}}}}
	var ce *recouvra.Error
	if err := c.Validate(recouvra.DateOf(time.Now())); err == nil || !errors.As(err, &ce) {
		t.Fatalf("creditor: %v", err)
	}
	want(t, fields(ce.Fields), "legal_name", "address.line1", "address.city", "contacts[1].name", "contacts[1].email", "contacts[1].phone", "contacts[1].role")

	cl := recouvra.Claim{InvoiceNumber: bad}
	want(t, fields(cl.Validate("EUR", "claims[0].")), "claims[0].invoice_number")

	cs := recouvra.Case{Stage: recouvra.StageAmicable, Currency: "EUR"}
	today := recouvra.DateOf(time.Now())
	err := cs.AcceptPayment(recouvra.Payment{AmountCents: 100, ReceivedOn: today, Method: recouvra.MethodTransfer, PayerReference: bad}, nil, today)
	if !errors.As(err, &ce) {
		t.Fatalf("payment: %v", err)
	}
	want(t, fields(ce.Fields), "payer_reference")

	move := recouvra.Move{To: recouvra.StageIrrecoverable, Proof: &recouvra.Irrecoverability{Cause: recouvra.CauseOther, Proof: bad, On: today}}
	want(t, fields(cs.Blockers(move, recouvra.Facts{Today: today})), "proof.proof")
}

// Free text on the timeline may span lines; a one-line field may not; no
// text takes a control character.
func TestEventTextIsPrintable(t *testing.T) {
	today := recouvra.DateOf(time.Now())
	apply := func(typ recouvra.EventType, data map[string]any) []recouvra.FieldError {
		c := recouvra.Case{Stage: recouvra.StageAmicable, Currency: "EUR"}
		var e *recouvra.Error
		if err := c.ApplyEvent(typ, data, recouvra.Facts{Today: today}); err != nil {
			if !errors.As(err, &e) {
				t.Fatal(err)
			}
			return e.Fields
		}
		return nil
	}
	if f := apply(recouvra.EventEmail, map[string]any{"subject": "Relance", "note": "ligne 1\nligne 2"}); f != nil {
		t.Errorf("multi-line note refused: %v", f)
	}
	for _, c := range []struct {
		data  map[string]any
		field string
		code  string
	}{
		{map[string]any{"subject": "Rel\x01ance"}, "data.subject", "unprintable.control"},
		{map[string]any{"subject": "Relance\nsuite"}, "data.subject", "unprintable.line_break"},
		{map[string]any{"subject": "Relance", "note": "a\u202Eb"}, "data.note", "unprintable.bidi"},
		{map[string]any{"subject": "Relance", "note": "a\x00b"}, "data.note", "unprintable.control"},
	} {
		f := apply(recouvra.EventEmail, c.data)
		if len(f) != 1 || f[0].Field != c.field || f[0].Code != c.code {
			t.Errorf("%q: %v, want %s %s", c.data, f, c.field, c.code)
		}
	}
}

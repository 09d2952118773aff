package server_test

import (
	"strings"
	"testing"

	"github.com/recouvra/recouvra/internal/httpapi/oapi"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// TestCreditorCourtIdentity: the identity an injunction request prints of
// the creditor (CPC 57, 1407) is entered with the creditor, patched field
// by field like the mandate (what is sent replaces, what is left out
// stays, null clears the date of birth), read back by admin and by the
// creditor itself, and refused in French, naming the field, when it could
// not be printed on one line or its date of birth is impossible.
func TestCreditorCourtIdentity(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	admin := w.as("admin")
	today := recouvra.DateOf(w.clock.Now())

	r := admin.Do("POST", "/api/v1/creditors", map[string]any{
		"legal_name": "Imprimerie du Centre SAS", "siren": "732829320",
		"address":  map[string]any{"line1": "8 rue Blatin", "postal_code": "63000", "city": "Clermont-Ferrand"},
		"identity": map[string]any{"legal_form": " SAS ", "registry": "RCS Clermont-Ferrand", "representative_name": "Claire Roux", "representative_title": "présidente"},
	})
	var c oapi.Creditor
	r.Decode(t, &c)
	if r.Status != 201 {
		t.Fatalf("create: %d %s", r.Status, r.Body)
	}
	want := oapi.CreditorIdentity{LegalForm: "SAS", Registry: "RCS Clermont-Ferrand", RepresentativeName: "Claire Roux", RepresentativeTitle: "présidente"}
	if !sameIdentity(c.Identity, want) || !c.Identity.BornOn.IsNull() {
		t.Fatalf("created with %+v", c.Identity)
	}

	// A creditor created without an identity answers it empty, the date null.
	r = admin.Do("POST", "/api/v1/creditors", map[string]any{"legal_name": "Sans identité SARL"})
	var bare oapi.Creditor
	r.Decode(t, &bare)
	if r.Status != 201 || !sameIdentity(bare.Identity, oapi.CreditorIdentity{}) || !bare.Identity.BornOn.IsNull() || !strings.Contains(string(r.Body), `"born_on":null`) {
		t.Fatalf("bare creditor: %d %s", r.Status, r.Body)
	}

	// The patch replaces what it sends and keeps the rest.
	path := "/api/v1/creditors/" + c.Id.String()
	r = admin.Do("PATCH", path, map[string]any{"identity": map[string]any{"representative_name": "Paul Roux", "representative_title": "directeur général"}})
	r.Decode(t, &c)
	want.RepresentativeName, want.RepresentativeTitle = "Paul Roux", "directeur général"
	if r.Status != 200 || !sameIdentity(c.Identity, want) {
		t.Fatalf("patch representative: %d %s", r.Status, r.Body)
	}
	// Now an individual: the person's fields, the company's cleared.
	born := today.AddYears(-60)
	r = admin.Do("PATCH", path, map[string]any{
		"mandate":  map[string]any{"legal_status": "individual"},
		"identity": map[string]any{"legal_form": "", "registry": "", "representative_name": "", "representative_title": "", "profession": "imprimeur retraité", "nationality": "française", "born_on": born.String(), "born_in": "Riom (63)"},
	})
	r.Decode(t, &c)
	want = oapi.CreditorIdentity{Profession: "imprimeur retraité", Nationality: "française", BornIn: "Riom (63)"}
	if r.Status != 200 || !sameIdentity(c.Identity, want) || c.Identity.BornOn.MustGet().String() != born.String() {
		t.Fatalf("patch to a person: %d %s", r.Status, r.Body)
	}

	// Read back as admin and as the creditor's own user (row security).
	r = admin.Do("GET", path, nil)
	var got oapi.Creditor
	r.Decode(t, &got)
	if r.Status != 200 || !sameIdentity(got.Identity, want) || got.Identity.BornOn.MustGet().String() != born.String() {
		t.Fatalf("read back: %d %s", r.Status, r.Body)
	}
	w.createUser("imprimerie@recouvra.test", recouvra.RoleCreditor, &c.Id)
	w.tokens["imprimerie"] = w.login("imprimerie@recouvra.test")
	r = w.as("imprimerie").Do("GET", path, nil)
	r.Decode(t, &got)
	if r.Status != 200 || got.Identity.BornIn != "Riom (63)" {
		t.Fatalf("the creditor reads its own: %d %s", r.Status, r.Body)
	}

	// null clears the date of birth; the rest stays.
	r = admin.Do("PATCH", path, map[string]any{"identity": map[string]any{"born_on": nil}})
	r.Decode(t, &c)
	if r.Status != 200 || !c.Identity.BornOn.IsNull() || c.Identity.Profession != "imprimeur retraité" {
		t.Fatalf("clear born_on: %d %s", r.Status, r.Body)
	}

	// Refusals: 422, the field named, a French message; nothing changes.
	for _, tc := range []struct {
		name     string
		identity map[string]any
		field    string
		code     string
	}{
		{"born tomorrow", map[string]any{"born_on": today.AddDays(1).String()}, "identity.born_on", "future"},
		{"born before 1900", map[string]any{"born_on": "1899-12-31"}, "identity.born_on", "out_of_range"},
		{"a line break in the legal form", map[string]any{"legal_form": "SAS\nà capital variable"}, "identity.legal_form", "unprintable.line_break"},
		{"a bidi override in the representative's name", map[string]any{"representative_name": "Paul \u202eRoux"}, "identity.representative_name", "unprintable.bidi"},
		{"a tab in the place of birth", map[string]any{"born_in": "Riom\t(63)"}, "identity.born_in", "unprintable.line_break"},
		{"a control character in the nationality", map[string]any{"nationality": "fran\u0007çaise"}, "identity.nationality", "unprintable.control"},
	} {
		r := admin.Do("PATCH", path, map[string]any{"identity": tc.identity})
		p := r.Problem(t)
		found := false
		for _, e := range p.Errors {
			found = found || (e.Field == tc.field && e.Code == tc.code && frenchMessage(e.Message))
		}
		if r.Status != 422 || !found {
			t.Errorf("%s: %d %+v", tc.name, r.Status, p.Errors)
		}
	}
	// The contract bounds the lengths and refuses unknown fields.
	for _, tc := range []struct {
		name     string
		identity map[string]any
	}{
		{"legal form over 100 characters", map[string]any{"legal_form": strings.Repeat("S", 101)}},
		{"place of birth over 200 characters", map[string]any{"born_in": strings.Repeat("R", 201)}},
		{"an unknown field", map[string]any{"siege": "Riom"}},
		{"a date that is not a date", map[string]any{"born_on": "12/04/1951"}},
	} {
		if r := admin.Do("PATCH", path, map[string]any{"identity": tc.identity}); r.Status != 422 && r.Status != 400 {
			t.Errorf("%s: %d %s", tc.name, r.Status, r.Body)
		}
	}
	r = admin.Do("GET", path, nil)
	r.Decode(t, &got)
	if !sameIdentity(got.Identity, want) || !got.Identity.BornOn.IsNull() {
		t.Fatalf("a refused patch changed the identity: %s", r.Body)
	}
	// Only an admin enters it.
	if r := w.as("lawyer").Do("PATCH", path, map[string]any{"identity": map[string]any{"profession": "x"}}); r.Status != 403 {
		t.Fatalf("lawyer patch: %d", r.Status)
	}
}

// sameIdentity compares the texts of two identities (the date apart).
func sameIdentity(a, b oapi.CreditorIdentity) bool {
	return a.LegalForm == b.LegalForm && a.Registry == b.Registry && a.RepresentativeName == b.RepresentativeName &&
		a.RepresentativeTitle == b.RepresentativeTitle && a.Profession == b.Profession && a.Nationality == b.Nationality && a.BornIn == b.BornIn
}

// frenchMessage is a crude check that a message was written in French for
// a person: it is not empty and has no English-only giveaway.
func frenchMessage(m string) bool {
	return m != "" && !strings.Contains(strings.ToLower(m), "must") && !strings.Contains(strings.ToLower(m), "invalid")
}

// TestUserBar: an avocat's bar (CPC 416: no special power needed) is set
// on creation, changed and cleared by a patch, listed, and refused when it
// could not be printed on one line.
func TestUserBar(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	admin := w.as("admin")

	r := admin.Do("POST", "/api/v1/users", map[string]any{"email": "avocat@cabinet.test", "name": "Maître Anne Durand", "role": "lawyer",
		"password": testPassword, "bar": " Barreau de Lyon "})
	var u oapi.User
	r.Decode(t, &u)
	if r.Status != 201 || u.Bar != "Barreau de Lyon" {
		t.Fatalf("create: %d %s", r.Status, r.Body)
	}
	// Anyone else answers an empty bar.
	r = admin.Do("GET", "/api/v1/users/"+w.users["agent"].ID.String(), nil)
	var agent oapi.User
	r.Decode(t, &agent)
	if r.Status != 200 || agent.Bar != "" || !strings.Contains(string(r.Body), `"bar":""`) {
		t.Fatalf("agent: %d %s", r.Status, r.Body)
	}
	path := "/api/v1/users/" + u.Id.String()
	r = admin.Do("PATCH", path, map[string]any{"bar": "Barreau de Paris"})
	r.Decode(t, &u)
	if r.Status != 200 || u.Bar != "Barreau de Paris" || u.Name != "Maître Anne Durand" {
		t.Fatalf("patch: %d %s", r.Status, r.Body)
	}
	// A patch that leaves the bar out keeps it.
	r = admin.Do("PATCH", path, map[string]any{"name": "Maître Anne Durand-Roux"})
	r.Decode(t, &u)
	if r.Status != 200 || u.Bar != "Barreau de Paris" {
		t.Fatalf("rename: %d %s", r.Status, r.Body)
	}
	r = admin.Do("GET", "/api/v1/users?limit=200", nil)
	var page oapi.UserPage
	r.Decode(t, &page)
	found := false
	for _, it := range page.Items {
		found = found || (it.Id == u.Id && it.Bar == "Barreau de Paris")
	}
	if r.Status != 200 || !found {
		t.Fatalf("list: %d %s", r.Status, r.Body)
	}
	for _, tc := range []struct {
		name, bar, code string
	}{
		{"a line break", "Barreau\nde Lyon", "unprintable.line_break"},
		{"a private-use character", "Barreau de Lyon \ue000", "unprintable.private_use"},
	} {
		r := admin.Do("PATCH", path, map[string]any{"bar": tc.bar})
		p := r.Problem(t)
		if r.Status != 422 || len(p.Errors) != 1 || p.Errors[0].Field != "bar" || p.Errors[0].Code != tc.code || !frenchMessage(p.Errors[0].Message) {
			t.Errorf("%s: %d %+v", tc.name, r.Status, p.Errors)
		}
	}
	if r := admin.Do("POST", "/api/v1/users", map[string]any{"email": "x@cabinet.test", "name": "X", "role": "lawyer",
		"password": testPassword, "bar": strings.Repeat("B", 101)}); r.Status != 422 && r.Status != 400 {
		t.Errorf("bar over 100 characters: %d %s", r.Status, r.Body)
	}
	// A creditor's account is no avocat: the bar goes with the change of role.
	r = admin.Do("PATCH", path, map[string]any{"role": "creditor", "creditor_id": w.credA.ID})
	if p := r.Problem(t); r.Status != 422 || len(p.Errors) != 1 || p.Errors[0].Field != "bar" || p.Errors[0].Code != "forbidden" {
		t.Fatalf("lawyer with a bar made a creditor: %d %+v", r.Status, p.Errors)
	}
	// An empty string clears it.
	r = admin.Do("PATCH", path, map[string]any{"bar": ""})
	r.Decode(t, &u)
	if r.Status != 200 || u.Bar != "" {
		t.Fatalf("clear: %d %s", r.Status, r.Body)
	}
}

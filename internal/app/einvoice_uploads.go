package app

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/einvoice"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// EInvoiceUploadRepo keeps the record of each electronic-invoice upload
// (migration 00041), placed or refused.
type EInvoiceUploadRepo interface {
	InsertEInvoiceUpload(ctx context.Context, u *EInvoiceUploadRecord) error
	// EInvoiceUploads lists uploads newest first, after the cursor's, of
	// one creditor or (nil) of all the scope sees.
	EInvoiceUploads(ctx context.Context, scope recouvra.Scope, creditorID *uuid.UUID, after *uuid.UUID, limit int) ([]EInvoiceUploadRecord, error)
}

// EInvoiceUploadRecord is one upload as the portal lists it.
type EInvoiceUploadRecord struct {
	ID              uuid.UUID
	CreditorID      uuid.UUID
	CreatedBy       *uuid.UUID
	CreatedByAPIKey *uuid.UUID
	ByLabel         string // the user's e-mail, or the API key's (APIKeyLabel), as it was named then
	CreatedAt       time.Time
	Outcome         string // placed, refused
	Files           []UploadFile
	Placed          int
	Present         int
	Refused         int
	CasesCreated    int
	Invoices        []UploadInvoice
	Refusals        []UploadRefusal
}

// UploadFile is a file as received.
type UploadFile struct {
	Name      string `json:"name"`
	SizeBytes int64  `json:"size_bytes"`
}

// UploadInvoice is what became of one invoice of a placed upload.
type UploadInvoice struct {
	Number        string    `json:"number"`
	File          string    `json:"file"`
	Status        string    `json:"status"` // created, present
	CaseID        uuid.UUID `json:"case_id"`
	CaseReference string    `json:"case_reference"`
	NewCase       bool      `json:"new_case"`
	AmountCents   int64     `json:"amount_cents"`
	Currency      string    `json:"currency"`
}

// UploadRefusal is one reason an upload was refused.
type UploadRefusal struct {
	File    string `json:"file"`
	Element string `json:"element"`
	Reason  string `json:"reason"`
}

// CasesTouched are the cases an upload placed invoices in or found them
// in, each once, in the order met.
func (u EInvoiceUploadRecord) CasesTouched() []UploadInvoice {
	seen := map[uuid.UUID]bool{}
	var out []UploadInvoice
	for _, inv := range u.Invoices {
		if inv.CaseID == uuid.Nil || seen[inv.CaseID] {
			continue
		}
		seen[inv.CaseID] = true
		out = append(out, inv)
	}
	return out
}

// newUploadRecord starts the record of an upload by p for creditor;
// keyName is the name of p's API key when p is one.
func (s *Service) newUploadRecord(p recouvra.Principal, keyName string, creditorID uuid.UUID, files []einvoice.Source) EInvoiceUploadRecord {
	u := EInvoiceUploadRecord{ID: uuid.Must(uuid.NewV7()), CreditorID: creditorID, CreatedAt: s.now(), Files: make([]UploadFile, len(files))}
	u.CreatedBy, u.CreatedByAPIKey = p.Actor()
	switch p.Kind {
	case recouvra.PrincipalUser:
		u.ByLabel = p.Email
	case recouvra.PrincipalAPIKey:
		u.ByLabel = APIKeyLabel(keyName)
	}
	for i, f := range files {
		u.Files[i] = UploadFile{Name: f.Name, SizeBytes: int64(len(f.Data))}
	}
	return u
}

// APIKeyLabel names an API key to the people who read what it did, e.g.
// clé d'API « ERP de Dupont ».
func APIKeyLabel(name string) string {
	if name == "" {
		return "clé d'API"
	}
	return "clé d'API « " + name + " »"
}

// placedRecord completes the record of a placed upload.
func placedRecord(u EInvoiceUploadRecord, out EInvoiceUpload) EInvoiceUploadRecord {
	u.Outcome, u.Placed, u.Present, u.CasesCreated = "placed", out.Created, out.Present, out.CasesCreated
	for _, o := range out.Invoices {
		u.Invoices = append(u.Invoices, UploadInvoice{Number: o.Invoice.Number, File: o.Invoice.File, Status: o.Status, CaseID: o.CaseID,
			CaseReference: o.CaseReference, NewCase: o.NewCase, AmountCents: o.Invoice.DueCents, Currency: o.Invoice.Currency})
	}
	return u
}

// recordRefusedUpload keeps, after the upload's transaction rolled back,
// why it was refused; err is the upload's answer, returned as it was. Only
// a refusal of the files (422) is recorded: an upload that failed for
// another reason is not the creditor's to fix.
func (s *Service) recordRefusedUpload(ctx context.Context, u EInvoiceUploadRecord, err error) error {
	var ve *recouvra.Error
	if !errors.As(err, &ve) || ve.Code != recouvra.ECodeInvalid {
		return err
	}
	u.Outcome = "refused"
	for _, f := range ve.Fields {
		file, _ := cutPrefix(f.Field, "form.file:")
		reason, element := splitElement(f.Message)
		u.Refusals = append(u.Refusals, UploadRefusal{File: file, Element: element, Reason: reason})
	}
	if len(u.Refusals) == 0 {
		u.Refusals = []UploadRefusal{{Reason: ve.Message}}
	}
	u.Refused = len(u.Refusals)
	if werr := s.store.Tx(ctx, func(r Repo) error { return r.InsertEInvoiceUpload(ctx, &u) }); werr != nil {
		s.cfg.Logger.Warn("refused e-invoice upload not recorded", "creditor_id", u.CreditorID.String(), "error", werr.Error())
	}
	return err
}

func cutPrefix(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && s[:len(prefix)] == prefix {
		return s[len(prefix):], true
	}
	return s, false
}

// splitElement separates "reason [BT-115]" (problemsError's message) into
// the reason and the element.
func splitElement(msg string) (reason, element string) {
	if n := len(msg); n > 2 && msg[n-1] == ']' {
		for i := n - 2; i >= 0; i-- {
			if msg[i] == '[' {
				if i > 0 && msg[i-1] == ' ' {
					return msg[:i-1], msg[i+1 : n-1]
				}
				break
			}
		}
	}
	return msg, ""
}

// EInvoiceUploads lists the uploads the caller may see, newest first: a
// creditor (or its API key) its own — naming another creditor lists
// nothing, as a missing one does; staff every creditor's, or the one
// named.
func (s *Service) EInvoiceUploads(ctx context.Context, p recouvra.Principal, creditorID *uuid.UUID, page PageRequest) (Page[EInvoiceUploadRecord], error) {
	if err := requireRole(p, recouvra.RoleAdmin, recouvra.RoleAgent, recouvra.RoleCreditor); err != nil {
		return Page[EInvoiceUploadRecord]{}, err
	}
	limit, after, err := page.normalize()
	if err != nil {
		return Page[EInvoiceUploadRecord]{}, err
	}
	scope := p.Scope()
	if scope.CreditorID != nil {
		if creditorID != nil && *creditorID != *scope.CreditorID {
			return Page[EInvoiceUploadRecord]{Items: []EInvoiceUploadRecord{}}, nil
		}
		creditorID = scope.CreditorID
	}
	var items []EInvoiceUploadRecord
	err = s.store.Scoped(ctx, scope, func(r Repo) error {
		items, err = r.EInvoiceUploads(ctx, scope, creditorID, after, limit+1)
		return err
	})
	if err != nil {
		return Page[EInvoiceUploadRecord]{}, err
	}
	return pageOf(items, limit, func(u EInvoiceUploadRecord) uuid.UUID { return u.ID }), nil
}

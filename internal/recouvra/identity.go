package recouvra

import (
	"errors"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/ident"
)

// Role is what a person does in the agency; it decides what they may do.
type Role string

// The roles (DOMAIN.md, "Who uses it").
const (
	RoleAdmin    Role = "admin"    // agency manager: users, creditors, rates, templates
	RoleAgent    Role = "agent"    // collection agent: amicable and formal-notice stages
	RoleLawyer   Role = "lawyer"   // court filings, deadlines, enforcement
	RoleCreditor Role = "creditor" // a person at a client company: its own files only
	// RoleAccountant (« comptable ») keeps the client account: the ledger,
	// bank statements and the unmatched queue, remittance runs, invoices.
	// Staff: every creditor's data, never a creditor's scope.
	RoleAccountant Role = "accountant"
)

// Valid reports whether r is one of the roles.
func (r Role) Valid() bool {
	switch r {
	case RoleAdmin, RoleAgent, RoleLawyer, RoleCreditor, RoleAccountant:
		return true
	}
	return false
}

// Password length bounds: long enough to resist guessing, short enough that
// hashing cannot be used to exhaust the server.
const (
	MinPasswordLength = 12
	MaxPasswordLength = 256
)

// User is a person who signs in.
type User struct {
	ID         uuid.UUID
	Email      string
	Name       string
	Role       Role
	CreditorID *uuid.UUID // set exactly when Role is creditor
	Active     bool
	// Bar is the bar an avocat is registered with ("Barreau de Lyon"),
	// empty for anyone else. An avocat files a court request without a
	// special power of attorney (CPC 416); anyone else must produce one.
	Bar         string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	LastLoginAt *time.Time
}

// NormalizeEmail trims an e-mail address; comparisons are case-insensitive
// (the database compares lower(email)).
func NormalizeEmail(s string) string { return strings.TrimSpace(s) }

// Validate checks the user's own rules and returns one field error each.
func (u *User) Validate() error {
	var fields []FieldError
	if u.Email == "" {
		fields = append(fields, FieldError{"email", "required", "L'adresse e-mail est obligatoire."})
	} else if a, err := mail.ParseAddress(u.Email); err != nil || a.Address != u.Email || a.Name != "" {
		fields = append(fields, FieldError{"email", "invalid", "Adresse e-mail invalide."})
	} else if len(u.Email) > 254 {
		fields = append(fields, FieldError{"email", "too_long", "Adresse e-mail trop longue."})
	}
	if name := strings.TrimSpace(u.Name); name == "" {
		fields = append(fields, FieldError{"name", "required", "Le nom est obligatoire."})
	} else if utf8.RuneCountInString(name) > 200 {
		fields = append(fields, FieldError{"name", "too_long", "Le nom ne peut dépasser 200 caractères."})
	}
	fields = printable(fields, "name", u.Name, OneLine) // signs court filings
	fields = append(fields, validateBar(&u.Bar)...)
	if u.Role == RoleCreditor && u.Bar != "" {
		fields = append(fields, FieldError{"bar", "forbidden", "Un utilisateur créancier n'est inscrit à aucun barreau : laissez le barreau vide."})
	}
	switch {
	case !u.Role.Valid():
		fields = append(fields, FieldError{"role", "invalid", "Rôle inconnu : admin, agent, lawyer, creditor ou accountant."})
	case u.Role == RoleCreditor && u.CreditorID == nil:
		fields = append(fields, FieldError{"creditor_id", "required", "Un utilisateur créancier doit être rattaché à un créancier."})
	case u.Role != RoleCreditor && u.CreditorID != nil:
		fields = append(fields, FieldError{"creditor_id", "forbidden", "Seul un utilisateur créancier est rattaché à un créancier."})
	}
	if len(fields) > 0 {
		return Invalid("Utilisateur invalide.", fields...)
	}
	return nil
}

// ValidatePassword checks a new password against the length bounds.
func ValidatePassword(p string) error {
	n := utf8.RuneCountInString(p)
	switch {
	case n < MinPasswordLength:
		return Invalid("Mot de passe trop court.", FieldError{"password", "too_short", "Le mot de passe doit compter au moins 12 caractères."})
	case len(p) > MaxPasswordLength:
		return Invalid("Mot de passe trop long.", FieldError{"password", "too_long", "Le mot de passe ne peut dépasser 256 octets."})
	}
	return nil
}

// PrincipalKind says how a caller proved who it is.
type PrincipalKind string

const (
	PrincipalUser   PrincipalKind = "user"    // a person, with a session token
	PrincipalAPIKey PrincipalKind = "api_key" // a creditor's system, with an API key
	PrincipalSystem PrincipalKind = "system"  // a command run on the server itself
	// PrincipalDebtor is a case's debtor holding its page's link: no role
	// (every use case that requires one refuses it), the case's creditor
	// as its scope, and no actor columns (its events say "by": "debtor").
	PrincipalDebtor PrincipalKind = "debtor"
)

// Principal is the authenticated caller of one request.
type Principal struct {
	Kind       PrincipalKind
	UserID     uuid.UUID // for users
	APIKeyID   uuid.UUID // for API keys
	SessionID  uuid.UUID // for users: the session the token belongs to
	Email      string    // for users
	Role       Role
	CreditorID *uuid.UUID // for the creditor role: the only creditor it may see
}

// Actor says who acts, as the pair of columns that record it: the user, or
// the API key; both nil for the system. The ids are fresh copies.
func (p Principal) Actor() (userID, apiKeyID *uuid.UUID) {
	switch p.Kind {
	case PrincipalUser:
		id := p.UserID
		return &id, nil
	case PrincipalAPIKey:
		id := p.APIKeyID
		return nil, &id
	}
	return nil, nil
}

// Scope returns the data scope of the principal: a creditor principal sees
// its own creditor only; staff see everything.
func (p Principal) Scope() Scope {
	if p.Role == RoleCreditor || p.Kind == PrincipalDebtor {
		if p.CreditorID == nil {
			return Scope{deny: true} // a creditor without creditor sees nothing
		}
		return Scope{CreditorID: p.CreditorID}
	}
	return AllCreditors
}

// Scope restricts data access. The zero value sees everything (staff); a
// scope with CreditorID sees that creditor's data only. Every query that
// reads creditor data takes one, so isolation does not depend on each
// handler remembering it.
type Scope struct {
	CreditorID *uuid.UUID
	deny       bool
}

// AllCreditors is the scope of staff and of the system acting for the
// agency: every creditor's data.
var AllCreditors = Scope{}

// Denied reports whether the scope may see nothing at all.
func (s Scope) Denied() bool { return s.deny }

// Creditor is a client of the agency, owed the money.
type Creditor struct {
	ID        uuid.UUID
	LegalName string
	CreditorDetails
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Abroad reports whether the creditor is outside metropolitan France,
// overseas included (decided by its postal code), which lengthens the
// insolvency declaration deadline (R622-24 C. com.).
func (c Creditor) Abroad() bool { return c.Address.Residence() != ResidenceMetropolitan }

// Validate checks the creditor's rules and normalises its identifiers;
// today bounds the date of birth of its identity.
func (c *Creditor) Validate(today Date) error {
	var f []FieldError
	name := strings.TrimSpace(c.LegalName)
	switch {
	case name == "":
		f = append(f, FieldError{"legal_name", "required", "La raison sociale est obligatoire."})
	case utf8.RuneCountInString(name) > 200:
		f = append(f, FieldError{"legal_name", "too_long", "La raison sociale ne peut dépasser 200 caractères."})
	}
	// What letters print, or a person reads back, must be printable.
	f = printable(f, "legal_name", c.LegalName, OneLine)
	f = printableAddress(f, "address.", c.Address)
	for i, k := range c.Contacts {
		p := indexed("contacts", i) + "."
		f = printable(f, p+"name", k.Name, OneLine)
		f = printable(f, p+"email", k.Email, OneLine)
		f = printable(f, p+"phone", k.Phone, OneLine)
		f = printable(f, p+"role", k.Role, OneLine)
	}
	f = append(f, c.Identity.validate(today)...)
	f = append(f, normalizeIdentifiers("", &c.SIREN, &c.SIRET, &c.VATNumber)...)
	if c.IBAN != "" {
		iban, err := ident.ParseIBAN(c.IBAN)
		if err != nil {
			f = append(f, identError("iban", err))
		}
		c.IBAN = string(iban)
	}
	if c.Address.Country == "" {
		c.Address.Country = "FR"
	}
	m := &c.Mandate
	if m.CommissionBps < 0 || m.CommissionBps > 10000 {
		f = append(f, FieldError{"mandate.commission_bps", "out_of_range", "La commission est comprise entre 0 et 10 000 points de base (100 %)."})
	}
	if m.FixedFeeCents < 0 {
		f = append(f, FieldError{"mandate.fixed_fee_cents", "negative", "Les frais fixes ne peuvent être négatifs."})
	}
	if m.NoticeDeadlineDays == 0 {
		m.NoticeDeadlineDays = DefaultNoticeDeadlineDays
	}
	if m.NoticeDeadlineDays < 1 || m.NoticeDeadlineDays > 90 {
		f = append(f, FieldError{"mandate.notice_deadline_days", "out_of_range", "Le délai de la mise en demeure est compris entre 1 et 90 jours."})
	}
	f = append(f, validatePlanRules(m)...)
	switch m.LegalStatus {
	case "":
		m.LegalStatus = StatusBusiness
	case StatusBusiness, StatusIndividual:
	default:
		f = append(f, FieldError{"mandate.legal_status", "invalid", "Statut inconnu : business ou individual."})
	}
	if len(f) > 0 {
		return Invalid("Créancier invalide.", f...)
	}
	return nil
}

// normalizeIdentifiers validates and normalises a SIREN, SIRET and VAT
// number (each optional) and checks they name the same company.
func normalizeIdentifiers(prefix string, siren, siret, vat *string) []FieldError {
	var f []FieldError
	var sn ident.SIREN
	if *siren != "" {
		v, err := ident.ParseSIREN(*siren)
		if err != nil {
			f = append(f, identError(prefix+"siren", err))
		}
		sn, *siren = v, string(v)
	}
	if *siret != "" {
		v, err := ident.ParseSIRET(*siret)
		switch {
		case err != nil:
			f = append(f, identError(prefix+"siret", err))
		case sn == "":
			sn, *siren = v.SIREN(), string(v.SIREN())
		case v.SIREN() != sn:
			f = append(f, FieldError{prefix + "siret", "mismatch", "Le SIRET ne commence pas par le SIREN."})
		}
		*siret = string(v)
	}
	if *vat != "" {
		v, err := ident.ParseVAT(*vat)
		switch {
		case err != nil:
			f = append(f, identError(prefix+"vat_number", err))
		case sn != "" && v.SIREN() != sn:
			f = append(f, FieldError{prefix + "vat_number", "mismatch", "Le numéro de TVA ne correspond pas au SIREN."})
		case sn == "":
			*siren = string(v.SIREN())
		}
		*vat = string(v)
	}
	return f
}

func identError(field string, err error) FieldError {
	var ie *ident.Error
	if errors.As(err, &ie) {
		return FieldError{field, ie.Kind + "." + ie.Code, ie.Msg}
	}
	return FieldError{field, "invalid", err.Error()}
}

// APIKey lets a creditor's system (its ERP) call the API as that creditor.
// The secret itself is never stored, only its hash.
type APIKey struct {
	ID         uuid.UUID
	CreditorID uuid.UUID
	Name       string
	Prefix     string // the first characters of the key, to recognise it in lists
	CreatedBy  *uuid.UUID
	CreatedAt  time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
}

// AuditEntry is one line of the append-only audit log.
type AuditEntry struct {
	ID            uuid.UUID
	At            time.Time
	Action        string // e.g. "auth.login", "user.update"
	ActorUserID   *uuid.UUID
	ActorAPIKeyID *uuid.UUID
	Email         string // the account concerned by sign-in events
	TargetType    string
	TargetID      *uuid.UUID
	ClientIP      string
	UserAgent     string
	Details       map[string]any
}

// Audit actions.
const (
	AuditLogin          = "auth.login"
	AuditLoginFailed    = "auth.login_failed"
	AuditLoginThrottled = "auth.login_throttled"
	AuditLogout         = "auth.logout"
	AuditUserCreate     = "user.create"
	AuditUserUpdate     = "user.update"
	AuditAPIKeyCreate   = "api_key.create"
	AuditAPIKeyRevoke   = "api_key.revoke"
	AuditCreditorCreate = "creditor.create"
)

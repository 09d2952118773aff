package postgres

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/recouvra"
)

type contactDoc struct {
	Name  string `json:"name"`
	Email string `json:"email"`
	Phone string `json:"phone"`
	Role  string `json:"role"`
}

type creditorRow struct {
	ID                 uuid.UUID
	LegalName          string
	Siren              string
	Siret              string
	VATNumber          string `gorm:"column:vat_number"`
	AddressLine1       string `gorm:"column:address_line1"`
	AddressLine2       string `gorm:"column:address_line2"`
	PostalCode         string
	City               string
	Country            string
	Contacts           jsonCol[[]contactDoc]
	IBAN               string `gorm:"column:iban"`
	BIC                string `gorm:"column:bic"`
	MandateSignedOn    recouvra.Date
	CommissionBps      int
	FixedFeeCents      int64
	JudicialAllowed    bool
	NoticeDeadlineDays int
	LegalStatus        string
	// The mandate's rules for payment plans (00024).
	PlanMaxMonths          int
	PlanMinFirstCents      int64
	PlanMinInstalmentCents int64
	PlanMissesBeforeBroken int
	PlanInterestFrozen     bool
	// The identity a court filing prints (CPC 57, 1407).
	LegalForm           string
	Registry            string
	RepresentativeName  string
	RepresentativeTitle string
	Profession          string
	Nationality         string
	BornOn              recouvra.Date
	BornIn              string
	CreatedAt           time.Time `gorm:"autoCreateTime:false"`
	UpdatedAt           time.Time `gorm:"autoUpdateTime:false"`
}

func (creditorRow) TableName() string { return "creditors" }

func creditorRowOf(c *recouvra.Creditor) creditorRow {
	contacts := make([]contactDoc, len(c.Contacts))
	for i, ct := range c.Contacts {
		contacts[i] = contactDoc{ct.Name, ct.Email, ct.Phone, ct.Role}
	}
	m, id := c.Mandate, c.Identity
	// A mandate that names no plan rules (a creditor written by a loader or
	// a test rather than through validation) gets the usual ones, which the
	// table's checks require.
	rules := m.PlanRules()
	m.PlanMaxMonths, m.PlanMissesBeforeBroken = rules.MaxMonths, rules.MissesBeforeBroken
	return creditorRow{
		ID: c.ID, LegalName: c.LegalName, Siren: c.SIREN, Siret: c.SIRET, VATNumber: c.VATNumber,
		AddressLine1: c.Address.Line1, AddressLine2: c.Address.Line2, PostalCode: c.Address.PostalCode, City: c.Address.City, Country: c.Address.Country,
		Contacts: jsonCol[[]contactDoc]{contacts}, IBAN: c.IBAN, BIC: c.BIC,
		MandateSignedOn: m.SignedOn, CommissionBps: m.CommissionBps, FixedFeeCents: m.FixedFeeCents,
		JudicialAllowed: m.JudicialAllowed, NoticeDeadlineDays: m.NoticeDeadlineDays, LegalStatus: string(m.LegalStatus),
		PlanMaxMonths: m.PlanMaxMonths, PlanMinFirstCents: m.PlanMinFirstCents, PlanMinInstalmentCents: m.PlanMinInstalmentCents,
		PlanMissesBeforeBroken: m.PlanMissesBeforeBroken, PlanInterestFrozen: m.PlanInterestFrozen,
		LegalForm: id.LegalForm, Registry: id.Registry, RepresentativeName: id.RepresentativeName, RepresentativeTitle: id.RepresentativeTitle,
		Profession: id.Profession, Nationality: id.Nationality, BornOn: id.BornOn, BornIn: id.BornIn,
		CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt,
	}
}

func (r creditorRow) domain() recouvra.Creditor {
	contacts := make([]recouvra.Contact, len(r.Contacts.V))
	for i, ct := range r.Contacts.V {
		contacts[i] = recouvra.Contact{Name: ct.Name, Email: ct.Email, Phone: ct.Phone, Role: ct.Role}
	}
	return recouvra.Creditor{
		ID: r.ID, LegalName: r.LegalName, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
		CreditorDetails: recouvra.CreditorDetails{
			SIREN: r.Siren, SIRET: r.Siret, VATNumber: r.VATNumber,
			Address:  recouvra.Address{Line1: r.AddressLine1, Line2: r.AddressLine2, PostalCode: r.PostalCode, City: r.City, Country: r.Country},
			Contacts: contacts, IBAN: r.IBAN, BIC: r.BIC,
			Mandate: recouvra.Mandate{
				SignedOn: r.MandateSignedOn, CommissionBps: r.CommissionBps, FixedFeeCents: r.FixedFeeCents,
				JudicialAllowed: r.JudicialAllowed, NoticeDeadlineDays: r.NoticeDeadlineDays, LegalStatus: recouvra.LegalStatus(r.LegalStatus),
				PlanMaxMonths: r.PlanMaxMonths, PlanMinFirstCents: r.PlanMinFirstCents, PlanMinInstalmentCents: r.PlanMinInstalmentCents,
				PlanMissesBeforeBroken: r.PlanMissesBeforeBroken, PlanInterestFrozen: r.PlanInterestFrozen,
			},
			Identity: recouvra.Identity{
				LegalForm: r.LegalForm, Registry: r.Registry, RepresentativeName: r.RepresentativeName, RepresentativeTitle: r.RepresentativeTitle,
				Profession: r.Profession, Nationality: r.Nationality, BornOn: r.BornOn, BornIn: r.BornIn,
			},
		},
	}
}

func (r repo) InsertCreditor(ctx context.Context, c *recouvra.Creditor) error {
	row := creditorRowOf(c)
	return dbErr(r.q(ctx).Create(&row).Error, whatCreditor)
}

func (r repo) UpdateCreditor(ctx context.Context, c *recouvra.Creditor) error {
	row := creditorRowOf(c)
	return oneRow(r.q(ctx).Model(&creditorRow{}).Where("id = ?", c.ID).Select("*").Omit("id", "created_at").Updates(&row), whatCreditor)
}

func (r repo) CreditorByID(ctx context.Context, scope recouvra.Scope, id uuid.UUID) (recouvra.Creditor, error) {
	if q := r.direct(ctx, scope); q != nil {
		return creditorByIDDirect(ctx, q, scope, id)
	}
	var row creditorRow
	if err := scoped(r.q(ctx), scope, "id").Where("id = ?", id).Take(&row).Error; err != nil {
		return recouvra.Creditor{}, dbErr(err, whatCreditor)
	}
	return row.domain(), nil
}

func (r repo) ListCreditors(ctx context.Context, scope recouvra.Scope, after *uuid.UUID, limit int) ([]recouvra.Creditor, error) {
	var rows []creditorRow
	q := scoped(r.q(ctx), scope, "id").Order("id").Limit(limit)
	if after != nil {
		q = q.Where("id > ?", *after)
	}
	if err := q.Find(&rows).Error; err != nil {
		return nil, dbErr(err, whatCreditor)
	}
	return domains(rows), nil
}

func (r repo) CreditorsByIDs(ctx context.Context, scope recouvra.Scope, ids []uuid.UUID) (map[uuid.UUID]recouvra.Creditor, error) {
	out := make(map[uuid.UUID]recouvra.Creditor, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	if q := r.direct(ctx, scope); q != nil {
		return out, creditorsByIDsDirect(ctx, q, scope, ids, out)
	}
	var rows []creditorRow
	if err := scoped(r.q(ctx), scope, "id").Where("id IN ?", ids).Find(&rows).Error; err != nil {
		return nil, dbErr(err, whatCreditor)
	}
	for _, row := range rows {
		out[row.ID] = row.domain()
	}
	return out, nil
}

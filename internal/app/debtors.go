package app

import (
	"context"
	"strings"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/recouvra"
)

// CreateDebtor registers a debtor (staff). A company whose SIREN is already
// known is refused: the existing debtor is to be used.
func (s *Service) CreateDebtor(ctx context.Context, p recouvra.Principal, d recouvra.Debtor) (recouvra.Debtor, error) {
	if err := requireRole(p, recouvra.RoleAdmin, recouvra.RoleAgent, recouvra.RoleLawyer); err != nil {
		return recouvra.Debtor{}, err
	}
	d.Name = strings.TrimSpace(d.Name)
	if f := d.Validate(); len(f) > 0 {
		return recouvra.Debtor{}, recouvra.Invalid("Débiteur invalide.", unprefix(f, "debtor.")...)
	}
	d.ID, d.CreatedAt, d.UpdatedAt = uuid.Must(uuid.NewV7()), s.now(), s.now()
	err := s.store.Tx(ctx, func(r Repo) error {
		if err := r.InsertDebtor(ctx, &d); err != nil {
			if recouvra.ErrorCode(err) == recouvra.ECodeConflict {
				return recouvra.Invalid("Débiteur déjà connu.", recouvra.FieldError{Field: "siren", Code: "taken", Message: "Un débiteur porte déjà ce SIREN."})
			}
			return err
		}
		return nil
	})
	return d, err
}

// unprefix drops a field-path prefix for errors reported on the object itself.
func unprefix(f []recouvra.FieldError, prefix string) []recouvra.FieldError {
	for i := range f {
		f[i].Field = strings.TrimPrefix(f[i].Field, prefix)
	}
	return f
}

// GetDebtor returns a debtor the caller may see.
func (s *Service) GetDebtor(ctx context.Context, p recouvra.Principal, id uuid.UUID) (recouvra.Debtor, error) {
	var d recouvra.Debtor
	scope := p.Scope()
	err := s.store.Scoped(ctx, scope, func(r Repo) error {
		var err error
		d, err = r.DebtorByID(ctx, scope, id)
		return err
	})
	return d, err
}

// ListDebtors lists the debtors the caller may see, optionally by name or SIREN.
func (s *Service) ListDebtors(ctx context.Context, p recouvra.Principal, q string, page PageRequest) (Page[recouvra.Debtor], error) {
	limit, after, err := page.normalize()
	if err != nil {
		return Page[recouvra.Debtor]{}, err
	}
	var items []recouvra.Debtor
	scope := p.Scope()
	err = s.store.Scoped(ctx, scope, func(r Repo) error {
		var err error
		items, err = r.ListDebtors(ctx, scope, q, after, limit+1)
		return err
	})
	if err != nil {
		return Page[recouvra.Debtor]{}, err
	}
	return pageOf(items, limit, func(d recouvra.Debtor) uuid.UUID { return d.ID }), nil
}

// UpdateDebtor changes a debtor (staff): apply edits it, the rules are
// checked again, and the change is saved.
func (s *Service) UpdateDebtor(ctx context.Context, p recouvra.Principal, id uuid.UUID, apply func(*recouvra.Debtor)) (recouvra.Debtor, error) {
	if err := requireRole(p, recouvra.RoleAdmin, recouvra.RoleAgent, recouvra.RoleLawyer); err != nil {
		return recouvra.Debtor{}, err
	}
	var d recouvra.Debtor
	err := s.store.Tx(ctx, func(r Repo) error {
		var err error
		if d, err = r.DebtorByID(ctx, recouvra.AllCreditors, id); err != nil {
			return err
		}
		apply(&d)
		d.Name = strings.TrimSpace(d.Name)
		if f := d.Validate(); len(f) > 0 {
			return recouvra.Invalid("Débiteur invalide.", unprefix(f, "debtor.")...)
		}
		d.UpdatedAt = s.now()
		if err := r.UpdateDebtor(ctx, &d); err != nil {
			if recouvra.ErrorCode(err) == recouvra.ECodeConflict {
				return recouvra.Invalid("Débiteur déjà connu.", recouvra.FieldError{Field: "siren", Code: "taken", Message: "Un autre débiteur porte déjà ce SIREN."})
			}
			return err
		}
		return nil
	})
	return d, err
}

// UpdateCreditor changes a creditor's record and mandate (admin).
func (s *Service) UpdateCreditor(ctx context.Context, p recouvra.Principal, id uuid.UUID, apply func(*recouvra.Creditor), meta Meta) (recouvra.Creditor, error) {
	if err := requireRole(p, recouvra.RoleAdmin); err != nil {
		return recouvra.Creditor{}, err
	}
	var c recouvra.Creditor
	err := s.store.Tx(ctx, func(r Repo) error {
		var err error
		if c, err = r.CreditorByID(ctx, recouvra.AllCreditors, id); err != nil {
			return err
		}
		apply(&c)
		c.LegalName = strings.TrimSpace(c.LegalName)
		if err := c.Validate(s.today()); err != nil {
			return err
		}
		c.UpdatedAt = s.now()
		if err := r.UpdateCreditor(ctx, &c); err != nil {
			return err
		}
		return r.InsertAudit(ctx, s.audit(p, meta, "creditor.update", "creditor", &c.ID, map[string]any{
			"legal_name": c.LegalName, "judicial_allowed": c.Mandate.JudicialAllowed, "commission_bps": c.Mandate.CommissionBps,
		}))
	})
	return c, err
}

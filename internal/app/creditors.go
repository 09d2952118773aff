package app

import (
	"context"
	"strings"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/recouvra"
)

// CreateCreditor registers a client of the agency (admin only).
func (s *Service) CreateCreditor(ctx context.Context, p recouvra.Principal, in recouvra.Creditor, meta Meta) (recouvra.Creditor, error) {
	if err := requireRole(p, recouvra.RoleAdmin); err != nil {
		return recouvra.Creditor{}, err
	}
	now := s.now()
	c := in
	c.ID, c.LegalName, c.CreatedAt, c.UpdatedAt = uuid.Must(uuid.NewV7()), strings.TrimSpace(in.LegalName), now, now
	if err := c.Validate(recouvra.DateOf(now)); err != nil {
		return recouvra.Creditor{}, err
	}
	err := s.store.Tx(ctx, func(r Repo) error {
		if err := r.InsertCreditor(ctx, &c); err != nil {
			return err
		}
		return r.InsertAudit(ctx, s.audit(p, meta, recouvra.AuditCreditorCreate, "creditor", &c.ID, map[string]any{"legal_name": c.LegalName}))
	})
	return c, err
}

// GetCreditor returns a creditor the caller may see; another creditor's
// answers not found, exactly like a missing one.
func (s *Service) GetCreditor(ctx context.Context, p recouvra.Principal, id uuid.UUID) (recouvra.Creditor, error) {
	var c recouvra.Creditor
	err := s.store.Scoped(ctx, p.Scope(), func(r Repo) error {
		var err error
		c, err = r.CreditorByID(ctx, p.Scope(), id)
		return err
	})
	return c, err
}

// ListCreditors lists the creditors the caller may see.
func (s *Service) ListCreditors(ctx context.Context, p recouvra.Principal, page PageRequest) (Page[recouvra.Creditor], error) {
	limit, after, err := page.normalize()
	if err != nil {
		return Page[recouvra.Creditor]{}, err
	}
	var items []recouvra.Creditor
	err = s.store.Scoped(ctx, p.Scope(), func(r Repo) error {
		var err error
		items, err = r.ListCreditors(ctx, p.Scope(), after, limit+1)
		return err
	})
	if err != nil {
		return Page[recouvra.Creditor]{}, err
	}
	return pageOf(items, limit, func(c recouvra.Creditor) uuid.UUID { return c.ID }), nil
}

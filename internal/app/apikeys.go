package app

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/credential"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// NewAPIKey is a key just created: Secret is shown this once, never again.
type NewAPIKey struct {
	recouvra.APIKey
	Secret string
}

// apiKeyPrefixLen is how much of a key is kept in clear to recognise it.
const apiKeyPrefixLen = len(credential.APIKeyPrefix) + 6

// CreateAPIKey makes a key acting as the given creditor (admin only).
func (s *Service) CreateAPIKey(ctx context.Context, p recouvra.Principal, creditorID uuid.UUID, name string, meta Meta) (NewAPIKey, error) {
	if err := requireRole(p, recouvra.RoleAdmin); err != nil {
		return NewAPIKey{}, err
	}
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > 100 {
		return NewAPIKey{}, recouvra.Invalid("Nom de clé invalide.", recouvra.FieldError{Field: "name", Code: "required", Message: "Donnez à la clé un nom de 1 à 100 caractères (par exemple le système qui l'utilise)."})
	}
	secret, hash, err := credential.NewToken(credential.APIKeyPrefix)
	if err != nil {
		return NewAPIKey{}, err
	}
	k := recouvra.APIKey{
		ID: uuid.Must(uuid.NewV7()), CreditorID: creditorID, Name: name, Prefix: secret[:apiKeyPrefixLen], CreatedAt: s.now(),
	}
	k.CreatedBy, _ = p.Actor()
	err = s.store.Tx(ctx, func(r Repo) error {
		if _, err := r.CreditorByID(ctx, recouvra.AllCreditors, creditorID); err != nil {
			return err // the creditor in the path does not exist: 404
		}
		if err := r.InsertAPIKey(ctx, &k, hash); err != nil {
			return err
		}
		return r.InsertAudit(ctx, s.audit(p, meta, recouvra.AuditAPIKeyCreate, "api_key", &k.ID, map[string]any{"creditor_id": creditorID, "name": name}))
	})
	if err != nil {
		return NewAPIKey{}, err
	}
	return NewAPIKey{APIKey: k, Secret: secret}, nil
}

// ListAPIKeys lists a creditor's keys, revoked ones included (admin only).
func (s *Service) ListAPIKeys(ctx context.Context, p recouvra.Principal, creditorID uuid.UUID) ([]recouvra.APIKey, error) {
	if err := requireRole(p, recouvra.RoleAdmin); err != nil {
		return nil, err
	}
	if _, err := s.store.CreditorByID(ctx, recouvra.AllCreditors, creditorID); err != nil {
		return nil, err
	}
	return s.store.ListAPIKeys(ctx, creditorID)
}

// RevokeAPIKey stops a key from working at once (admin only). Revoking a
// revoked key changes nothing.
func (s *Service) RevokeAPIKey(ctx context.Context, p recouvra.Principal, id uuid.UUID, meta Meta) (recouvra.APIKey, error) {
	if err := requireRole(p, recouvra.RoleAdmin); err != nil {
		return recouvra.APIKey{}, err
	}
	var k recouvra.APIKey
	err := s.store.Tx(ctx, func(r Repo) error {
		var err error
		if k, err = r.APIKeyByID(ctx, id); err != nil {
			return err
		}
		if k.RevokedAt != nil {
			return nil
		}
		now := s.now()
		if err := r.RevokeAPIKey(ctx, id, now); err != nil {
			return err
		}
		k.RevokedAt = &now
		return r.InsertAudit(ctx, s.audit(p, meta, recouvra.AuditAPIKeyRevoke, "api_key", &k.ID, map[string]any{"creditor_id": k.CreditorID}))
	})
	return k, err
}

// ListAudit lists the audit log, newest first (admin only).
func (s *Service) ListAudit(ctx context.Context, p recouvra.Principal, page PageRequest) (Page[recouvra.AuditEntry], error) {
	if err := requireRole(p, recouvra.RoleAdmin); err != nil {
		return Page[recouvra.AuditEntry]{}, err
	}
	limit, after, err := page.normalize()
	if err != nil {
		return Page[recouvra.AuditEntry]{}, err
	}
	items, err := s.store.ListAudit(ctx, after, limit+1)
	if err != nil {
		return Page[recouvra.AuditEntry]{}, err
	}
	return pageOf(items, limit, func(e recouvra.AuditEntry) uuid.UUID { return e.ID }), nil
}

package app

import (
	"context"
	"strings"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/recouvra"
)

// NewUser is what an admin gives to create an account.
type NewUser struct {
	Email      string
	Name       string
	Role       recouvra.Role
	CreditorID *uuid.UUID
	Password   string
	Bar        string // the bar of an avocat, empty for anyone else
}

// CreateUser creates an account (admin only).
func (s *Service) CreateUser(ctx context.Context, p recouvra.Principal, in NewUser, meta Meta) (recouvra.User, error) {
	if err := requireRole(p, recouvra.RoleAdmin); err != nil {
		return recouvra.User{}, err
	}
	now := s.now()
	u := recouvra.User{
		ID: uuid.Must(uuid.NewV7()), Email: recouvra.NormalizeEmail(in.Email), Name: strings.TrimSpace(in.Name),
		Role: in.Role, CreditorID: in.CreditorID, Active: true, Bar: in.Bar, CreatedAt: now, UpdatedAt: now,
	}
	if err := mergeInvalid(u.Validate(), recouvra.ValidatePassword(in.Password)); err != nil {
		return recouvra.User{}, err
	}
	hash, err := s.cfg.Password.Hash(in.Password)
	if err != nil {
		return recouvra.User{}, err
	}
	err = s.store.Tx(ctx, func(r Repo) error {
		if u.CreditorID != nil {
			if _, err := r.CreditorByID(ctx, recouvra.AllCreditors, *u.CreditorID); err != nil {
				return unknownCreditor(err)
			}
		}
		if err := r.InsertUser(ctx, &u, hash); err != nil {
			if recouvra.ErrorCode(err) == recouvra.ECodeConflict {
				return recouvra.Invalid("Adresse e-mail déjà utilisée.", recouvra.FieldError{Field: "email", Code: "taken", Message: "Un compte existe déjà avec cette adresse e-mail."})
			}
			return err
		}
		return r.InsertAudit(ctx, s.audit(p, meta, recouvra.AuditUserCreate, "user", &u.ID, map[string]any{
			"email": u.Email, "role": u.Role, "creditor_id": u.CreditorID, "bar": u.Bar,
		}))
	})
	return u, err
}

// unknownCreditor turns "creditor not found" into a field error.
func unknownCreditor(err error) error {
	if recouvra.ErrorCode(err) == recouvra.ECodeNotFound {
		return recouvra.Invalid("Créancier inconnu.", recouvra.FieldError{Field: "creditor_id", Code: "unknown", Message: "Aucun créancier ne porte cet identifiant."})
	}
	return err
}

// mergeInvalid joins the field errors of several validation errors.
func mergeInvalid(errs ...error) error {
	var merged *recouvra.Error
	for _, err := range errs {
		if err == nil {
			continue
		}
		e, ok := err.(*recouvra.Error)
		if !ok || e.Code != recouvra.ECodeInvalid {
			return err
		}
		if merged == nil {
			merged = &recouvra.Error{Code: recouvra.ECodeInvalid, Message: e.Message}
		}
		merged.Fields = append(merged.Fields, e.Fields...)
	}
	if merged == nil {
		return nil
	}
	return merged
}

// GetUser returns one account (admin only).
func (s *Service) GetUser(ctx context.Context, p recouvra.Principal, id uuid.UUID) (recouvra.User, error) {
	if err := requireRole(p, recouvra.RoleAdmin); err != nil {
		return recouvra.User{}, err
	}
	return s.store.UserByID(ctx, id)
}

// ListUsers lists accounts by creation (admin only).
func (s *Service) ListUsers(ctx context.Context, p recouvra.Principal, page PageRequest) (Page[recouvra.User], error) {
	if err := requireRole(p, recouvra.RoleAdmin); err != nil {
		return Page[recouvra.User]{}, err
	}
	limit, after, err := page.normalize()
	if err != nil {
		return Page[recouvra.User]{}, err
	}
	users, err := s.store.ListUsers(ctx, after, limit+1)
	if err != nil {
		return Page[recouvra.User]{}, err
	}
	return pageOf(users, limit, func(u recouvra.User) uuid.UUID { return u.ID }), nil
}

// UserPatch changes an account; nil fields stay as they are. CreditorID is
// set together with Role (a creditor user needs it, staff must not have it).
type UserPatch struct {
	Name       *string
	Role       *recouvra.Role
	CreditorID *uuid.UUID
	Active     *bool
	Password   *string
	Bar        *string // the bar of an avocat; "" clears it
}

// UpdateUser renames, changes the role of, (de)activates or resets the
// password of an account (admin only). A change of role, deactivation or
// password reset signs the account out everywhere at once.
func (s *Service) UpdateUser(ctx context.Context, p recouvra.Principal, id uuid.UUID, patch UserPatch, meta Meta) (recouvra.User, error) {
	if err := requireRole(p, recouvra.RoleAdmin); err != nil {
		return recouvra.User{}, err
	}
	var u recouvra.User
	err := s.store.Tx(ctx, func(r Repo) error {
		var err error
		u, err = r.UserByID(ctx, id)
		if err != nil {
			return err
		}
		before := u
		changes := map[string]any{}
		if patch.Name != nil {
			u.Name = strings.TrimSpace(*patch.Name)
			changes["name"] = u.Name
		}
		if patch.Role != nil {
			u.Role = *patch.Role
			u.CreditorID = patch.CreditorID
			changes["role"] = u.Role
			changes["creditor_id"] = u.CreditorID
		} else if patch.CreditorID != nil {
			u.CreditorID = patch.CreditorID
			changes["creditor_id"] = u.CreditorID
		}
		if patch.Active != nil {
			u.Active = *patch.Active
			changes["active"] = u.Active
		}
		if patch.Bar != nil {
			u.Bar = *patch.Bar // trimmed and checked by Validate
			changes["bar"] = strings.TrimSpace(u.Bar)
		}
		var newHash *string
		verr := u.Validate()
		if patch.Password != nil {
			verr = mergeInvalid(verr, recouvra.ValidatePassword(*patch.Password))
			changes["password"] = "reset"
		}
		if p.Kind == recouvra.PrincipalUser && p.UserID == u.ID && (u.Role != recouvra.RoleAdmin || !u.Active) {
			verr = mergeInvalid(verr, recouvra.Invalid("Action impossible sur votre propre compte.", recouvra.FieldError{
				Code: "self_lockout", Message: "Vous ne pouvez ni retirer votre propre rôle d'administrateur ni désactiver votre propre compte.",
			}))
		}
		if verr != nil {
			return verr
		}
		if patch.Password != nil {
			h, err := s.cfg.Password.Hash(*patch.Password)
			if err != nil {
				return err
			}
			newHash = &h
		}
		if u.CreditorID != nil && !sameID(u.CreditorID, before.CreditorID) {
			if _, err := r.CreditorByID(ctx, recouvra.AllCreditors, *u.CreditorID); err != nil {
				return unknownCreditor(err)
			}
		}
		u.UpdatedAt = s.now()
		if err := r.UpdateUser(ctx, &u, newHash); err != nil {
			return err
		}
		if u.Role != before.Role || !sameID(u.CreditorID, before.CreditorID) || (before.Active && !u.Active) || newHash != nil {
			n, err := r.RevokeUserSessions(ctx, u.ID, u.UpdatedAt)
			if err != nil {
				return err
			}
			changes["sessions_revoked"] = n
		}
		return r.InsertAudit(ctx, s.audit(p, meta, recouvra.AuditUserUpdate, "user", &u.ID, changes))
	})
	return u, err
}

func sameID(a, b *uuid.UUID) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// NeedsFirstAdmin reports whether no account exists yet, so the person
// starting the server can be told how to create the first one.
func (s *Service) NeedsFirstAdmin(ctx context.Context) (bool, error) {
	n, err := s.store.CountUsers(ctx)
	return n == 0, err
}

// AccountExists reports whether an account uses this e-mail (any case).
func (s *Service) AccountExists(ctx context.Context, email string) (bool, error) {
	_, _, err := s.store.UserByEmail(ctx, recouvra.NormalizeEmail(email))
	switch recouvra.ErrorCode(err) {
	case "":
		return true, nil
	case recouvra.ECodeNotFound:
		return false, nil
	}
	return false, err
}

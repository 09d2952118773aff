package app

import (
	"context"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/recouvra"
)

// References a request carries in its body (the document an upload or a
// generated document supersedes, the document proving irrecoverability,
// the payment a receipt is for, the claim a payment pays) are resolved
// here, inside the caller's scope and on the case the operation is about.
// Whatever the caller may not use — a missing id, another creditor's
// object, an internal one for a creditor, another case's — gets the same
// refusal word for word, so the answer never tells what exists elsewhere.

// unknownRef is that one refusal: 422, code invalid, the field named with
// code unknown and msg ("Aucun … de ce dossier ne porte cet identifiant.").
func unknownRef(field, msg string) error {
	return recouvra.Invalid("Référence inconnue.", recouvra.FieldError{Field: field, Code: "unknown", Message: msg})
}

// caseDocument resolves a document reference in field: a document of case
// caseID that scope may see (for a creditor: a shared one of its own).
func caseDocument(ctx context.Context, r Repo, scope recouvra.Scope, caseID, id uuid.UUID, field string) (recouvra.Document, error) {
	d, err := r.DocumentByID(ctx, scope, id)
	switch {
	case recouvra.ErrorCode(err) == recouvra.ECodeNotFound, err == nil && (d.CaseID == nil || *d.CaseID != caseID):
		return recouvra.Document{}, unknownRef(field, "Aucun document de ce dossier ne porte cet identifiant.")
	case err != nil:
		return recouvra.Document{}, err
	}
	return d, nil
}

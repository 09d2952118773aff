package recouvra

import (
	"time"

	"github.com/google/uuid"
)

// Document is a stored file: a generated PDF or uploaded evidence. Its
// content is immutable and identified by its SHA-256.
type Document struct {
	ID             uuid.UUID
	CaseID         *uuid.UUID // nil for creditor-level documents (remittance statements)
	CreditorID     uuid.UUID
	Kind           string
	Generated      bool
	FileName       string
	MediaType      string
	SizeBytes      int64
	SHA256         string
	Reference      string // the letter's reference, the receipt's number
	AuthorUserID   *uuid.UUID
	AuthorAPIKeyID *uuid.UUID
	Visibility     Visibility
	Supersedes     *uuid.UUID
	SupersededBy   *uuid.UUID // computed: the newer version, if any
	CreatedAt      time.Time
}

// AttachmentKinds are the kinds of evidence that can be uploaded.
var AttachmentKinds = map[string]string{
	"invoice": "facture", "credit_note": "avoir", "contract": "contrat ou conditions générales", "purchase_order": "bon de commande",
	"formal_notice": "mise en demeure envoyée hors de Recouvra", "mandate": "mandat de recouvrement", "power_of_attorney": "pouvoir spécial pour agir en justice",
	"delivery_note": "bon de livraison", "formal_notice_receipt": "avis de réception de la mise en demeure",
	"proof": "pièce justificative", "correspondence": "correspondance", "other": "autre pièce",
}

package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/recouvra/recouvra/internal/recouvra"
)

const whatDocument = "Document"

type documentRow struct {
	ID             uuid.UUID
	CaseID         *uuid.UUID
	CreditorID     uuid.UUID
	Kind           string
	Generated      bool
	FileName       string
	MediaType      string
	SizeBytes      int64
	Sha256         string `gorm:"column:sha256"`
	Reference      string
	AuthorUserID   *uuid.UUID
	AuthorAPIKeyID *uuid.UUID `gorm:"column:author_api_key_id"`
	Visibility     string
	Supersedes     *uuid.UUID
	SupersededBy   *uuid.UUID `gorm:"->;column:superseded_by"` // read-only, computed
	CreatedAt      time.Time  `gorm:"autoCreateTime:false"`
}

func (documentRow) TableName() string { return "documents" }

func (r documentRow) domain() recouvra.Document {
	return recouvra.Document{ID: r.ID, CaseID: r.CaseID, CreditorID: r.CreditorID, Kind: r.Kind, Generated: r.Generated, FileName: r.FileName,
		MediaType: r.MediaType, SizeBytes: r.SizeBytes, SHA256: r.Sha256, Reference: r.Reference, AuthorUserID: r.AuthorUserID,
		AuthorAPIKeyID: r.AuthorAPIKeyID, Visibility: recouvra.Visibility(r.Visibility), Supersedes: r.Supersedes, SupersededBy: r.SupersededBy,
		CreatedAt: r.CreatedAt.UTC()}
}

func (r repo) InsertDocument(ctx context.Context, d *recouvra.Document) error {
	row := documentRow{ID: d.ID, CaseID: d.CaseID, CreditorID: d.CreditorID, Kind: d.Kind, Generated: d.Generated, FileName: d.FileName,
		MediaType: d.MediaType, SizeBytes: d.SizeBytes, Sha256: d.SHA256, Reference: d.Reference, AuthorUserID: d.AuthorUserID,
		AuthorAPIKeyID: d.AuthorAPIKeyID, Visibility: string(d.Visibility), Supersedes: d.Supersedes, CreatedAt: d.CreatedAt}
	err := r.q(ctx).Create(&row).Error
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return recouvra.Invalid("Document déjà remplacé.", recouvra.FieldError{Field: "supersedes", Code: "already_superseded", Message: "Ce document a déjà été remplacé par une version plus récente."})
	}
	return dbErr(err, whatDocument)
}

// documentQuery selects documents with the id of the version replacing
// each, scoped: a creditor sees the shared documents of its own creditor.
func (r repo) documentQuery(ctx context.Context, scope recouvra.Scope) *gorm.DB {
	q := r.q(ctx).Table("documents d").Select("d.*, (SELECT n.id FROM documents n WHERE n.supersedes = d.id) AS superseded_by")
	return sharedScope(q, scope, "d.")
}

func (r repo) DocumentByID(ctx context.Context, scope recouvra.Scope, id uuid.UUID) (recouvra.Document, error) {
	var rows []documentRow
	if err := r.documentQuery(ctx, scope).Where("d.id = ?", id).Limit(1).Scan(&rows).Error; err != nil {
		return recouvra.Document{}, dbErr(err, whatDocument)
	}
	if len(rows) == 0 {
		return recouvra.Document{}, notFound(whatDocument)
	}
	return rows[0].domain(), nil
}

func (r repo) DocumentsOfCase(ctx context.Context, scope recouvra.Scope, caseID uuid.UUID) ([]recouvra.Document, error) {
	return r.documents(ctx, scope, "d.case_id = ?", caseID)
}

func (r repo) DocumentsOfCreditor(ctx context.Context, scope recouvra.Scope, creditorID uuid.UUID) ([]recouvra.Document, error) {
	return r.documents(ctx, scope, "d.creditor_id = ? AND d.case_id IS NULL", creditorID)
}

// documents lists the documents where selects, oldest first.
func (r repo) documents(ctx context.Context, scope recouvra.Scope, where string, args ...any) ([]recouvra.Document, error) {
	var rows []documentRow
	if err := r.documentQuery(ctx, scope).Where(where, args...).Order("d.created_at, d.id").Scan(&rows).Error; err != nil {
		return nil, dbErr(err, whatDocument)
	}
	return domains(rows), nil
}

package postgres

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/recouvra"
)

const whatEInvoiceUpload = "Envoi de factures électroniques"

// einvoiceUploadRow is an einvoice_uploads row (migration 00041).
type einvoiceUploadRow struct {
	ID              uuid.UUID
	CreditorID      uuid.UUID
	CreatedBy       *uuid.UUID
	CreatedByAPIKey *uuid.UUID `gorm:"column:created_by_api_key"`
	ByLabel         string
	CreatedAt       time.Time
	Outcome         string
	Files           jsonCol[[]app.UploadFile]
	PlacedCount     int
	PresentCount    int
	RefusedCount    int
	CasesCreated    int
	Invoices        jsonCol[[]app.UploadInvoice]
	Refusals        jsonCol[[]app.UploadRefusal]
}

func (einvoiceUploadRow) TableName() string { return "einvoice_uploads" }

func (r einvoiceUploadRow) domain() app.EInvoiceUploadRecord {
	return app.EInvoiceUploadRecord{ID: r.ID, CreditorID: r.CreditorID, CreatedBy: r.CreatedBy, CreatedByAPIKey: r.CreatedByAPIKey, ByLabel: r.ByLabel,
		CreatedAt: r.CreatedAt.UTC(), Outcome: r.Outcome, Files: r.Files.V, Placed: r.PlacedCount, Present: r.PresentCount, Refused: r.RefusedCount,
		CasesCreated: r.CasesCreated, Invoices: r.Invoices.V, Refusals: r.Refusals.V}
}

func emptyIfNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func (r repo) InsertEInvoiceUpload(ctx context.Context, u *app.EInvoiceUploadRecord) error {
	row := einvoiceUploadRow{ID: u.ID, CreditorID: u.CreditorID, CreatedBy: u.CreatedBy, CreatedByAPIKey: u.CreatedByAPIKey, ByLabel: u.ByLabel,
		CreatedAt: u.CreatedAt, Outcome: u.Outcome, Files: jsonCol[[]app.UploadFile]{emptyIfNil(u.Files)}, PlacedCount: u.Placed,
		PresentCount: u.Present, RefusedCount: u.Refused, CasesCreated: u.CasesCreated, Invoices: jsonCol[[]app.UploadInvoice]{emptyIfNil(u.Invoices)},
		Refusals: jsonCol[[]app.UploadRefusal]{emptyIfNil(u.Refusals)}}
	return dbErr(r.q(ctx).Create(&row).Error, whatEInvoiceUpload)
}

func (r repo) EInvoiceUploads(ctx context.Context, scope recouvra.Scope, creditorID *uuid.UUID, after *uuid.UUID, limit int) ([]app.EInvoiceUploadRecord, error) {
	q := scoped(r.q(ctx), scope, "creditor_id")
	if creditorID != nil {
		q = q.Where("creditor_id = ?", *creditorID)
	}
	if after != nil {
		q = q.Where("id < ?", *after) // ids are time-ordered (uuid v7): newest first
	}
	var rows []einvoiceUploadRow
	if err := q.Order("id DESC").Limit(limit).Find(&rows).Error; err != nil {
		return nil, dbErr(err, whatEInvoiceUpload)
	}
	return domains(rows), nil
}

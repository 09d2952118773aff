package postgres

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/app"
)

const whatDebtorLink = "Lien débiteur"

// debtorLinkRow is a debtor_links row (migration 00025).
type debtorLinkRow struct {
	CaseID    uuid.UUID
	Version   int
	TokenHash []byte
	CreatedAt time.Time
	IssuedAt  time.Time
	RevokedAt *time.Time
	RevokedBy *uuid.UUID
}

func (debtorLinkRow) TableName() string { return "debtor_links" }

func (l debtorLinkRow) domain() app.DebtorLink {
	return app.DebtorLink{CaseID: l.CaseID, Version: l.Version, TokenHash: l.TokenHash, CreatedAt: l.CreatedAt, IssuedAt: l.IssuedAt, RevokedAt: l.RevokedAt, RevokedBy: l.RevokedBy}
}

func (r repo) DebtorLinkOfCase(ctx context.Context, caseID uuid.UUID, lock app.RowLock) (app.DebtorLink, error) {
	sql := "SELECT * FROM debtor_links WHERE case_id = ?"
	if lock == app.ForUpdate {
		sql += " FOR UPDATE"
	}
	var rows []debtorLinkRow
	if err := r.q(ctx).Raw(sql, caseID).Scan(&rows).Error; err != nil {
		return app.DebtorLink{}, dbErr(err, whatDebtorLink)
	}
	if len(rows) == 0 {
		return app.DebtorLink{}, notFound(whatDebtorLink)
	}
	return rows[0].domain(), nil
}

func (r repo) InsertDebtorLink(ctx context.Context, l app.DebtorLink) error {
	return dbErr(r.q(ctx).Exec(`INSERT INTO debtor_links (case_id, version, token_hash, created_at, issued_at)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT (case_id) DO NOTHING`, l.CaseID, l.Version, l.TokenHash, l.CreatedAt, l.IssuedAt).Error, whatDebtorLink)
}

func (r repo) UpdateDebtorLink(ctx context.Context, l app.DebtorLink) error {
	res := r.q(ctx).Exec(`UPDATE debtor_links SET version = ?, token_hash = ?, issued_at = ?, revoked_at = ?, revoked_by = ? WHERE case_id = ?`,
		l.Version, l.TokenHash, l.IssuedAt, l.RevokedAt, l.RevokedBy, l.CaseID)
	if res.Error != nil {
		return dbErr(res.Error, whatDebtorLink)
	}
	if res.RowsAffected == 0 {
		return notFound(whatDebtorLink)
	}
	return nil
}

func (r repo) DebtorLinkByHash(ctx context.Context, hash []byte) (app.DebtorLink, error) {
	var rows []debtorLinkRow
	if err := r.q(ctx).Raw("SELECT * FROM debtor_links WHERE token_hash = ?", hash).Scan(&rows).Error; err != nil {
		return app.DebtorLink{}, dbErr(err, whatDebtorLink)
	}
	if len(rows) == 0 {
		return app.DebtorLink{}, notFound(whatDebtorLink)
	}
	return rows[0].domain(), nil
}

func (r repo) RecentDebtorLinkFailures(ctx context.Context, clientIP string, since time.Time, limit int) (int, error) {
	var n int
	err := r.q(ctx).Raw(`SELECT count(*) FROM (SELECT 1 FROM audit_log
		WHERE action = ? AND client_ip = ? AND at > ? LIMIT ?) f`, app.AuditDebtorLinkRefused, clientIP, since, limit).Scan(&n).Error
	return n, dbErr(err, "Journal d'audit")
}

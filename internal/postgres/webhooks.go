package postgres

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/recouvra"
)

const (
	whatWebhookEndpoint = "Point de réception"
	whatWebhookDelivery = "Envoi de webhook"
)

// webhookEndpointRow is a webhook_endpoints row (migration 00027).
type webhookEndpointRow struct {
	ID             uuid.UUID
	CreditorID     uuid.UUID
	URL            string `gorm:"column:url"`
	Description    string
	EventTypes     jsonCol[[]string]
	Enabled        bool
	DisabledReason string
	DisabledAt     *time.Time
	Secret         string
	PreviousSecret string
	PreviousUntil  *time.Time
	FailingSince   *time.Time
	CreatedBy      *uuid.UUID
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

func (webhookEndpointRow) TableName() string { return "webhook_endpoints" }

func webhookEndpointRowOf(ep *recouvra.WebhookEndpoint) webhookEndpointRow {
	types := make([]string, len(ep.Types))
	for i, t := range ep.Types {
		types[i] = string(t)
	}
	return webhookEndpointRow{ID: ep.ID, CreditorID: ep.CreditorID, URL: ep.URL, Description: ep.Description, EventTypes: jsonCol[[]string]{types},
		Enabled: ep.Enabled, DisabledReason: ep.DisabledReason, DisabledAt: ep.DisabledAt, Secret: ep.Secret, PreviousSecret: ep.PreviousSecret,
		PreviousUntil: ep.PreviousUntil, FailingSince: ep.FailingSince, CreatedAt: ep.CreatedAt, UpdatedAt: ep.UpdatedAt}
}

func (r webhookEndpointRow) domain() recouvra.WebhookEndpoint {
	ep := recouvra.WebhookEndpoint{ID: r.ID, CreditorID: r.CreditorID, URL: r.URL, Description: r.Description, Enabled: r.Enabled,
		DisabledReason: r.DisabledReason, DisabledAt: utcPtr(r.DisabledAt), Secret: r.Secret, PreviousSecret: r.PreviousSecret,
		PreviousUntil: utcPtr(r.PreviousUntil), FailingSince: utcPtr(r.FailingSince), CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
	for _, t := range r.EventTypes.V {
		ep.Types = append(ep.Types, recouvra.WebhookType(t))
	}
	return ep
}

func (r repo) InsertWebhookEndpoint(ctx context.Context, ep *recouvra.WebhookEndpoint, by *uuid.UUID) error {
	row := webhookEndpointRowOf(ep)
	row.CreatedBy = by
	return dbErr(r.q(ctx).Create(&row).Error, whatWebhookEndpoint)
}

func (r repo) WebhookEndpoints(ctx context.Context, scope recouvra.Scope, creditorID uuid.UUID) ([]recouvra.WebhookEndpoint, error) {
	var rows []webhookEndpointRow
	if err := scoped(r.q(ctx), scope, "creditor_id").Where("creditor_id = ?", creditorID).Order("created_at, id").Find(&rows).Error; err != nil {
		return nil, dbErr(err, whatWebhookEndpoint)
	}
	out := make([]recouvra.WebhookEndpoint, len(rows))
	for i, row := range rows {
		out[i] = row.domain()
	}
	return out, nil
}

func (r repo) CountWebhookEndpoints(ctx context.Context, creditorID uuid.UUID) (int64, error) {
	var n int64
	err := r.q(ctx).Model(&webhookEndpointRow{}).Where("creditor_id = ?", creditorID).Count(&n).Error
	return n, dbErr(err, whatWebhookEndpoint)
}

func (r repo) WebhookEndpointByID(ctx context.Context, scope recouvra.Scope, id uuid.UUID, lock app.RowLock) (recouvra.WebhookEndpoint, error) {
	var row webhookEndpointRow
	if err := r.takeByID(ctx, scope, id, lock, &row, whatWebhookEndpoint); err != nil {
		return recouvra.WebhookEndpoint{}, err
	}
	return row.domain(), nil
}

func (r repo) UpdateWebhookEndpoint(ctx context.Context, ep *recouvra.WebhookEndpoint) error {
	row := webhookEndpointRowOf(ep)
	res := r.q(ctx).Model(&webhookEndpointRow{}).Where("id = ?", ep.ID).Select("url", "description", "event_types", "enabled", "disabled_reason",
		"disabled_at", "secret", "previous_secret", "previous_until", "failing_since", "updated_at").Updates(&row)
	return oneRow(res, whatWebhookEndpoint)
}

func (r repo) DeleteWebhookEndpoint(ctx context.Context, id uuid.UUID) error {
	q := r.q(ctx)
	if err := q.Exec(`DELETE FROM webhook_attempts WHERE delivery_id IN (SELECT id FROM webhook_deliveries WHERE endpoint_id = ?)`, id).Error; err != nil {
		return dbErr(err, whatWebhookEndpoint)
	}
	if err := q.Exec(`DELETE FROM webhook_deliveries WHERE endpoint_id = ?`, id).Error; err != nil {
		return dbErr(err, whatWebhookEndpoint)
	}
	return oneRow(q.Exec(`DELETE FROM webhook_endpoints WHERE id = ?`, id), whatWebhookEndpoint)
}

func (r repo) QueueWebhooks(ctx context.Context, creditorID uuid.UUID, t recouvra.WebhookType, payload []byte, at time.Time) (int64, error) {
	res := r.q(ctx).Exec(`INSERT INTO webhook_deliveries (endpoint_id, creditor_id, type, payload, next_attempt_at, created_at, retry_until)
		SELECT id, creditor_id, ?, CAST(? AS jsonb), ?, ?, ? FROM webhook_endpoints WHERE creditor_id = ? AND enabled AND jsonb_exists(event_types, ?)`,
		string(t), string(payload), at, at, at.Add(recouvra.WebhookRetryFor), creditorID, string(t))
	return res.RowsAffected, dbErr(res.Error, whatWebhookDelivery)
}

// webhookDeliveryRow is a webhook_deliveries row.
type webhookDeliveryRow struct {
	ID            uuid.UUID
	EndpointID    uuid.UUID
	CreditorID    uuid.UUID
	EventID       *uuid.UUID
	Type          string
	Payload       string
	State         string
	Attempts      int
	NextAttemptAt *time.Time
	LeaseUntil    *time.Time
	LastStatus    *int
	CreatedAt     time.Time
	RetryUntil    time.Time
	DeliveredAt   *time.Time
	FinishedAt    *time.Time
}

func (webhookDeliveryRow) TableName() string { return "webhook_deliveries" }

func (r webhookDeliveryRow) domain() recouvra.WebhookDelivery {
	return recouvra.WebhookDelivery{ID: r.ID, EndpointID: r.EndpointID, CreditorID: r.CreditorID, EventID: r.EventID, Type: recouvra.WebhookType(r.Type),
		Payload: []byte(r.Payload), State: r.State, Attempts: r.Attempts, NextAttemptAt: utcPtr(r.NextAttemptAt), LastStatus: r.LastStatus,
		CreatedAt: r.CreatedAt.UTC(), RetryUntil: r.RetryUntil.UTC(), DeliveredAt: utcPtr(r.DeliveredAt), FinishedAt: utcPtr(r.FinishedAt)}
}

func (r repo) InsertWebhookDelivery(ctx context.Context, d *recouvra.WebhookDelivery) error {
	row := webhookDeliveryRow{ID: d.ID, EndpointID: d.EndpointID, CreditorID: d.CreditorID, EventID: d.EventID, Type: string(d.Type),
		Payload: string(d.Payload), State: d.State, NextAttemptAt: d.NextAttemptAt, CreatedAt: d.CreatedAt, RetryUntil: d.RetryUntil}
	return dbErr(r.q(ctx).Create(&row).Error, whatWebhookDelivery)
}

func (r repo) ClaimWebhookDeliveries(ctx context.Context, now, leaseUntil time.Time, limit int) ([]uuid.UUID, error) {
	var ids []uuid.UUID
	err := r.q(ctx).Raw(`UPDATE webhook_deliveries SET lease_until = ?
		WHERE id IN (SELECT d.id FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
		              WHERE d.state = 'pending' AND d.next_attempt_at <= ? AND (d.lease_until IS NULL OR d.lease_until <= ?) AND e.enabled
		              ORDER BY d.next_attempt_at LIMIT ? FOR UPDATE OF d SKIP LOCKED)
		RETURNING id`, leaseUntil, now, now, limit).Scan(&ids).Error
	return ids, dbErr(err, whatWebhookDelivery)
}

func (r repo) WebhookDeliveryByID(ctx context.Context, scope recouvra.Scope, id uuid.UUID, lock app.RowLock) (recouvra.WebhookDelivery, error) {
	var row webhookDeliveryRow
	if err := r.takeByID(ctx, scope, id, lock, &row, whatWebhookDelivery); err != nil {
		return recouvra.WebhookDelivery{}, err
	}
	d := row.domain()
	tries, err := r.webhookAttempts(ctx, scope, []uuid.UUID{d.ID})
	d.Tries = tries[d.ID]
	return d, err
}

func (r repo) UpdateWebhookDelivery(ctx context.Context, d *recouvra.WebhookDelivery) error {
	res := r.q(ctx).Model(&webhookDeliveryRow{}).Where("id = ?", d.ID).Updates(map[string]any{"state": d.State, "attempts": d.Attempts,
		"next_attempt_at": d.NextAttemptAt, "last_status": d.LastStatus, "delivered_at": d.DeliveredAt, "finished_at": d.FinishedAt,
		"retry_until": d.RetryUntil, "lease_until": nil})
	return oneRow(res, whatWebhookDelivery)
}

// webhookAttemptRow is a webhook_attempts row.
type webhookAttemptRow struct {
	ID         uuid.UUID
	DeliveryID uuid.UUID
	CreditorID uuid.UUID
	At         time.Time
	Status     *int
	LatencyMS  int64 `gorm:"column:latency_ms"`
	Excerpt    string
	Error      string
}

func (webhookAttemptRow) TableName() string { return "webhook_attempts" }

func (r repo) InsertWebhookAttempt(ctx context.Context, a *recouvra.WebhookAttempt) error {
	row := webhookAttemptRow{ID: a.ID, DeliveryID: a.DeliveryID, CreditorID: a.CreditorID, At: a.At, Status: a.Status, LatencyMS: a.LatencyMS,
		Excerpt: a.Excerpt, Error: a.Error}
	return dbErr(r.q(ctx).Create(&row).Error, whatWebhookDelivery)
}

func (r repo) webhookAttempts(ctx context.Context, scope recouvra.Scope, ids []uuid.UUID) (map[uuid.UUID][]recouvra.WebhookAttempt, error) {
	out := map[uuid.UUID][]recouvra.WebhookAttempt{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []webhookAttemptRow
	if err := scoped(r.q(ctx), scope, "creditor_id").Where("delivery_id IN ?", ids).Order("at, id").Find(&rows).Error; err != nil {
		return nil, dbErr(err, whatWebhookDelivery)
	}
	for _, a := range rows {
		out[a.DeliveryID] = append(out[a.DeliveryID], recouvra.WebhookAttempt{ID: a.ID, DeliveryID: a.DeliveryID, CreditorID: a.CreditorID,
			At: a.At.UTC(), Status: a.Status, LatencyMS: a.LatencyMS, Excerpt: a.Excerpt, Error: a.Error})
	}
	return out, nil
}

func (r repo) WebhookDeliveries(ctx context.Context, scope recouvra.Scope, endpointID uuid.UUID, after *uuid.UUID, limit int) ([]recouvra.WebhookDelivery, error) {
	var rows []webhookDeliveryRow
	q := scoped(r.q(ctx), scope, "creditor_id").Where("endpoint_id = ?", endpointID)
	if after != nil {
		q = q.Where("id < ?", *after) // ids are time-ordered (uuid v7): newest first
	}
	if err := q.Order("id DESC").Limit(limit).Find(&rows).Error; err != nil {
		return nil, dbErr(err, whatWebhookDelivery)
	}
	ids := make([]uuid.UUID, len(rows))
	for i, row := range rows {
		ids[i] = row.ID
	}
	tries, err := r.webhookAttempts(ctx, scope, ids)
	if err != nil {
		return nil, err
	}
	out := make([]recouvra.WebhookDelivery, len(rows))
	for i, row := range rows {
		out[i] = row.domain()
		out[i].Tries = tries[row.ID]
	}
	return out, nil
}

func (r repo) FailPendingWebhookDeliveries(ctx context.Context, endpointID uuid.UUID, at time.Time) error {
	err := r.q(ctx).Exec(`UPDATE webhook_deliveries SET state = 'failed', finished_at = ?, next_attempt_at = NULL, lease_until = NULL
		WHERE endpoint_id = ? AND state = 'pending'`, at, endpointID).Error
	return dbErr(err, whatWebhookDelivery)
}

func (r repo) DisableFailingWebhookEndpoints(ctx context.Context, before, at time.Time) ([]recouvra.WebhookEndpoint, error) {
	var rows []webhookEndpointRow
	// Not an endpoint with a delivery being tried now (leased, by this
	// instance or another): that try's answer decides — a success means
	// the endpoint is failing no longer, a failure on the deadline disables
	// it then. Disabling under it would fail a delivery the endpoint is
	// about to accept, and the try would then record it delivered to a
	// disabled endpoint.
	err := r.q(ctx).Raw(`WITH off AS (
		    UPDATE webhook_endpoints e SET enabled = false, disabled_reason = 'failing', disabled_at = ?, updated_at = ?
		     WHERE enabled AND failing_since <= ?
		       AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.endpoint_id = e.id AND d.state = 'pending' AND d.lease_until > ?)
		     RETURNING e.*),
		  failed AS (
		    UPDATE webhook_deliveries SET state = 'failed', finished_at = ?, next_attempt_at = NULL, lease_until = NULL
		     WHERE state = 'pending' AND endpoint_id IN (SELECT id FROM off))
		SELECT * FROM off`, at, at, before, at, at).Scan(&rows).Error
	if err != nil {
		return nil, dbErr(err, whatWebhookEndpoint)
	}
	out := make([]recouvra.WebhookEndpoint, len(rows))
	for i, row := range rows {
		out[i] = row.domain()
	}
	return out, nil
}

func (r repo) InsertCreditorEvent(ctx context.Context, e *recouvra.Event) error {
	var seq []int64
	err := r.q(ctx).Raw(`INSERT INTO events (id, case_id, creditor_id, at, actor_user_id, actor_api_key_id, type, visibility, data)
		VALUES (?, NULL, ?, ?, ?, ?, ?, ?, CAST(? AS jsonb)) RETURNING seq`,
		e.ID, e.CreditorID, e.At, e.ActorUserID, e.ActorAPIKeyID, string(e.Type), string(e.Visibility), jsonObject(e.Data)).Scan(&seq).Error
	if err != nil {
		return dbErr(err, whatEvent)
	}
	if len(seq) == 1 {
		e.Seq = seq[0]
	}
	return nil
}

func (r repo) WebhookNoticeReaders(ctx context.Context, creditorID uuid.UUID) ([]app.WebhookNoticeReader, error) {
	var out []app.WebhookNoticeReader
	err := r.q(ctx).Raw(`SELECT id AS user_id, email, notification_language AS language FROM users
		WHERE creditor_id = ? AND role = 'creditor' AND active AND email <> '' ORDER BY id`, creditorID).Scan(&out).Error
	return out, dbErr(err, whatUser)
}

package app

import (
	"context"
	"encoding/json"
	"strconv"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/documents"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// WebhookSender is the webhooks' port: internal/webhook implements it over
// HTTP, refusing addresses that are not public after DNS resolution.
type WebhookSender interface {
	// CheckURL resolves the URL's host and returns a validation error
	// (422) when it is not reachable or not a public address.
	CheckURL(ctx context.Context, rawURL string) error
	// Post sends body once with headers; redirects are not followed.
	Post(ctx context.Context, rawURL string, headers map[string]string, body []byte) WebhookResult
}

// WebhookResult is the outcome of one Post.
type WebhookResult struct {
	Status  int // 0 when no answer came
	Latency time.Duration
	Excerpt string // the answer's first kilobyte
	Err     string // why no answer came
}

// WebhookConfig is the webhooks' channel. With no Sender, endpoints can be
// registered but nothing is delivered.
type WebhookConfig struct {
	Sender WebhookSender
	// AllowPrivate admits http:// URLs (the sender admits private
	// addresses itself): RECOUVRA_WEBHOOK_ALLOW_PRIVATE.
	AllowPrivate bool
	// Wake, when set, is signalled after a delivery is queued outside an
	// event (a ping, a replay, a remittance): the dispatcher looks at once.
	Wake chan struct{}
}

// WebhookRepo keeps endpoints, deliveries and attempts (migration 00027).
type WebhookRepo interface {
	InsertWebhookEndpoint(ctx context.Context, ep *recouvra.WebhookEndpoint, by *uuid.UUID) error
	// WebhookEndpoints lists a creditor's endpoints, oldest first.
	WebhookEndpoints(ctx context.Context, scope recouvra.Scope, creditorID uuid.UUID) ([]recouvra.WebhookEndpoint, error)
	CountWebhookEndpoints(ctx context.Context, creditorID uuid.UUID) (int64, error)
	WebhookEndpointByID(ctx context.Context, scope recouvra.Scope, id uuid.UUID, lock RowLock) (recouvra.WebhookEndpoint, error)
	// UpdateWebhookEndpoint saves every field but the creditor and creation.
	UpdateWebhookEndpoint(ctx context.Context, ep *recouvra.WebhookEndpoint) error
	// DeleteWebhookEndpoint removes the endpoint with its deliveries.
	DeleteWebhookEndpoint(ctx context.Context, id uuid.UUID) error
	// QueueWebhooks adds a delivery of payload to every enabled endpoint
	// of the creditor that wants type t (events do so by trigger).
	QueueWebhooks(ctx context.Context, creditorID uuid.UUID, t recouvra.WebhookType, payload []byte, at time.Time) (int64, error)
	InsertWebhookDelivery(ctx context.Context, d *recouvra.WebhookDelivery) error
	// ClaimWebhookDeliveries leases up to limit pending deliveries due at
	// now (of enabled endpoints) until leaseUntil, skipping those another
	// instance holds, and returns their ids.
	ClaimWebhookDeliveries(ctx context.Context, now, leaseUntil time.Time, limit int) ([]uuid.UUID, error)
	WebhookDeliveryByID(ctx context.Context, scope recouvra.Scope, id uuid.UUID, lock RowLock) (recouvra.WebhookDelivery, error)
	// UpdateWebhookDelivery saves state, attempts, next attempt, last
	// status, delivery and end times, retry deadline, and clears the lease.
	UpdateWebhookDelivery(ctx context.Context, d *recouvra.WebhookDelivery) error
	InsertWebhookAttempt(ctx context.Context, a *recouvra.WebhookAttempt) error
	// WebhookDeliveries lists an endpoint's deliveries newest first, after
	// the cursor's, with their attempts.
	WebhookDeliveries(ctx context.Context, scope recouvra.Scope, endpointID uuid.UUID, after *uuid.UUID, limit int) ([]recouvra.WebhookDelivery, error)
	// FailPendingWebhookDeliveries ends an endpoint's pending deliveries.
	FailPendingWebhookDeliveries(ctx context.Context, endpointID uuid.UUID, at time.Time) error
	// DisableFailingWebhookEndpoints disables, at at, the enabled endpoints
	// failing since before or earlier, fails their pending deliveries, and
	// returns them.
	DisableFailingWebhookEndpoints(ctx context.Context, before, at time.Time) ([]recouvra.WebhookEndpoint, error)
	// InsertCreditorEvent writes a shared event about a creditor and no
	// case (case_id NULL: only EventWebhookEndpointDisabled, 00041).
	InsertCreditorEvent(ctx context.Context, e *recouvra.Event) error
	// WebhookNoticeReaders are the creditor's active users with an
	// e-mail address, with the language they read their notifications in.
	WebhookNoticeReaders(ctx context.Context, creditorID uuid.UUID) ([]WebhookNoticeReader, error)
}

// WebhookNoticeReader is a creditor's user told of an endpoint disabled.
type WebhookNoticeReader struct {
	UserID   uuid.UUID
	Email    string
	Language string // fr or en
}

// WebhookEndpointPatch changes an endpoint; nil fields stay.
type WebhookEndpointPatch struct {
	URL         *string
	Description *string
	Types       []string // nil: unchanged
	Enabled     *bool
}

// webhookCreditor is the creditor whose endpoints the caller handles: a
// creditor's own (naming another answers 404), the one staff name.
func (s *Service) webhookCreditor(ctx context.Context, p recouvra.Principal, creditorID *uuid.UUID) (uuid.UUID, error) {
	scope := p.Scope()
	if creditorID == nil {
		creditorID = scope.CreditorID
	}
	if creditorID == nil {
		return uuid.Nil, recouvra.Invalid("Créancier manquant.", recouvra.FieldError{Field: "creditor_id", Code: "required",
			Message: "Choisissez le créancier dont le système recevra les webhooks."})
	}
	err := s.store.Scoped(ctx, scope, func(r Repo) error {
		_, err := r.CreditorByID(ctx, scope, *creditorID)
		return err
	})
	return *creditorID, err
}

// checkWebhookInput validates an endpoint's form and then its address,
// resolved (the sender refuses private ones).
func (s *Service) checkWebhookInput(ctx context.Context, in recouvra.WebhookEndpointInput) (string, []recouvra.WebhookType, error) {
	u, types, err := in.Check(s.cfg.Webhooks.AllowPrivate)
	if err != nil {
		return "", nil, err
	}
	if s.cfg.Webhooks.Sender != nil {
		if err := s.cfg.Webhooks.Sender.CheckURL(ctx, u); err != nil {
			return "", nil, err
		}
	}
	return u, types, nil
}

// CreateWebhookEndpoint registers an endpoint for a creditor (its own, or
// the one an admin names) and returns it with its secret, shown once.
func (s *Service) CreateWebhookEndpoint(ctx context.Context, p recouvra.Principal, meta Meta, creditorID *uuid.UUID, in recouvra.WebhookEndpointInput) (recouvra.WebhookEndpoint, error) {
	if err := requireRole(p, recouvra.RoleAdmin, recouvra.RoleCreditor); err != nil {
		return recouvra.WebhookEndpoint{}, err
	}
	cred, err := s.webhookCreditor(ctx, p, creditorID)
	if err != nil {
		return recouvra.WebhookEndpoint{}, err
	}
	u, types, err := s.checkWebhookInput(ctx, in)
	if err != nil {
		return recouvra.WebhookEndpoint{}, err
	}
	now := s.now()
	ep := recouvra.WebhookEndpoint{ID: uuid.Must(uuid.NewV7()), CreditorID: cred, URL: u, Description: in.Description, Types: types,
		Enabled: true, Secret: recouvra.NewWebhookSecret(), CreatedAt: now, UpdatedAt: now}
	err = s.store.Tx(ctx, func(r Repo) error {
		n, err := r.CountWebhookEndpoints(ctx, cred)
		if err != nil {
			return err
		}
		if n >= recouvra.WebhookMaxEndpoints {
			return recouvra.Invalid("Trop de points de réception.", recouvra.FieldError{Field: "url", Code: "too_many",
				Message: strconv.Itoa(recouvra.WebhookMaxEndpoints) + " points de réception au plus par créancier : supprimez-en un d'abord."})
		}
		by, _ := p.Actor()
		if err := r.InsertWebhookEndpoint(ctx, &ep, by); err != nil {
			return err
		}
		return r.InsertAudit(ctx, s.audit(p, meta, "webhook_endpoint.create", "webhook_endpoint", &ep.ID, map[string]any{
			"creditor_id": cred, "url": u, "event_types": types}))
	})
	return ep, err
}

// WebhookEndpoints lists a creditor's endpoints (without their secrets).
func (s *Service) WebhookEndpoints(ctx context.Context, p recouvra.Principal, creditorID *uuid.UUID) ([]recouvra.WebhookEndpoint, error) {
	cred, err := s.webhookCreditor(ctx, p, creditorID)
	if err != nil {
		return nil, err
	}
	var out []recouvra.WebhookEndpoint
	err = s.store.Scoped(ctx, p.Scope(), func(r Repo) error {
		out, err = r.WebhookEndpoints(ctx, p.Scope(), cred)
		return err
	})
	return out, err
}

// WebhookEndpoint reads one endpoint the caller may see.
func (s *Service) WebhookEndpoint(ctx context.Context, p recouvra.Principal, id uuid.UUID) (recouvra.WebhookEndpoint, error) {
	var ep recouvra.WebhookEndpoint
	err := s.store.Scoped(ctx, p.Scope(), func(r Repo) error {
		var err error
		ep, err = r.WebhookEndpointByID(ctx, p.Scope(), id, NoLock)
		return err
	})
	return ep, err
}

// changeWebhookEndpoint locks an endpoint the caller may see and saves
// what change does to it.
func (s *Service) changeWebhookEndpoint(ctx context.Context, p recouvra.Principal, meta Meta, id uuid.UUID, action string, change func(ep *recouvra.WebhookEndpoint) error) (recouvra.WebhookEndpoint, error) {
	if err := requireRole(p, recouvra.RoleAdmin, recouvra.RoleCreditor); err != nil {
		return recouvra.WebhookEndpoint{}, err
	}
	var ep recouvra.WebhookEndpoint
	err := s.store.Tx(ctx, func(r Repo) error {
		var err error
		if ep, err = r.WebhookEndpointByID(ctx, p.Scope(), id, ForUpdate); err != nil {
			return err
		}
		if err := change(&ep); err != nil {
			return err
		}
		ep.UpdatedAt = s.now()
		if err := r.UpdateWebhookEndpoint(ctx, &ep); err != nil {
			return err
		}
		return r.InsertAudit(ctx, s.audit(p, meta, action, "webhook_endpoint", &ep.ID, map[string]any{
			"creditor_id": ep.CreditorID, "url": ep.URL, "enabled": ep.Enabled}))
	})
	return ep, err
}

// UpdateWebhookEndpoint changes an endpoint's address, words, types or
// state. Enabling it again clears the failures that disabled it.
func (s *Service) UpdateWebhookEndpoint(ctx context.Context, p recouvra.Principal, meta Meta, id uuid.UUID, patch WebhookEndpointPatch) (recouvra.WebhookEndpoint, error) {
	// The address is checked (resolved) before the row is locked.
	current, err := s.WebhookEndpoint(ctx, p, id)
	if err != nil {
		return recouvra.WebhookEndpoint{}, err
	}
	in := recouvra.WebhookEndpointInput{URL: current.URL, Description: current.Description}
	for _, t := range current.Types {
		in.Types = append(in.Types, string(t))
	}
	if patch.URL != nil {
		in.URL = *patch.URL
	}
	if patch.Description != nil {
		in.Description = *patch.Description
	}
	if patch.Types != nil {
		in.Types = patch.Types
	}
	u, types, err := in.Check(s.cfg.Webhooks.AllowPrivate)
	if err != nil {
		return recouvra.WebhookEndpoint{}, err
	}
	if u != current.URL && s.cfg.Webhooks.Sender != nil {
		if err := s.cfg.Webhooks.Sender.CheckURL(ctx, u); err != nil {
			return recouvra.WebhookEndpoint{}, err
		}
	}
	return s.changeWebhookEndpoint(ctx, p, meta, id, "webhook_endpoint.update", func(ep *recouvra.WebhookEndpoint) error {
		ep.URL, ep.Description, ep.Types = u, in.Description, types
		if patch.Enabled != nil && *patch.Enabled != ep.Enabled {
			ep.Enabled = *patch.Enabled
			if ep.Enabled {
				ep.DisabledReason, ep.DisabledAt, ep.FailingSince = "", nil, nil
			} else {
				now := s.now()
				ep.DisabledReason, ep.DisabledAt = "manual", &now
			}
		}
		return nil
	})
}

// RotateWebhookSecret gives an endpoint a new secret, returned once; the
// previous one still signs (a second signature) for WebhookRotationGrace.
func (s *Service) RotateWebhookSecret(ctx context.Context, p recouvra.Principal, meta Meta, id uuid.UUID) (recouvra.WebhookEndpoint, error) {
	return s.changeWebhookEndpoint(ctx, p, meta, id, "webhook_endpoint.rotate_secret", func(ep *recouvra.WebhookEndpoint) error {
		until := s.now().Add(recouvra.WebhookRotationGrace)
		ep.PreviousSecret, ep.PreviousUntil, ep.Secret = ep.Secret, &until, recouvra.NewWebhookSecret()
		return nil
	})
}

// DeleteWebhookEndpoint removes an endpoint with its deliveries.
func (s *Service) DeleteWebhookEndpoint(ctx context.Context, p recouvra.Principal, meta Meta, id uuid.UUID) error {
	if err := requireRole(p, recouvra.RoleAdmin, recouvra.RoleCreditor); err != nil {
		return err
	}
	return s.store.Tx(ctx, func(r Repo) error {
		ep, err := r.WebhookEndpointByID(ctx, p.Scope(), id, ForUpdate)
		if err != nil {
			return err
		}
		if err := r.DeleteWebhookEndpoint(ctx, ep.ID); err != nil {
			return err
		}
		return r.InsertAudit(ctx, s.audit(p, meta, "webhook_endpoint.delete", "webhook_endpoint", &ep.ID, map[string]any{
			"creditor_id": ep.CreditorID, "url": ep.URL}))
	})
}

// WebhookDeliveries lists an endpoint's deliveries, newest first, with
// their attempts.
func (s *Service) WebhookDeliveries(ctx context.Context, p recouvra.Principal, endpointID uuid.UUID, page PageRequest) (Page[recouvra.WebhookDelivery], error) {
	limit, after, err := page.normalize()
	if err != nil {
		return Page[recouvra.WebhookDelivery]{}, err
	}
	var items []recouvra.WebhookDelivery
	err = s.store.Scoped(ctx, p.Scope(), func(r Repo) error {
		if _, err := r.WebhookEndpointByID(ctx, p.Scope(), endpointID, NoLock); err != nil {
			return err
		}
		items, err = r.WebhookDeliveries(ctx, p.Scope(), endpointID, after, limit+1)
		return err
	})
	if err != nil {
		return Page[recouvra.WebhookDelivery]{}, err
	}
	return pageOf(items, limit, func(d recouvra.WebhookDelivery) uuid.UUID { return d.ID }), nil
}

// PingWebhookEndpoint sends a webhook.ping to the endpoint now and
// returns the delivery with its attempt; a failed ping is retried like
// any delivery.
func (s *Service) PingWebhookEndpoint(ctx context.Context, p recouvra.Principal, id uuid.UUID) (recouvra.WebhookDelivery, error) {
	if err := requireRole(p, recouvra.RoleAdmin, recouvra.RoleCreditor); err != nil {
		return recouvra.WebhookDelivery{}, err
	}
	if s.cfg.Webhooks.Sender == nil {
		return recouvra.WebhookDelivery{}, recouvra.Errorf(recouvra.ECodeUnavailable, "Les webhooks ne sont pas envoyés par ce serveur.")
	}
	var d recouvra.WebhookDelivery
	err := s.store.Tx(ctx, func(r Repo) error {
		ep, err := r.WebhookEndpointByID(ctx, p.Scope(), id, NoLock)
		if err != nil {
			return err
		}
		if !ep.Enabled {
			return recouvra.Invalid("Point de réception désactivé.", recouvra.FieldError{Field: "id", Code: "disabled",
				Message: "Réactivez le point de réception avant de le tester."})
		}
		now := s.now()
		d = recouvra.WebhookDelivery{ID: uuid.Must(uuid.NewV7()), EndpointID: ep.ID, CreditorID: ep.CreditorID, Type: recouvra.WebhookPing,
			State: recouvra.DeliveryPending, NextAttemptAt: &now, CreatedAt: now, RetryUntil: now.Add(recouvra.WebhookRetryFor)}
		d.Payload, err = json.Marshal(recouvra.WebhookPayload{Type: recouvra.WebhookPing, Timestamp: now,
			Data: map[string]any{"endpoint_id": ep.ID.String(), "creditor_id": ep.CreditorID.String(), "message": "Test de Recouvra : votre point de réception répond."}})
		if err != nil {
			return err
		}
		return r.InsertWebhookDelivery(ctx, &d)
	})
	if err != nil {
		return recouvra.WebhookDelivery{}, err
	}
	if err := s.attemptWebhook(ctx, d.ID); err != nil {
		return recouvra.WebhookDelivery{}, err
	}
	return s.webhookDelivery(ctx, p, d.ID)
}

// ReplayWebhookDelivery sends a delivery again (same webhook-id), at once
// and then with the usual retries for three days.
func (s *Service) ReplayWebhookDelivery(ctx context.Context, p recouvra.Principal, meta Meta, id uuid.UUID) (recouvra.WebhookDelivery, error) {
	if err := requireRole(p, recouvra.RoleAdmin, recouvra.RoleCreditor); err != nil {
		return recouvra.WebhookDelivery{}, err
	}
	err := s.store.Tx(ctx, func(r Repo) error {
		d, err := r.WebhookDeliveryByID(ctx, p.Scope(), id, ForUpdate)
		if err != nil {
			return err
		}
		ep, err := r.WebhookEndpointByID(ctx, p.Scope(), d.EndpointID, NoLock)
		if err != nil {
			return err
		}
		if !ep.Enabled {
			return recouvra.Invalid("Point de réception désactivé.", recouvra.FieldError{Field: "id", Code: "disabled",
				Message: "Réactivez le point de réception avant de rejouer ses envois."})
		}
		now := s.now()
		d.State, d.Attempts, d.NextAttemptAt, d.RetryUntil, d.FinishedAt = recouvra.DeliveryPending, 0, &now, now.Add(recouvra.WebhookRetryFor), nil
		if err := r.UpdateWebhookDelivery(ctx, &d); err != nil {
			return err
		}
		return r.InsertAudit(ctx, s.audit(p, meta, "webhook_delivery.replay", "webhook_delivery", &d.ID, map[string]any{
			"creditor_id": d.CreditorID, "endpoint_id": d.EndpointID}))
	})
	if err != nil {
		return recouvra.WebhookDelivery{}, err
	}
	s.wakeWebhooks()
	return s.webhookDelivery(ctx, p, id)
}

func (s *Service) webhookDelivery(ctx context.Context, p recouvra.Principal, id uuid.UUID) (recouvra.WebhookDelivery, error) {
	var d recouvra.WebhookDelivery
	err := s.store.Scoped(ctx, p.Scope(), func(r Repo) error {
		var err error
		d, err = r.WebhookDeliveryByID(ctx, p.Scope(), id, NoLock)
		return err
	})
	return d, err
}

// queueWebhook queues, in r's transaction, a webhook that is not made by
// a timeline event (a remittance, an import) for the creditor's endpoints
// that want it.
func (s *Service) queueWebhook(ctx context.Context, r Repo, creditorID uuid.UUID, t recouvra.WebhookType, data map[string]any) error {
	now := s.now()
	data["creditor_id"] = creditorID.String()
	body, err := json.Marshal(recouvra.WebhookPayload{Type: t, Timestamp: now, Data: data})
	if err != nil {
		return err
	}
	_, err = r.QueueWebhooks(ctx, creditorID, t, body, now)
	return err
}

func (s *Service) wakeWebhooks() {
	if s.cfg.Webhooks.Wake == nil {
		return
	}
	select {
	case s.cfg.Webhooks.Wake <- struct{}{}:
	default:
	}
}

// webhookLease is how long a claimed delivery is held by the instance
// that claimed it: past it (a crash), another instance may try it.
const webhookLease = 2 * time.Minute

// webhookBatch is how many deliveries one round claims; webhookParallel
// how many it sends at once.
const (
	webhookBatch    = 64
	webhookParallel = 8
)

// DeliverWebhooks claims the deliveries due now and attempts each once;
// it returns how many it attempted. Any number of instances may run it at
// once: a delivery is claimed by one (SKIP LOCKED and a lease).
func (s *Service) DeliverWebhooks(ctx context.Context) (int, error) {
	if s.cfg.Webhooks.Sender == nil {
		return 0, nil
	}
	now := s.now()
	n, err := s.attemptDueWebhooks(ctx, now)
	if err != nil {
		return n, err
	}
	// Endpoints whose attempts have all failed for three days are disabled
	// even when no delivery is left to try (a delivery gives up after
	// three days too) — after the attempts due now, so that a delivery due
	// on the deadline gets its last try first (failed, it disables its
	// endpoint itself; answered, the endpoint is failing no longer).
	return n, s.disableFailingWebhookEndpoints(ctx, now)
}

// disableFailingWebhookEndpoints disables the endpoints failing since
// WebhookDisableAfter before now, telling their creditors.
func (s *Service) disableFailingWebhookEndpoints(ctx context.Context, now time.Time) error {
	var mails []uuid.UUID
	err := s.store.Tx(ctx, func(r Repo) error {
		mails = nil
		off, err := r.DisableFailingWebhookEndpoints(ctx, now.Add(-recouvra.WebhookDisableAfter), now)
		if err != nil {
			return err
		}
		for _, ep := range off {
			ids, err := s.noticeWebhookDisabled(ctx, r, ep)
			if err != nil {
				return err
			}
			mails = append(mails, ids...)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, id := range mails {
		s.kick(ctx, id, 0)
	}
	return nil
}

// attemptDueWebhooks claims the deliveries due at now and attempts each
// once; it returns how many it attempted.
func (s *Service) attemptDueWebhooks(ctx context.Context, now time.Time) (int, error) {
	ids, err := s.store.ClaimWebhookDeliveries(ctx, now, now.Add(webhookLease), webhookBatch)
	if err != nil || len(ids) == 0 {
		return 0, err
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, webhookParallel)
	for _, id := range ids {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			if err := s.attemptWebhook(ctx, id); err != nil {
				s.cfg.Logger.Warn("webhook attempt not recorded; retried after the lease", "delivery_id", id.String(), "error", err.Error())
			}
		}()
	}
	wg.Wait()
	return len(ids), nil
}

// RunWebhooks delivers webhooks until ctx ends: at once when woken (an
// event committed, a ping or replay queued), and every second for the
// retries that come due.
func (s *Service) RunWebhooks(ctx context.Context, wakes ...<-chan struct{}) {
	if s.cfg.Webhooks.Sender == nil {
		return
	}
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	merged := make(chan struct{}, 1)
	for _, w := range append(wakes, s.cfg.Webhooks.Wake) {
		if w == nil {
			continue
		}
		go func() {
			for {
				select {
				case <-ctx.Done():
					return
				case <-w:
					select {
					case merged <- struct{}{}:
					default:
					}
				}
			}
		}()
	}
	for ctx.Err() == nil {
		n, err := s.DeliverWebhooks(ctx)
		if err != nil && ctx.Err() == nil {
			s.cfg.Logger.Warn("webhook deliveries", "error", err.Error())
		}
		if n == webhookBatch {
			continue
		}
		select {
		case <-ctx.Done():
		case <-merged:
		case <-tick.C:
		}
	}
}

// attemptWebhook sends delivery id once and records the attempt: the
// delivery is done, retried later (WebhookNextAttempt), or failed after
// three days; the endpoint is disabled once its attempts have all failed
// for WebhookDisableAfter.
func (s *Service) attemptWebhook(ctx context.Context, id uuid.UUID) error {
	d, err := s.store.WebhookDeliveryByID(ctx, recouvra.AllCreditors, id, NoLock)
	if err != nil {
		return err
	}
	if d.State != recouvra.DeliveryPending {
		return nil
	}
	ep, err := s.store.WebhookEndpointByID(ctx, recouvra.AllCreditors, d.EndpointID, NoLock)
	if err != nil {
		return err
	}
	sent := s.now().Truncate(time.Microsecond) // as the database keeps it
	ts := sent.Unix()
	headers := map[string]string{"Content-Type": "application/json", "User-Agent": "Recouvra-Webhooks/1",
		"webhook-id": d.ID.String(), "webhook-timestamp": strconv.FormatInt(ts, 10),
		"webhook-signature": ep.Signatures(d.ID.String(), ts, d.Payload, sent)}
	res := s.cfg.Webhooks.Sender.Post(ctx, ep.URL, headers, d.Payload)
	var mails []uuid.UUID
	err = s.store.Tx(ctx, func(r Repo) error {
		mails = nil
		d, err := r.WebhookDeliveryByID(ctx, recouvra.AllCreditors, id, ForUpdate)
		if err != nil {
			return err
		}
		ep, err := r.WebhookEndpointByID(ctx, recouvra.AllCreditors, d.EndpointID, ForUpdate)
		if err != nil {
			return err
		}
		now := s.now().Truncate(time.Microsecond)
		a := recouvra.WebhookAttempt{ID: uuid.Must(uuid.NewV7()), DeliveryID: d.ID, CreditorID: d.CreditorID, At: sent,
			LatencyMS: res.Latency.Milliseconds(), Excerpt: res.Excerpt, Error: res.Err}
		if res.Status != 0 {
			st := res.Status
			a.Status = &st
			if !a.OK() && a.Error == "" {
				a.Error = "HTTP " + strconv.Itoa(st)
			}
		}
		if err := r.InsertWebhookAttempt(ctx, &a); err != nil {
			return err
		}
		d.Attempts++
		d.LastStatus = a.Status
		epChanged := false
		if a.OK() {
			d.State, d.DeliveredAt, d.FinishedAt, d.NextAttemptAt = recouvra.DeliveryDelivered, &now, &now, nil
			if ep.FailingSince != nil {
				ep.FailingSince, epChanged = nil, true
			}
		} else {
			if next, ok := recouvra.WebhookNextAttempt(d.RetryUntil, now, d.Attempts); ok {
				d.NextAttemptAt = &next
			} else {
				d.State, d.FinishedAt, d.NextAttemptAt = recouvra.DeliveryFailed, &now, nil
			}
			if ep.FailingSince == nil {
				ep.FailingSince, epChanged = &sent, true
			}
		}
		if err := r.UpdateWebhookDelivery(ctx, &d); err != nil {
			return err
		}
		if !a.OK() && ep.Enabled && recouvra.WebhookShouldDisable(ep.FailingSince, now) {
			ep.Enabled, ep.DisabledReason, ep.DisabledAt, epChanged = false, "failing", &now, true
			if err := r.FailPendingWebhookDeliveries(ctx, ep.ID, now); err != nil {
				return err
			}
			if mails, err = s.noticeWebhookDisabled(ctx, r, ep); err != nil {
				return err
			}
		}
		if epChanged {
			ep.UpdatedAt = now
			return r.UpdateWebhookEndpoint(ctx, &ep)
		}
		return nil
	})
	for _, id := range mails {
		s.kick(ctx, id, 0)
	}
	return err
}

// noticeWebhookDisabled tells the creditor, in r's transaction (the one
// that disabled ep), that its endpoint is off: a notification in its
// people's bell (a shared event about no case) and an e-mail to each of
// its active users through the outbox. Once per disabling: the mails'
// source key names the endpoint and the moment it was disabled, and
// nothing else writes this event. It returns the mails queued, for the
// queue to be told once the transaction has committed.
func (s *Service) noticeWebhookDisabled(ctx context.Context, r Repo, ep recouvra.WebhookEndpoint) ([]uuid.UUID, error) {
	s.cfg.Logger.Warn("webhook endpoint disabled: its deliveries failed for three days", "endpoint_id", ep.ID.String(),
		"creditor_id", ep.CreditorID.String(), "url", ep.URL)
	off := s.now()
	if ep.DisabledAt != nil {
		off = *ep.DisabledAt
	}
	since := off
	if ep.FailingSince != nil {
		since = *ep.FailingSince
	}
	e := recouvra.Event{ID: uuid.Must(uuid.NewV7()), CreditorID: ep.CreditorID, At: off, Type: recouvra.EventWebhookEndpointDisabled,
		Visibility: recouvra.Shared, Data: map[string]any{"endpoint_id": ep.ID.String(), "url": ep.URL,
			"failing_since": since.UTC().Format(time.RFC3339Nano), "disabled_at": off.UTC().Format(time.RFC3339Nano)}}
	if err := r.InsertCreditorEvent(ctx, &e); err != nil {
		return nil, err
	}
	if !s.MailOn() {
		return nil, nil
	}
	readers, err := r.WebhookNoticeReaders(ctx, ep.CreditorID)
	if err != nil || len(readers) == 0 {
		return nil, err
	}
	cred, err := r.CreditorByID(ctx, recouvra.AllCreditors, ep.CreditorID)
	if err != nil {
		return nil, err
	}
	var ids []uuid.UUID
	for _, u := range readers {
		lang := u.Language
		if lang != "en" {
			lang = "fr"
		}
		mail := documents.WebhookDisabledEmail(documents.WebhookDisabled{AgencyName: s.cfg.Agency.Name, CreditorName: cred.LegalName, URL: ep.URL,
			Description: ep.Description, FailingSince: since, DisabledAt: off}, lang)
		user := u.UserID
		m := recouvra.MailMessage{ID: uuid.Must(uuid.NewV7()), CreditorID: ep.CreditorID, UserID: &user, Kind: recouvra.MailWebhookDisabled,
			SourceKey: "webhook_disabled:" + ep.ID.String() + ":" + off.UTC().Format(time.RFC3339Nano) + ":" + user.String(),
			To:        u.Email, Language: lang, MessageID: s.newMessageID(), Subject: mail.Subject, Text: mail.Text, HTML: mail.HTML,
			State: recouvra.MailQueued, CreatedAt: s.now()}
		if _, inserted, err := r.InsertMail(ctx, &m); err != nil {
			return nil, err
		} else if inserted {
			ids = append(ids, m.ID)
		}
	}
	return ids, nil
}

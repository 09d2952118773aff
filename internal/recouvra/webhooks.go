package recouvra

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
)

// WebhookType is what a webhook tells a creditor's system. Each is made of
// timeline events the creditor already sees (shared ones), or of records
// that are its own (a remittance, an import): never an internal event.
type WebhookType string

const (
	WebhookCasePlaced     WebhookType = "case.placed"
	WebhookStageChanged   WebhookType = "case.stage_changed"
	WebhookPayment        WebhookType = "payment.recorded"
	WebhookDocument       WebhookType = "document.produced"
	WebhookRemittance     WebhookType = "remittance.made"
	WebhookPlanChanged    WebhookType = "plan.changed"
	WebhookDisputeChanged WebhookType = "dispute.changed"
	WebhookImportFinished WebhookType = "import.finished"
	// WebhookPing is the test a creditor sends itself; no endpoint
	// subscribes to it.
	WebhookPing WebhookType = "webhook.ping"
)

// WebhookTypes are the types an endpoint may subscribe to.
var WebhookTypes = []WebhookType{WebhookCasePlaced, WebhookStageChanged, WebhookPayment, WebhookDocument,
	WebhookRemittance, WebhookPlanChanged, WebhookDisputeChanged, WebhookImportFinished}

// webhookOfEvent maps timeline events onto webhook types. Only shared
// events are delivered (WebhookTypeOf checks it); notes, leases, case
// edits, court steps and e-mail outcomes are not webhooks.
var webhookOfEvent = map[EventType]WebhookType{
	EventCaseCreated:      WebhookCasePlaced,
	EventStageChanged:     WebhookStageChanged,
	EventPaymentRecorded:  WebhookPayment,
	EventDocumentAdded:    WebhookDocument,
	EventPromise:          WebhookPlanChanged,
	EventPromiseKept:      WebhookPlanChanged,
	EventPromiseBroken:    WebhookPlanChanged,
	EventPlanProposed:     WebhookPlanChanged,
	EventPlanAccepted:     WebhookPlanChanged,
	EventPlanApproved:     WebhookPlanChanged,
	EventPlanRefused:      WebhookPlanChanged,
	EventPlanCancelled:    WebhookPlanChanged,
	EventInstalmentMissed: WebhookPlanChanged,
	EventPlanBroken:       WebhookPlanChanged,
	EventPlanCompleted:    WebhookPlanChanged,
	EventDisputeOpened:    WebhookDisputeChanged,
	EventDisputeResolved:  WebhookDisputeChanged,
}

// WebhookTypeOf says which webhook, if any, event e makes: only events the
// creditor sees on its timeline (shared) are ever delivered. The events
// table's trigger (migration 00027, webhook_type_of) queues them; a test
// holds both to the same mapping.
func WebhookTypeOf(e Event) (WebhookType, bool) {
	if e.Visibility != Shared {
		return "", false
	}
	t, ok := webhookOfEvent[e.Type]
	return t, ok
}

// WebhookPayload is the body of a delivery (Standard Webhooks): the type,
// when it happened, and the data.
type WebhookPayload struct {
	Type      WebhookType    `json:"type"`
	Timestamp time.Time      `json:"timestamp"`
	Data      map[string]any `json:"data"`
}

// WebhookEndpoint is a creditor's URL receiving webhooks.
type WebhookEndpoint struct {
	ID          uuid.UUID
	CreditorID  uuid.UUID
	URL         string
	Description string
	Types       []WebhookType
	Enabled     bool
	// DisabledReason is "failing" when deliveries failed for
	// WebhookDisableAfter, "manual" when someone turned it off.
	DisabledReason string
	DisabledAt     *time.Time
	// Secret signs deliveries; PreviousSecret too until PreviousUntil
	// (the grace period after a rotation).
	Secret         string
	PreviousSecret string
	PreviousUntil  *time.Time
	// FailingSince is the first failed attempt since the last success.
	FailingSince *time.Time
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Webhook limits and schedule.
const (
	// WebhookRetryFor: a delivery is retried for three days after it was
	// queued, then failed.
	WebhookRetryFor = 72 * time.Hour
	// WebhookDisableAfter: an endpoint whose attempts have all failed for
	// this long is disabled.
	WebhookDisableAfter = 72 * time.Hour
	// WebhookRotationGrace: after a rotation the previous secret still
	// signs (a second signature) this long.
	WebhookRotationGrace = 24 * time.Hour
	// WebhookExcerptBytes bounds the response kept per attempt.
	WebhookExcerptBytes = 1024
	// WebhookMaxEndpoints bounds a creditor's endpoints.
	WebhookMaxEndpoints = 20
)

// WebhookBackoff is the wait after the attempt-th failed attempt: 5 s,
// 20 s, 80 s, 5 min 20, 21 min, 85 min, 5 h 40, then every 8 hours.
func WebhookBackoff(attempt int) time.Duration {
	d := 5 * time.Second
	for i := 1; i < attempt; i++ {
		d *= 4
		if d >= 8*time.Hour {
			return 8 * time.Hour
		}
	}
	return d
}

// WebhookNextAttempt is when a delivery is tried again after its
// attempt-th failure at now: after the backoff, but no later than
// retryUntil (three days after it was queued or replayed), so a delivery
// failing just before the three days are up is tried once more on the
// deadline itself. False once now has reached retryUntil: the delivery
// has failed.
func WebhookNextAttempt(retryUntil, now time.Time, attempt int) (time.Time, bool) {
	if !now.Before(retryUntil) {
		return time.Time{}, false
	}
	next := now.Add(WebhookBackoff(attempt))
	if next.After(retryUntil) {
		next = retryUntil
	}
	return next, true
}

// WebhookShouldDisable says whether an endpoint failing since
// failingSince is to be disabled at now.
func WebhookShouldDisable(failingSince *time.Time, now time.Time) bool {
	return failingSince != nil && !now.Before(failingSince.Add(WebhookDisableAfter))
}

// NewWebhookSecret is a fresh secret: whsec_ and 32 random bytes in base64.
func NewWebhookSecret() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on a supported system
	}
	return "whsec_" + base64.StdEncoding.EncodeToString(b)
}

// WebhookSignature is Standard Webhooks' signature of one secret:
// v1,base64(HMAC-SHA256(key, id.timestamp.body)), the key being the
// base64-decoded part after whsec_.
func WebhookSignature(secret, id string, ts int64, body []byte) string {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		key = []byte(secret)
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(id))
	m.Write([]byte{'.'})
	m.Write([]byte(strconv.FormatInt(ts, 10)))
	m.Write([]byte{'.'})
	m.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// Signatures is the webhook-signature header's value at now: the current
// secret's signature, and the previous one's during the rotation grace.
func (ep WebhookEndpoint) Signatures(id string, ts int64, body []byte, now time.Time) string {
	s := WebhookSignature(ep.Secret, id, ts, body)
	if ep.PreviousSecret != "" && ep.PreviousUntil != nil && now.Before(*ep.PreviousUntil) {
		s += " " + WebhookSignature(ep.PreviousSecret, id, ts, body)
	}
	return s
}

// WebhookEndpointInput is what a creditor registers or changes.
type WebhookEndpointInput struct {
	URL         string
	Description string
	Types       []string
}

// Check validates the input's form (the address itself is checked after
// DNS resolution by the sender) and returns the normalised URL and types.
// allowHTTP admits http:// (development and tests).
func (in WebhookEndpointInput) Check(allowHTTP bool) (string, []WebhookType, error) {
	var fields []FieldError
	raw := strings.TrimSpace(in.URL)
	u, err := url.Parse(raw)
	switch {
	case raw == "":
		fields = append(fields, FieldError{"url", "required", "L'adresse (URL) est obligatoire."})
	case len(raw) > 2000:
		fields = append(fields, FieldError{"url", "too_long", "2000 caractères au plus."})
	case err != nil || u.Host == "" || u.Opaque != "":
		fields = append(fields, FieldError{"url", "invalid", "URL absolue attendue, par exemple https://erp.example.fr/recouvra/webhooks."})
	case u.Scheme != "https" && !(allowHTTP && u.Scheme == "http"):
		fields = append(fields, FieldError{"url", "not_https", "Seules les adresses https:// sont acceptées (les webhooks portent des données de vos dossiers)."})
	case u.User != nil:
		fields = append(fields, FieldError{"url", "credentials", "L'URL ne peut contenir d'identifiant ni de mot de passe : vérifiez la signature des webhooks."})
	case u.Fragment != "":
		fields = append(fields, FieldError{"url", "fragment", "L'URL ne peut contenir de fragment (#…)."})
	}
	if f := printable(nil, "description", in.Description, OneLine); f != nil {
		fields = append(fields, f...)
	} else if len(in.Description) > 200 {
		fields = append(fields, FieldError{"description", "too_long", "200 caractères au plus."})
	}
	known := map[WebhookType]bool{}
	for _, t := range WebhookTypes {
		known[t] = true
	}
	seen := map[WebhookType]bool{}
	var types []WebhookType
	for i, s := range in.Types {
		t := WebhookType(s)
		if !known[t] {
			fields = append(fields, FieldError{"event_types[" + strconv.Itoa(i) + "]", "invalid", "Type inconnu : " + strings.Join(webhookTypeNames(), ", ") + "."})
			continue
		}
		if !seen[t] {
			seen[t] = true
			types = append(types, t)
		}
	}
	if len(in.Types) == 0 {
		fields = append(fields, FieldError{"event_types", "required", "Choisissez au moins un type d'événement."})
	}
	if len(fields) > 0 {
		return "", nil, Invalid("Point de réception (webhook) invalide.", fields...)
	}
	sort.Slice(types, func(i, j int) bool { return types[i] < types[j] })
	return u.String(), types, nil
}

func webhookTypeNames() []string {
	out := make([]string, len(WebhookTypes))
	for i, t := range WebhookTypes {
		out[i] = string(t)
	}
	return out
}

// WebhookDelivery is one message to one endpoint, with its attempts.
type WebhookDelivery struct {
	ID            uuid.UUID // the webhook-id header: the same on every attempt and replay
	EndpointID    uuid.UUID
	CreditorID    uuid.UUID
	EventID       *uuid.UUID
	Type          WebhookType
	Payload       []byte // the JSON body, fixed when queued
	State         string // pending, delivered, failed
	Attempts      int
	NextAttemptAt *time.Time
	LastStatus    *int
	CreatedAt     time.Time
	RetryUntil    time.Time // retried until then; a replay gives three more days
	DeliveredAt   *time.Time
	FinishedAt    *time.Time
	Tries         []WebhookAttempt
}

// Delivery states.
const (
	DeliveryPending   = "pending"
	DeliveryDelivered = "delivered"
	DeliveryFailed    = "failed"
)

// WebhookAttempt is one try at a delivery.
type WebhookAttempt struct {
	ID         uuid.UUID
	DeliveryID uuid.UUID
	CreditorID uuid.UUID
	At         time.Time
	Status     *int   // the HTTP status, nil when none came back
	LatencyMS  int64  // from the request to the response's headers
	Excerpt    string // the response body's first bytes (at most 1 KB)
	Error      string // why it failed without a status (refused address, timeout…)
}

// OK says whether the attempt succeeded: a 2xx answer.
func (a WebhookAttempt) OK() bool { return a.Status != nil && *a.Status >= 200 && *a.Status < 300 }

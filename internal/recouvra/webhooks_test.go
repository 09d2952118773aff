package recouvra

import (
	"errors"
	"testing"
	"time"
)

// TestWebhookSignatureStandardVector: the example of the Standard Webhooks
// specification (and Svix's libraries) signs to the same value.
func TestWebhookSignatureStandardVector(t *testing.T) {
	got := WebhookSignature("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, []byte(`{"test": 2432232314}`))
	if want := "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="; got != want {
		t.Fatalf("signature %s, want %s", got, want)
	}
}

func TestWebhookSignaturesDuringRotationGrace(t *testing.T) {
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	until := now.Add(WebhookRotationGrace)
	ep := WebhookEndpoint{Secret: NewWebhookSecret(), PreviousSecret: NewWebhookSecret(), PreviousUntil: &until}
	body := []byte(`{"type":"case.placed"}`)
	during := ep.Signatures("id", now.Unix(), body, now)
	if want := WebhookSignature(ep.Secret, "id", now.Unix(), body) + " " + WebhookSignature(ep.PreviousSecret, "id", now.Unix(), body); during != want {
		t.Fatalf("during the grace: %s", during)
	}
	if after := ep.Signatures("id", now.Unix(), body, until); after != WebhookSignature(ep.Secret, "id", now.Unix(), body) {
		t.Fatalf("after the grace: %s", after)
	}
}

func TestWebhookBackoffAndGivingUp(t *testing.T) {
	want := []time.Duration{5 * time.Second, 20 * time.Second, 80 * time.Second, 320 * time.Second, 1280 * time.Second, 5120 * time.Second, 20480 * time.Second, 8 * time.Hour, 8 * time.Hour}
	for i, w := range want {
		if got := WebhookBackoff(i + 1); got != w {
			t.Errorf("backoff after attempt %d: %v, want %v", i+1, got, w)
		}
	}
	queued := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	until := queued.Add(WebhookRetryFor)
	if next, ok := WebhookNextAttempt(until, queued.Add(64*time.Hour), 9); !ok || !next.Equal(until) {
		t.Errorf("the last retry falls on the deadline: %v %v", next, ok)
	}
	if next, ok := WebhookNextAttempt(until, queued.Add(64*time.Hour+time.Second), 9); !ok || !next.Equal(until) {
		t.Errorf("a failure less than 8 hours before the deadline is retried on the deadline: %v %v", next, ok)
	}
	if next, ok := WebhookNextAttempt(until, until.Add(-time.Millisecond), 9); !ok || !next.Equal(until) {
		t.Errorf("a failure a millisecond before the deadline is retried on the deadline: %v %v", next, ok)
	}
	for _, at := range []time.Time{until, until.Add(time.Second)} {
		if _, ok := WebhookNextAttempt(until, at, 9); ok {
			t.Errorf("a retry after a failure at %v, past three days", at.Sub(queued))
		}
	}
	since := queued
	if WebhookShouldDisable(&since, queued.Add(WebhookDisableAfter-time.Second)) || !WebhookShouldDisable(&since, queued.Add(WebhookDisableAfter)) || WebhookShouldDisable(nil, queued.Add(1000*time.Hour)) {
		t.Error("disable rule")
	}
}

func TestWebhookTypeOfSharedEventsOnly(t *testing.T) {
	for _, e := range []Event{{Type: EventNote, Visibility: Shared}, {Type: EventPaymentRecorded, Visibility: Internal}, {Type: EventCaseLeased, Visibility: Shared}} {
		if typ, ok := WebhookTypeOf(e); ok {
			t.Errorf("%s %s makes %s", e.Type, e.Visibility, typ)
		}
	}
	if typ, ok := WebhookTypeOf(Event{Type: EventPromiseBroken, Visibility: Shared}); !ok || typ != WebhookPlanChanged {
		t.Errorf("promise_broken: %s %v", typ, ok)
	}
}

func TestWebhookEndpointInputCheck(t *testing.T) {
	u, types, err := WebhookEndpointInput{URL: " https://erp.example.fr/hooks?x=1 ", Types: []string{"payment.recorded", "case.placed", "case.placed"}}.Check(false)
	if err != nil || u != "https://erp.example.fr/hooks?x=1" || len(types) != 2 || types[0] != WebhookCasePlaced {
		t.Fatalf("%q %v %v", u, types, err)
	}
	for _, in := range []WebhookEndpointInput{
		{URL: "http://erp.example.fr/", Types: []string{"case.placed"}},
		{URL: "https://erp.example.fr/#frag", Types: []string{"case.placed"}},
		{URL: "https://erp.example.fr/", Types: nil},
		{URL: "https://erp.example.fr/", Types: []string{"webhook.ping"}},
		{URL: "https://erp.example.fr/", Types: []string{"case.placed"}, Description: "a\x00b"},
	} {
		var e *Error
		if _, _, err := in.Check(false); !errors.As(err, &e) || e.Code != ECodeInvalid {
			t.Errorf("%+v: %v", in, err)
		}
	}
	if _, _, err := (WebhookEndpointInput{URL: "http://127.0.0.1:9000/", Types: []string{"case.placed"}}).Check(true); err != nil {
		t.Errorf("http allowed in development: %v", err)
	}
}

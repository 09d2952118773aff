package server_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/config"
	"github.com/recouvra/recouvra/internal/pgtest"
	"github.com/recouvra/recouvra/internal/postgres"
)

// keyedWrite is one of this release's writes sent with an Idempotency-Key.
type keyedWrite struct {
	name   string
	method string
	path   string
	as     string
	status int
	// body gives the request's body and Content-Type; called again for the
	// retry (a multipart form gets a new boundary, as a client sending the
	// same form again draws one).
	body func() ([]byte, string)
	// effect counts what the write does; 0 before, 1 after.
	effect func() int
}

// multipartBody is a form of one file part (and fields before it).
func multipartBody(fields map[string]string, file, name string, data []byte) func() ([]byte, string) {
	return func() ([]byte, string) {
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		for k, v := range fields {
			_ = mw.WriteField(k, v)
		}
		fw, _ := mw.CreateFormFile(file, name)
		_, _ = fw.Write(data)
		_ = mw.Close()
		return b.Bytes(), mw.FormDataContentType()
	}
}

// TestIdempotencyKeysOfKilledRequests: this release's writes — booking a
// remittance run, correcting an invoice, uploading e-invoices, recording
// registered numbers — each sent with an Idempotency-Key to a real server
// process that is killed with SIGKILL while the request is in its
// transaction, its work done and its answer about to be stored (held there
// by a trigger waiting on a lock the test holds, so the kill lands at that
// point and not at a guessed moment). Then: nothing of it is left, the key
// is not stuck "in flight", the retry with the same key on the surviving
// instance does the write once, and a second retry replays its answer.
//
//	go test -race -count=1 -run TestIdempotencyKeysOfKilledRequests ./internal/server/
func TestIdempotencyKeysOfKilledRequests(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := pgtest.URL(t)
	db, err := postgres.Open(ctx, url, postgres.Options{MaxConns: 10, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	w := newWorldOn(t, db, io.Discard, func(*config.Config) {})
	count := func(query string, args ...any) func() int {
		return func() int { return w.countRows(t, query, args...) }
	}

	// The fixtures of the four writes.
	run := w.remittanceRun() // a draft run paying creditor A
	invoice := w.freshInvoice(w.credB.ID, w.caseB.Case.ID)
	w.sellerIsA()
	pass := w.letterPass()
	writes := []keyedWrite{
		{name: "booking a remittance run", method: "POST", path: "/api/v1/remittance-runs/" + run.String() + "/book", as: "admin", status: 200,
			body:   func() ([]byte, string) { return nil, "" },
			effect: count("SELECT count(*) FROM documents WHERE kind = 'remittance_statement' AND creditor_id = $1", w.credA.ID)},
		{name: "correcting an invoice", method: "POST", path: "/api/v1/invoices/" + invoice.String() + "/correct", as: "admin", status: 201,
			body: func() ([]byte, string) {
				return []byte(`{"reason": "Adresse du créancier erronée"}`), "application/json"
			},
			effect: count("SELECT count(*) FROM invoices WHERE kind = 'credit_note' AND creditor_id = $1", w.credB.ID)},
		{name: "uploading e-invoices", method: "POST", path: "/api/v1/e-invoices", as: "admin", status: 200,
			body:   multipartBody(map[string]string{"creditor_id": w.credA.ID.String()}, "file", "FA-2026-0150.xml", einvoiceSample(t, "ubl-invoice.xml")),
			effect: count("SELECT count(*) FROM claims WHERE invoice_number = 'FA-2026-0150'")},
		{name: "recording registered numbers", method: "POST", path: "/api/v1/strategy-runs/" + pass + "/registered-numbers", as: "admin", status: 200,
			// A good line and a refused one: the refusal's savepoint must
			// not undo the good line inside the key's transaction.
			body:   multipartBody(nil, "file", "depot.csv", []byte("dossier;numero\n"+w.caseA.Case.Reference+";1A 123 456 7890 1\nINCONNU-1;1A 000 000 0000 9\n")),
			effect: count("SELECT count(*) FROM registered_letters WHERE pass_id = $1", uuid.MustParse(pass))},
	}

	// The cue: before a key's answer is stored (the UPDATE that ends every
	// keyed request, after its handler did all its work).
	w.exec(t, `CREATE FUNCTION cue_before_answer() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN PERFORM pg_advisory_xact_lock(1969, 1); RETURN NEW; END $$`)
	w.exec(t, `CREATE TRIGGER cue_before_answer BEFORE UPDATE ON idempotency_keys FOR EACH ROW EXECUTE FUNCTION cue_before_answer()`)
	send := func(base, as string, wr keyedWrite, key string) (*http.Response, []byte, error) {
		body, ct := wr.body()
		req, err := http.NewRequest(wr.method, base+wr.path, bytes.NewReader(body))
		if err != nil {
			return nil, nil, err
		}
		req.Header.Set("Authorization", "Bearer "+w.tokens[as])
		req.Header.Set("Idempotency-Key", key)
		if ct != "" {
			req.Header.Set("Content-Type", ct)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return nil, nil, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return resp, b, err
	}

	for _, wr := range writes {
		key := "crash-" + strings.ReplaceAll(wr.name, " ", "-")
		if n := wr.effect(); n != 0 {
			t.Fatalf("%s: %d effects before the request", wr.name, n)
		}
		srv := startChild(t, childSpec{DatabaseURL: url, DataDir: w.dataDir, Now: w.clock.Now()})
		held := holdCue(t, url, 1)
		answered := make(chan error, 1)
		go func() {
			resp, body, err := send(srv.url, wr.as, wr, key)
			if err == nil {
				err = &answerError{status: resp.StatusCode, body: body}
			}
			answered <- err
		}()
		pid := held.waiter(t, 60*time.Second)
		srv.kill() // SIGKILL, the request's transaction open with all its writes
		if err := <-answered; err != nil {
			if ae, ok := err.(*answerError); ok {
				t.Fatalf("%s: the killed server answered %d %s", wr.name, ae.status, ae.body)
			}
		}
		held.release(t)
		held.gone(t, pid)
		if n := wr.effect(); n != 0 {
			t.Fatalf("%s: %d effects left by the killed request", wr.name, n)
		}
		if n := w.countRows(t, "SELECT count(*) FROM idempotency_keys WHERE key = $1", key); n != 0 {
			t.Fatalf("%s: the killed request's key is still there (%d rows)", wr.name, n)
		}

		// The client retries with the same key, on the other instance.
		resp, first, err := send(w.srv.URL(), wr.as, wr, key)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != wr.status || resp.Header.Get("Idempotent-Replayed") != "" {
			t.Fatalf("%s: the retry answered %d (replayed %q) %s", wr.name, resp.StatusCode, resp.Header.Get("Idempotent-Replayed"), first)
		}
		if n := wr.effect(); n != 1 {
			t.Fatalf("%s: %d effects after the retry", wr.name, n)
		}
		resp, again, err := send(w.srv.URL(), wr.as, wr, key)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != wr.status || resp.Header.Get("Idempotent-Replayed") != "true" || !bytes.Equal(again, first) {
			t.Fatalf("%s: the second retry answered %d (replayed %q) %s; the first %s", wr.name, resp.StatusCode, resp.Header.Get("Idempotent-Replayed"), again, first)
		}
		if n := wr.effect(); n != 1 {
			t.Fatalf("%s: %d effects after the replay", wr.name, n)
		}
		// The key with another request is refused, and does nothing.
		another := func() ([]byte, string) { return []byte(`{"reason": "une autre requête"}`), "application/json" }
		if _, ct := wr.body(); strings.HasPrefix(ct, "multipart/") {
			another = multipartBody(nil, "file", "autre.csv", []byte("une autre requête"))
		}
		if resp, body, err := send(w.srv.URL(), wr.as, keyedWrite{method: wr.method, path: wr.path, body: another}, key); err != nil || resp.StatusCode != http.StatusUnprocessableEntity || !bytes.Contains(body, []byte("header.Idempotency-Key")) {
			t.Fatalf("%s: the key with another body: %v %s", wr.name, err, body)
		}
		if n := wr.effect(); n != 1 {
			t.Fatalf("%s: %d effects after the key was reused", wr.name, n)
		}
	}
}

// answerError is an answer a killed server should never have given.
type answerError struct {
	status int
	body   []byte
}

func (e *answerError) Error() string { return http.StatusText(e.status) }

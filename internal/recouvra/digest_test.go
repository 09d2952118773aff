package recouvra_test

import (
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/recouvra"
)

func TestParseDigestTime(t *testing.T) {
	for in, want := range map[string]recouvra.DigestTime{"07:00": {Hour: 7}, "00:00": {}, "23:59": {Hour: 23, Minute: 59}, " 18:30 ": {Hour: 18, Minute: 30}} {
		if got, err := recouvra.ParseDigestTime(in); err != nil || got != want || got.String() != want.String() {
			t.Errorf("%q: %v %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "7:00", "24:00", "07:60", "07h00", "07:00:00", "-1:00", "ab:cd"} {
		if _, err := recouvra.ParseDigestTime(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestDigestDue(t *testing.T) {
	at := recouvra.DigestTime{Hour: 7}
	for _, tc := range []struct {
		now string // UTC
		day string
		due bool
	}{
		{"2026-12-02T05:59:00Z", "2026-12-02", false}, // 06:59 in Paris (winter, UTC+1)
		{"2026-12-02T06:00:00Z", "2026-12-02", true},  // 07:00 in Paris
		{"2026-12-02T22:59:00Z", "2026-12-02", true},  // 23:59 in Paris: a late run still writes the day's
		{"2026-12-02T23:30:00Z", "2026-12-03", false}, // 00:30 the next day in Paris: not yet
		{"2026-07-01T05:00:00Z", "2026-07-01", true},  // 07:00 in Paris (summer, UTC+2)
		{"2026-07-01T04:59:00Z", "2026-07-01", false},
	} {
		now, _ := time.Parse(time.RFC3339, tc.now)
		day, due := recouvra.DigestDue(now, at)
		if day.String() != tc.day || due != tc.due {
			t.Errorf("%s: %s %v, want %s %v", tc.now, day, due, tc.day, tc.due)
		}
	}
}

func TestDigestSourceKey(t *testing.T) {
	u := uuid.MustParse("0190d3a2-0000-7000-8000-000000000001")
	d := recouvra.MustDate("2026-12-02")
	if k := recouvra.DigestSourceKey(u, d); k != "digest:0190d3a2-0000-7000-8000-000000000001:2026-12-02" {
		t.Fatal(k)
	}
	if recouvra.DigestSourceKey(u, d) == recouvra.DigestSourceKey(u, d.AddDays(1)) {
		t.Fatal("two days share a key")
	}
}

func TestDigestRule(t *testing.T) {
	cred := uuid.Must(uuid.NewV7())
	me := uuid.Must(uuid.NewV7())
	creditor := recouvra.Principal{Kind: recouvra.PrincipalUser, UserID: me, Role: recouvra.RoleCreditor, CreditorID: &cred}
	agent := recouvra.Principal{Kind: recouvra.PrincipalUser, UserID: me, Role: recouvra.RoleAgent}
	admin := recouvra.Principal{Kind: recouvra.PrincipalUser, UserID: me, Role: recouvra.RoleAdmin}
	bell, _ := recouvra.NotificationsFor(creditor)

	// Asked for: the bell's rule, whatever the creditor chose.
	for _, rep := range []recouvra.PaymentReports{recouvra.PaymentReportsPortal, recouvra.PaymentReportsDigest} {
		if r, ok := recouvra.DigestRule(creditor, true, rep); !ok || !slices.Equal(r.Types, bell.Types) || *r.CreditorID != cred || r.UserID != me {
			t.Errorf("opted in, %s: %+v %v", rep, r, ok)
		}
	}
	// Not asked for, the creditor chose payments by digest: payments only.
	r, ok := recouvra.DigestRule(creditor, false, recouvra.PaymentReportsDigest)
	if !ok || !slices.Equal(r.Types, []recouvra.EventType{recouvra.EventPaymentRecorded, recouvra.EventPaymentReversed}) || *r.CreditorID != cred {
		t.Errorf("forced by R124-5: %+v %v", r, ok)
	}
	// Not asked for, portal only: none.
	if _, ok := recouvra.DigestRule(creditor, false, recouvra.PaymentReportsPortal); ok {
		t.Error("a creditor who chose the portal and did not opt in gets a digest")
	}
	// Staff: their own choice only; an admin has no notifications at all.
	if r, ok := recouvra.DigestRule(agent, true, ""); !ok || r.AgentID == nil {
		t.Errorf("agent opted in: %+v %v", r, ok)
	}
	if _, ok := recouvra.DigestRule(agent, false, recouvra.PaymentReportsDigest); ok {
		t.Error("an agent gets a digest it did not ask for")
	}
	if _, ok := recouvra.DigestRule(admin, true, ""); ok {
		t.Error("an admin gets a digest")
	}
	if !recouvra.PaymentReportsDigest.Valid() || !recouvra.PaymentReportsPortal.Valid() || recouvra.PaymentReports("email").Valid() {
		t.Error("PaymentReports.Valid")
	}
}

func TestDigestSelect(t *testing.T) {
	n := func(tx uint64, seq int64, read bool) recouvra.Notification {
		return recouvra.Notification{Event: recouvra.Event{Tx: tx, Seq: seq, Type: recouvra.EventPaymentRecorded}, Read: read}
	}
	items, more := recouvra.DigestSelect([]recouvra.Notification{n(9, 3, false), n(5, 1, true), n(5, 2, false), n(9, 1, false)})
	var got [][2]int64
	for _, it := range items {
		got = append(got, [2]int64{int64(it.Event.Tx), it.Event.Seq})
	}
	if more != 0 || !slices.Equal(got, [][2]int64{{5, 2}, {9, 1}, {9, 3}}) {
		t.Fatalf("unread, oldest first: %v (+%d)", got, more)
	}
	if items, more := recouvra.DigestSelect(nil); len(items) != 0 || more != 0 {
		t.Fatal("nothing new is nothing")
	}
	var many []recouvra.Notification
	for i := range recouvra.DigestMaxItems + 7 {
		many = append(many, n(uint64(100-i), 1, false))
	}
	items, more = recouvra.DigestSelect(many)
	if len(items) != recouvra.DigestMaxItems || more != 7 || items[0].Event.Tx != uint64(100-recouvra.DigestMaxItems-6) {
		t.Fatalf("capped: %d items, %d more, first tx %d", len(items), more, items[0].Event.Tx)
	}
}

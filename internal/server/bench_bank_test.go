package server_test

// Bank statement import, measured (make bench-bank):
//
//	go test -run '^$' -bench BenchmarkBankImport -benchtime 1x -timeout 60m ./internal/server/
//
// A camt.053 of RECOUVRA_BENCH_BANK_ENTRIES entries (100,000 by default)
// is generated to a file, nine in ten carrying the RF reference of an open
// case among RECOUVRA_BENCH_BANK_CASES bulk-loaded cases (1,000,000 by
// default: the million-case database), the rest naming nothing;
// then it is imported and matched (every sure match booked through
// RecordPayment, a batch of entries per transaction), and the same entries
// are COPYed raw into a bare table in the same run. Printed: entries per
// second both ways, the share booked automatically, and the peak resident
// memory of the import (VmHWM, reset before it through clear_refs).

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/bankfile"
	"github.com/recouvra/recouvra/internal/config"
	"github.com/recouvra/recouvra/internal/demo"
	"github.com/recouvra/recouvra/internal/recouvra"
)

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// peakRSS is the process's peak resident memory in kB (VmHWM).
func peakRSS() int64 {
	data, _ := os.ReadFile("/proc/self/status")
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return n
		}
	}
	return 0
}

func BenchmarkBankImport(b *testing.B) {
	nEntries := envInt("RECOUVRA_BENCH_BANK_ENTRIES", 100_000)
	nCases := envInt("RECOUVRA_BENCH_BANK_CASES", 1_000_000)
	w := newWorldWith(b, io.Discard, func(c *config.Config) { c.RateLimit = 0 })
	ctx := context.Background()
	start := time.Now()
	s := &demo.Seeder{Svc: w.svc, Clock: demo.NewClock(w.clock.Now()), Out: io.Discard, Rand: rand.New(rand.NewPCG(11, 11))}
	if err := s.Bulk(ctx, w.db, nCases); err != nil {
		b.Fatal(err)
	}
	b.Logf("loaded %d cases in %s", nCases, time.Since(start).Round(time.Second))
	rows, err := w.db.Pool.Query(ctx, "SELECT reference FROM cases WHERE stage <> 'closed' ORDER BY id")
	if err != nil {
		b.Fatal(err)
	}
	refs, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil || len(refs) == 0 {
		b.Fatal(err, len(refs))
	}

	// The statement: 90 % with a case's RF (small amounts: no case is paid
	// off), 10 % naming nothing; written straight to a file.
	today := recouvra.DateOf(w.clock.Now())
	rnd := rand.New(rand.NewPCG(3, 3))
	entries := make([]bankfile.Entry, nEntries)
	for i := range entries {
		e := bankfile.Entry{Reference: fmt.Sprintf("B%08d", i), BookedOn: today, AmountCents: int64(100 + rnd.IntN(5000)), Credit: true, Currency: "EUR",
			DebtorName: "PAYEUR " + strconv.Itoa(i)}
		if i%10 != 9 {
			e.Structured = recouvra.PaymentReference(refs[rnd.IntN(len(refs))])
		} else {
			e.Unstructured = "VIREMENT " + strconv.Itoa(i)
		}
		entries[i] = e
	}
	path := filepath.Join(b.TempDir(), "bench.xml")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	bw := bufio.NewWriter(f)
	if err := bankfile.WriteCAMT053(bw, "BENCH", bankfile.Statement{ID: "BENCH-1", Account: agencyIBAN, Currency: "EUR", On: today, Entries: entries}); err != nil {
		b.Fatal(err)
	}
	if err := bw.Flush(); err != nil {
		b.Fatal(err)
	}
	_ = f.Close()
	info, _ := os.Stat(path)

	// Raw: the same entries COPYed into a bare table of the same columns.
	if _, err := w.db.Pool.Exec(ctx, `CREATE TABLE bench_raw_entries (account text, statement_id text, entry_ref text, booked_on date,
		amount_cents bigint, currency text, credit boolean, structured text, unstructured text, debtor_name text)`); err != nil {
		b.Fatal(err)
	}
	t0 := time.Now()
	n, err := w.db.Pool.CopyFrom(ctx, pgx.Identifier{"bench_raw_entries"},
		[]string{"account", "statement_id", "entry_ref", "booked_on", "amount_cents", "currency", "credit", "structured", "unstructured", "debtor_name"},
		pgx.CopyFromSlice(len(entries), func(i int) ([]any, error) {
			e := entries[i]
			return []any{agencyIBAN, "BENCH-1", e.Reference, today.Time(), e.AmountCents, "EUR", true, e.Structured, e.Unstructured, e.DebtorName}, nil
		}))
	if err != nil || int(n) != nEntries {
		b.Fatal(err, n)
	}
	raw := time.Since(t0)
	entries = nil

	b.ResetTimer()
	for range b.N {
		_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) // reset VmHWM to the current RSS
		before := peakRSS()
		in, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		res, err := w.svc.ImportBankStatement(ctx, app.System, "", "bench.xml", in, app.Meta{})
		took := time.Since(t1)
		_ = in.Close()
		if err != nil {
			b.Fatal(err)
		}
		peak := peakRSS()
		b.Logf("file %d MB, %d entries: imported and matched in %s = %.0f entries/s; raw COPY of the same entries %s = %.0f entries/s (%.0f× faster)",
			info.Size()>>20, res.Entries, took.Round(time.Millisecond), float64(res.Entries)/took.Seconds(), raw.Round(time.Millisecond),
			float64(nEntries)/raw.Seconds(), took.Seconds()/raw.Seconds())
		b.Logf("booked automatically %d (%.1f %%), to match %d, duplicates %d; peak RSS %d MB (%d MB before the import)",
			res.Booked, 100*float64(res.Booked)/float64(max(res.Entries, 1)), res.Unmatched, res.Duplicates, peak>>10, before>>10)
		b.ReportMetric(float64(res.Entries)/took.Seconds(), "entries/s")
		b.ReportMetric(float64(nEntries)/raw.Seconds(), "copy-entries/s")
		b.ReportMetric(float64(peak>>10), "peak-RSS-MB")
	}
}

package server_test

// Placement file import, measured (make bench-import):
//
//	go test -run '^$' -bench BenchmarkPlacementImport -benchtime 1x -timeout 90m ./internal/server/
//
// A CSV of RECOUVRA_BENCH_IMPORT_ROWS rows (1,000,000 by default) is
// generated to a file as an accounting export writes it (French headers,
// "1 234,56" amounts, dd/mm/yyyy dates, valid SIRENs, four invoices per
// debtor, one row in a hundred refused: an impossible date), then placed
// into a fresh database the way the portal does it — UploadImport (read,
// checked, guessed mapping, stored) then ProcessImport (the River job's
// body: read, validate, COPY into a staging table, set-based INSERT …
// SELECT).
// The debtors, cases, claims and events it wrote are then dumped to files
// and loaded again with `psql \copy` into tables made LIKE them (INCLUDING
// ALL: same columns, defaults, checks and indexes; no triggers or foreign
// keys), timed in the same run, once the server has stopped (nothing else
// of it competes with psql for the 2 cores). Printed: rows per second both
// ways, their ratio, and the peak resident memory of the import (VmHWM,
// reset before it through clear_refs).

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/config"
	"github.com/recouvra/recouvra/internal/pgtest"
	"github.com/recouvra/recouvra/internal/postgres"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// benchSIREN is the n-th valid SIREN (Luhn key) from 100000000 up.
func benchSIREN(n int) string {
	base := fmt.Sprintf("%08d", 10_000_000+n)
	for k := 0; k < 10; k++ {
		s := base + string(rune('0'+k))
		sum := 0
		for i := 0; i < 9; i++ {
			d := int(s[8-i] - '0')
			if i%2 == 1 {
				if d *= 2; d > 9 {
					d -= 9
				}
			}
			sum += d
		}
		if sum%10 == 0 {
			return s
		}
	}
	panic("no Luhn key")
}

// writeBenchPlacementCSV writes n rows (and the header) to path; it
// returns how many rows are refused by design.
func writeBenchPlacementCSV(path string, n int, today recouvra.Date) (int, error) {
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	fmt.Fprint(w, "\xEF\xBB\xBFRaison sociale;SIREN;Adresse;Code postal;Ville;Référence;Numéro de facture;Date de facture;Échéance;Montant TTC\n")
	refused := 0
	for i := range n {
		d := i / 4 // four invoices per debtor
		issued, due := today.AddDays(-90-i%60), today.AddDays(-30-i%60)
		is := fmt.Sprintf("%02d/%02d/%04d", issued.Day(), int(issued.Month()), issued.Year())
		if i%100 == 99 {
			is, refused = "31/02/2026", refused+1
		}
		fmt.Fprintf(w, "Société %d SARL;%s;%d rue du Commerce;69%03d;Lyon;C-%d;F-%d;%s;%02d/%02d/%04d;%d %03d,%02d\n",
			d, benchSIREN(d), 1+d%200, d%1000, d, i, is, due.Day(), int(due.Month()), due.Year(), 1+i%9, i%1000, i%100)
	}
	if err := w.Flush(); err != nil {
		return 0, err
	}
	return refused, f.Close()
}

func BenchmarkPlacementImport(b *testing.B) {
	n := envInt("RECOUVRA_BENCH_IMPORT_ROWS", 1_000_000)
	if _, err := exec.LookPath("psql"); err != nil {
		b.Fatal("psql is needed for the raw \\copy baseline: apt-get install postgresql-client")
	}
	url := pgtest.URL(b)
	db, err := postgres.Open(context.Background(), url, postgres.Options{MaxConns: 10})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(db.Close)
	w := newWorldOn(b, db, io.Discard, func(c *config.Config) { c.RateLimit, c.MaxUploadBytes = 0, 1<<30 })
	ctx := context.Background()
	dir := b.TempDir()
	path := filepath.Join(dir, "placement.csv")
	today := recouvra.DateOf(w.clock.Now())
	t0 := time.Now()
	wantRefused, err := writeBenchPlacementCSV(path, n, today)
	if err != nil {
		b.Fatal(err)
	}
	info, _ := os.Stat(path)
	b.Logf("generated %d rows (%d MB) in %s", n, info.Size()>>20, time.Since(t0).Round(time.Millisecond))
	creditor := w.credA.ID

	b.ResetTimer()
	for range b.N {
		runtime.GC()
		_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) // reset VmHWM to the current RSS
		before := peakRSS()
		in, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		v, err := w.svc.UploadImport(ctx, app.System, &creditor, "placement.csv", in)
		_ = in.Close()
		if err != nil {
			b.Fatal(err)
		}
		uploaded := time.Since(t1)
		if err := w.svc.ProcessImport(ctx, v.Import.ID); err != nil {
			b.Fatal(err)
		}
		took := time.Since(t1)
		peak := peakRSS()
		done, err := w.svc.GetImport(ctx, app.System, v.Import.ID)
		if err != nil {
			b.Fatal(err)
		}
		imp := done.Import
		if imp.Status != "done" || int(imp.Refused) != wantRefused || int(imp.Placed) != n-wantRefused {
			b.Fatalf("import: status %s, placed %d, present %d, refused %d (want %d refused), error %q", imp.Status, imp.Placed, imp.Present, imp.Refused, wantRefused, imp.Error)
		}

		// The server stops before the baseline runs: woken by the import's
		// commit, its live hub reads the new events back in pages of 500
		// (and the job queue and engines keep polling). On 2 cores that
		// ran beside psql's \copy for its whole duration and slowed it
		// down, flattering the ratio.
		if err := w.srv.Shutdown(ctx); err != nil {
			b.Fatal(err)
		}

		// The raw baseline: what the import wrote, dumped, then \copy'd
		// by psql into tables LIKE the real ones.
		type table struct{ name, where string }
		tables := []table{
			{"debtors", "id IN (SELECT debtor_id FROM cases WHERE creditor_id = '" + creditor.String() + "')"},
			{"cases", "creditor_id = '" + creditor.String() + "'"},
			{"claims", "creditor_id = '" + creditor.String() + "'"},
			{"events", "creditor_id = '" + creditor.String() + "' AND type IN ('case_created', 'claim_added')"},
		}
		psql := func(cmd string) {
			out, err := exec.Command("psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", cmd).CombinedOutput()
			if err != nil {
				b.Fatalf("psql %s: %v\n%s", cmd, err, out)
			}
		}
		rawRows := 0
		for _, tb := range tables {
			psql(fmt.Sprintf(`\copy (SELECT * FROM %s WHERE %s) TO '%s'`, tb.name, tb.where, filepath.Join(dir, tb.name+".copy")))
			psql(fmt.Sprintf(`CREATE TABLE bench_%s (LIKE %s INCLUDING ALL)`, tb.name, tb.name))
			var c int
			if err := db.Pool.QueryRow(ctx, fmt.Sprintf(`SELECT count(*) FROM %s WHERE %s`, tb.name, tb.where)).Scan(&c); err != nil {
				b.Fatal(err)
			}
			rawRows += c
		}
		t2 := time.Now()
		for _, tb := range tables {
			psql(fmt.Sprintf(`\copy bench_%s FROM '%s'`, tb.name, filepath.Join(dir, tb.name+".copy")))
		}
		raw := time.Since(t2)

		rate, rawRate := float64(n)/took.Seconds(), float64(n)/raw.Seconds()
		b.Logf("file %d MB, %d rows: placed %d in %d cases, refused %d; uploaded (read, checked, stored) in %s, placed in %s = %.0f rows/s",
			info.Size()>>20, n, imp.Placed, imp.CasesCreated, imp.Refused, uploaded.Round(time.Millisecond), took.Round(time.Millisecond), rate)
		b.Logf("psql \\copy of the same %d rows' results (%d rows in debtors, cases, claims, events) in %s = %.0f file rows/s; import / raw = %.2f×",
			imp.Placed, rawRows, raw.Round(time.Millisecond), rawRate, rate/rawRate)
		b.Logf("peak RSS %d MB (%d MB before the import)", peak>>10, before>>10)
		b.ReportMetric(rate, "rows/s")
		b.ReportMetric(rawRate, "copy-rows/s")
		b.ReportMetric(rate/rawRate, "ratio")
		b.ReportMetric(float64(peak>>10), "peak-RSS-MB")
	}
}

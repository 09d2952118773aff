package server_test

// Document throughput and a 10,000-letter batch's memory (make bench-documents):
//
//	go test -run '^$' -bench BenchmarkLetters -benchtime 300x -cpu 1 -timeout 30m ./internal/server/
//
// "app" produces letters through the use case — statement, PDF, content
// store, document record, timeline — and "fpdf" renders the same letter with
// the same data in memory, without the database; the ratio is app / fpdf.

import (
	"bufio"
	"context"
	"io"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/demo"
	"github.com/recouvra/recouvra/internal/documents"
	"github.com/recouvra/recouvra/internal/pdf"
	"github.com/recouvra/recouvra/internal/recouvra"
)

func BenchmarkLetters(b *testing.B) {
	w := newWorld(b)
	ctx := context.Background()
	s := &demo.Seeder{Svc: w.svc, Clock: demo.NewClock(w.clock.Now()), Out: io.Discard, Rand: rand.New(rand.NewPCG(3, 3))}
	if err := s.Bulk(ctx, w.db, 30_000); err != nil {
		b.Fatal(err)
	}
	rows, err := w.db.Pool.Query(ctx, "SELECT id FROM cases WHERE stage = 'amicable' ORDER BY id LIMIT 12000")
	if err != nil {
		b.Fatal(err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
	if err != nil || len(ids) < 11000 {
		b.Fatalf("%d amicable cases: %v", len(ids), err)
	}
	agent := recouvra.Principal{Kind: recouvra.PrincipalUser, UserID: w.users["agent"].ID, Role: recouvra.RoleAgent}
	next := 0
	var appRate, fpdfRate float64

	b.Run("app", func(b *testing.B) {
		start := time.Now()
		for i := 0; i < b.N; i++ {
			if _, err := w.svc.GenerateDocument(ctx, agent, ids[next%1000], documents.KindAmicableLetter, app.DocOptions{}); err != nil {
				b.Fatal(err)
			}
			next++
		}
		appRate = float64(b.N) / time.Since(start).Seconds()
		b.ReportMetric(appRate, "letters/s")
	})
	b.Run("fpdf", func(b *testing.B) {
		// The same letter's data, read once: what fpdf alone costs.
		v, err := w.svc.GetCase(ctx, app.System, ids[0])
		if err != nil {
			b.Fatal(err)
		}
		st, err := w.svc.Statement(ctx, app.System, ids[0], recouvra.Date{})
		if err != nil {
			b.Fatal(err)
		}
		creditor, err := w.svc.GetCreditor(ctx, app.System, v.Case.CreditorID)
		if err != nil {
			b.Fatal(err)
		}
		l := documents.Letter{Agency: documents.Agency{Letterhead: letterhead(), City: "Paris", IBAN: "FR76 3000 6000 0112 3456 7890 189"},
			Case: v.Case, Creditor: creditor, Debtor: v.Debtor, Statement: st.Statement, Date: recouvra.DateOf(w.clock.Now()),
			Reference: v.Case.Reference + "-L1", FirstReference: v.Case.Reference + "-L1", FirstDate: recouvra.DateOf(w.clock.Now()), At: w.clock.Now()}
		start := time.Now()
		for i := 0; i < b.N; i++ {
			if _, err := documents.AmicableLetter(l); err != nil {
				b.Fatal(err)
			}
		}
		fpdfRate = float64(b.N) / time.Since(start).Seconds()
		b.ReportMetric(fpdfRate, "letters/s")
		if appRate > 0 {
			b.ReportMetric(appRate/fpdfRate, "app/fpdf")
		}
	})
	// The batch runs once, however many times the benchmark framework
	// calls the function (once to probe, then with -benchtime).
	var batchRate, zipMB, peakMB float64
	b.Run("batch-10000", func(b *testing.B) {
		if batchRate > 0 {
			b.ReportMetric(batchRate, "letters/s")
			b.ReportMetric(zipMB, "zip-MB")
			b.ReportMetric(peakMB, "peak-RSS-MB")
			return
		}
		{
			peak := watchRSS()
			start := time.Now()
			batch, err := w.svc.StartBatch(ctx, agent, documents.KindAmicableLetter, ids[1000:11000], nil)
			if err != nil {
				b.Fatal(err)
			}
			for {
				got, err := w.svc.GetBatch(ctx, agent, batch.ID)
				if err != nil {
					b.Fatal(err)
				}
				if got.State == "done" || got.State == "failed" {
					if got.Done != 10000 {
						b.Fatalf("batch: %d done, %d failed: %+v", got.Done, got.Failed, got.Failures[:min(3, len(got.Failures))])
					}
					zipMB = float64(got.ResultSize) / (1 << 20)
					break
				}
				time.Sleep(200 * time.Millisecond)
			}
			batchRate, peakMB = 10000/time.Since(start).Seconds(), peak()/(1<<20)
			b.ReportMetric(batchRate, "letters/s")
			b.ReportMetric(zipMB, "zip-MB")
			b.ReportMetric(peakMB, "peak-RSS-MB")
		}
	})
}

func letterhead() pdf.Letterhead {
	return pdf.Letterhead{Name: "Agence Recouvra Test", Address: []string{"10 rue de la Paix", "75002 Paris"}, SIREN: "732829320"}
}

// watchRSS samples the process's resident memory until the returned
// function is called, which gives the peak in bytes.
func watchRSS() func() float64 {
	var mu sync.Mutex
	var peak float64
	stop := make(chan struct{})
	go func() {
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			if rss := rssBytes(); rss > 0 {
				mu.Lock()
				peak = max(peak, rss)
				mu.Unlock()
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	return func() float64 {
		close(stop)
		mu.Lock()
		defer mu.Unlock()
		return peak
	}
}

func rssBytes() float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 64)
			return kb * 1024
		}
	}
	return 0
}

package server_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/bankfile"
	"github.com/recouvra/recouvra/internal/config"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// An import stores its entries a chunk at a time as it reads the file, in
// one transaction: these files have more entries than a chunk.

// streamEntries makes n credits of 10 cents, paying caseA and caseB in
// turn by their RF references, with distinct entry references.
func (w *world) streamEntries(prefix string, n int) []bankfile.Entry {
	today := recouvra.DateOf(w.clock.Now())
	entries := make([]bankfile.Entry, n)
	for i := range entries {
		c := w.caseA.Case
		if i%2 == 1 {
			c = w.caseB.Case
		}
		entries[i] = bankfile.Entry{Reference: fmt.Sprintf("%s%05d", prefix, i), BookedOn: today, AmountCents: 10, Credit: true,
			Structured: c.PaymentReference(), DebtorName: "PAYEUR " + fmt.Sprint(i)}
	}
	return entries
}

// count runs a SELECT count(*) on the test's database.
func (w *world) count(sql string, args ...any) int {
	w.t.Helper()
	var n int
	if err := w.db.Pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		w.t.Fatal(err)
	}
	return n
}

// A file whose very last entry is on another account than the agency's is
// refused whole after more than a chunk of its entries was read and
// stored: the transaction rolls back the import row, every entry and the
// audit row; nothing is booked.
func TestBankRefusedLastEntryStoresNothing(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	today := recouvra.DateOf(w.clock.Now())
	var file bytes.Buffer
	err := bankfile.WriteCAMT053(&file, "MSG-LAST",
		bankfile.Statement{ID: "STMT-OK", Account: agencyIBAN, Currency: "EUR", On: today, OpeningCents: 500_000, Entries: w.streamEntries("L", 2_500)},
		bankfile.Statement{ID: "STMT-OTHER", Account: "FR1420041010050500013M02606", Currency: "EUR", On: today,
			Entries: []bankfile.Entry{{Reference: "LAST", BookedOn: today, AmountCents: 10, Credit: true, Structured: w.caseA.Case.PaymentReference()}}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = w.svc.ImportBankStatement(context.Background(), app.System, "", "releve.xml", bytes.NewReader(file.Bytes()), app.Meta{})
	var inv *recouvra.Error
	if !errors.As(err, &inv) || inv.Code != recouvra.ECodeInvalid || inv.Message != "Relevé refusé : rien n'a été comptabilisé." || len(inv.Fields) != 1 ||
		inv.Fields[0].Code != "account" || !strings.Contains(inv.Fields[0].Message, "n'est pas celui de l'agence") ||
		!strings.Contains(inv.Fields[0].Message, "FR14 2004 1010 0505 0001 3M02 606") {
		t.Fatalf("the file with its last entry on another account: %v", err)
	}
	// Over HTTP: the same 422 naming the account.
	r := w.importStatement(w.as("admin"), "releve.xml", file.Bytes(), "")
	if r.Status != 422 || !strings.Contains(string(r.Body), "n'est pas celui de l'agence") {
		t.Fatalf("over HTTP: %d %s", r.Status, r.Body)
	}
	if n := w.count("SELECT count(*) FROM bank_imports"); n != 0 {
		t.Errorf("%d import rows stored", n)
	}
	if n := w.count("SELECT count(*) FROM bank_entries"); n != 0 {
		t.Errorf("%d entries stored", n)
	}
	if n := w.count("SELECT count(*) FROM audit_log WHERE action = 'bank_statement.import'"); n != 0 {
		t.Errorf("%d import audit rows", n)
	}
	if n := w.count("SELECT count(*) FROM payments"); n != 0 {
		t.Errorf("%d payments booked", n)
	}
}

// A file of 2,500 credits and one entry repeated in a later chunk: every
// credit is stored and booked once, the repeat counted a duplicate, the
// import row counting both; imported again, nothing is stored or booked
// and every entry is a duplicate.
func TestBankImportMoreThanAChunk(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	today := recouvra.DateOf(w.clock.Now())
	entries := w.streamEntries("S", 2_500)
	entries = append(entries, entries[3]) // the same account, statement and reference as the 4th, 2,497 entries later
	data := camtFile(t, "STMT-BIG", today, entries...)
	ctx := context.Background()

	first, err := w.svc.ImportBankStatement(ctx, app.System, "", "gros.xml", bytes.NewReader(data), app.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	if first.Entries != 2_501 || first.Duplicates != 1 || first.Booked != 2_500 || first.Unmatched+first.Reversed+first.Ignored != 0 {
		t.Fatalf("first import: %+v", first)
	}
	imports := func(id uuid.UUID) (entries, duplicates int) {
		t.Helper()
		if err := w.db.Pool.QueryRow(ctx, "SELECT entries, duplicates FROM bank_imports WHERE id = $1", id).Scan(&entries, &duplicates); err != nil {
			t.Fatal(err)
		}
		return
	}
	if e, d := imports(first.Import.ID); e != 2_501 || d != 1 {
		t.Fatalf("first import row: %d entries, %d duplicates", e, d)
	}
	if n := w.count("SELECT count(*) FROM audit_log WHERE action = 'bank_statement.import' AND target_id = $1 AND details->>'entries' = '2501' AND details->>'duplicates' = '1'", first.Import.ID); n != 1 {
		t.Fatalf("%d audit rows with the counts", n)
	}
	check := func(when string) {
		t.Helper()
		if n := w.count("SELECT count(*) FROM bank_entries WHERE status = 'booked' AND payment_id IS NOT NULL"); n != 2_500 {
			t.Errorf("%s: %d booked entries, want 2500", when, n)
		}
		if n := w.count("SELECT count(*) FROM bank_entries"); n != 2_500 {
			t.Errorf("%s: %d entries stored, want 2500", when, n)
		}
		for _, c := range []recouvra.Case{w.caseA.Case, w.caseB.Case} {
			if n := w.count("SELECT count(*) FROM payments WHERE case_id = $1 AND amount_cents = 10", c.ID); n != 1_250 {
				t.Errorf("%s: case %s has %d payments, want 1250", when, c.Reference, n)
			}
		}
		if n := w.count("SELECT count(DISTINCT payment_id) FROM bank_entries"); n != 2_500 {
			t.Errorf("%s: %d distinct payments for the entries", when, n)
		}
	}
	check("after the first import")

	again, err := w.svc.ImportBankStatement(ctx, app.System, "", "gros.xml", bytes.NewReader(data), app.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	if again.Entries != 2_501 || again.Duplicates != 2_501 || again.Booked+again.Unmatched+again.Reversed+again.Ignored != 0 {
		t.Fatalf("imported again: %+v", again)
	}
	if e, d := imports(again.Import.ID); e != 2_501 || d != 2_501 {
		t.Fatalf("second import row: %d entries, %d duplicates", e, d)
	}
	check("after importing again")
}

// An upload larger than RECOUVRA_MAX_UPLOAD_BYTES is cut off while the
// import copies it to its temporary file, before its transaction: 413,
// nothing stored, and the temporary file removed.
//
// Not parallel, so that no other test spools a statement meanwhile: the
// temporary directory's bank files are the same after as before. (Not by
// pointing TMPDIR elsewhere: the test cluster may be created under it, and
// the test's directory goes when the test ends.)
func TestBankStatementTooLargeStoresNothing(t *testing.T) {
	spooled := func() []string {
		t.Helper()
		files, err := filepath.Glob(filepath.Join(os.TempDir(), "recouvra-bank-*"))
		if err != nil {
			t.Fatal(err)
		}
		return files
	}
	w := newWorldWith(t, io.Discard, func(c *config.Config) { c.MaxUploadBytes = 64 << 10 })
	data := camtFile(t, "STMT-HUGE", recouvra.DateOf(w.clock.Now()), w.streamEntries("H", 2_000)...)
	if len(data) <= 64<<10+64<<10 {
		t.Fatalf("the file is only %d bytes", len(data))
	}
	before := spooled()
	r := w.importStatement(w.as("admin"), "enorme.xml", data, "")
	if r.Status != 413 {
		t.Fatalf("too large: %d %s", r.Status, r.Body)
	}
	if n := w.count("SELECT count(*) FROM bank_imports") + w.count("SELECT count(*) FROM bank_entries"); n != 0 {
		t.Errorf("%d rows stored", n)
	}
	if after := spooled(); !slices.Equal(before, after) {
		t.Errorf("temporary files: %v before, %v after", before, after)
	}
}

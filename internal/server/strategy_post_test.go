package server_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/apitest"
	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/httpapi/oapi"
	"github.com/recouvra/recouvra/internal/pdf"
)

// postStrategy puts creditor A on a strategy of a letter on placement and
// a formal notice ten days later.
func (w *world) postStrategy() oapi.Strategy {
	w.t.Helper()
	st := w.createStrategy(strategyBody("Courrier "+w.unique(),
		map[string]any{"name": "Lettre", "channel": "letter", "delay": 0, "from": "placement"},
		map[string]any{"name": "Mise en demeure", "channel": "formal_notice", "delay": 10},
	))
	if r := w.as("admin").Do("PUT", "/api/v1/creditors/"+w.credA.ID.String()+"/strategy", map[string]any{"strategy_id": st.Id}); r.Status != 200 {
		w.t.Fatalf("mandate default: %d %s", r.Status, r.Body)
	}
	return st
}

// registeredCSV uploads the post's list of a pass as the admin.
func (w *world) registeredCSV(c *apitest.Client, pass uuid.UUID, data string) *apitest.Response {
	w.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "depot.csv")
	_, _ = fw.Write([]byte(data))
	_ = mw.Close()
	return c.Do("POST", "/api/v1/strategy-runs/"+pass.String()+"/registered-numbers", body.Bytes(), "Content-Type", mw.FormDataContentType())
}

// pageText is page (1-based) of a PDF as pdftotext reads it, cropped to
// x0..x1, y0..y1 mm when w > 0, white space collapsed.
func pageText(t *testing.T, data []byte, page int, x0, y0, x1, y1 float64) string {
	t.Helper()
	in := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(in, data, 0o600); err != nil {
		t.Fatal(err)
	}
	pt := func(mm float64) string { return strconv.Itoa(int(mm / 25.4 * 72)) }
	p := strconv.Itoa(page)
	out, err := exec.Command("pdftotext", "-f", p, "-l", p, "-x", pt(x0), "-y", pt(y0), "-W", pt(x1-x0), "-H", pt(y1-y0), "-enc", "UTF-8", in, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, out)
	}
	return strings.Join(strings.Fields(string(out)), " ")
}

// TestStrategyLettersByPost: a pass that writes an amicable letter and a
// formal notice gives one print file — its cover list counting them per
// kind, registered or not, each letter on its own sheet with the
// debtor's address in the envelope's window — and the post's list of
// registered numbers is recorded back from a CSV: good lines recorded (the
// formal notice's sending and deadline on its case), a duplicate recorded
// nothing, bad lines refused with their line number; sent again, nothing
// is recorded twice.
func TestStrategyLettersByPost(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	w.postStrategy()
	notice := w.strategyCase("compta@tonnellerie-vidal.test")
	if p := w.pass(); p.Claimed < 2 {
		t.Fatalf("first pass: %+v", p)
	}
	w.days(10)
	letter := w.strategyCase("compta@distillerie.test")
	pass := w.pass() // the letter of the new case, the formal notices of the others
	var kinds = map[string]int{}
	rows, err := w.db.Pool.Query(ctx, `SELECT d.kind, count(*) FROM strategy_step_runs sr JOIN documents d ON d.id = sr.document_id
		WHERE sr.pass_id = $1 GROUP BY d.kind`, pass.ID)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var k string
		var n int
		_ = rows.Scan(&k, &n)
		kinds[k] = n
	}
	rows.Close()
	if kinds["amicable_letter"] != 1 || kinds["formal_notice"] < 1 {
		t.Fatalf("letters of the pass: %v", kinds)
	}
	if c := w.caseOf(notice); c.Stage != "formal_notice" || c.FormalNotice.SentOn.IsSpecified() && !c.FormalNotice.SentOn.IsNull() {
		t.Fatalf("the notice case before its number: %+v", c.FormalNotice)
	}

	status, file := w.get("admin", "/api/v1/strategy-runs/"+pass.ID.String()+"/print-file")
	if status != 200 || !bytes.HasPrefix(file, []byte("%PDF")) {
		t.Fatalf("print file: %d %.200s", status, file)
	}
	cover := apitest.Flat(apitest.PDFText(t, file))
	total := kinds["amicable_letter"] + kinds["formal_notice"]
	for _, want := range []string{
		"Lettres : " + strconv.Itoa(total),
		"Mise en demeure Recommandé avec AR " + strconv.Itoa(kinds["formal_notice"]),
		"Lettre de relance Lettre simple 1",
		"Total dont " + strconv.Itoa(kinds["formal_notice"]) + " en recommandé " + strconv.Itoa(total),
	} {
		if !strings.Contains(cover, want) {
			t.Errorf("cover list lacks %q:\n%s", want, cover)
		}
	}
	// Each letter on its own sheet, its address in the window: the cover
	// list gives the page each starts on.
	var ref = map[uuid.UUID]string{}
	for _, id := range []uuid.UUID{notice, letter} {
		ref[id] = w.caseOf(id).Reference
	}
	pages := 0
	for _, id := range []uuid.UUID{notice, letter} {
		i := strings.Index(cover, ref[id]+" ")
		if i < 0 {
			t.Fatalf("%s not on the cover list", ref[id])
		}
		fields := strings.Fields(cover[i:])
		page := 0
		for _, f := range fields[1:12] {
			if n, err := strconv.Atoi(f); err == nil && n > 1 {
				page = n
			}
		}
		if page == 0 || page%2 == 0 {
			t.Fatalf("%s starts on page %d (a sheet's front is odd): %v", ref[id], page, fields[:12])
		}
		window := pageText(t, file, page, pdf.WindowLeft-15, 50, 190, 84)
		if !strings.HasPrefix(window, "Tonnellerie Vidal") || !strings.HasSuffix(window, "8 rue des Tonneliers 39000 Lons-le-Saunier") {
			t.Errorf("window of %s on page %d: %q", ref[id], page, window)
		}
		pages++
	}

	// The post's list.
	csv := strings.Join([]string{
		"dossier;numero;date",
		ref[notice] + ";1A 123 456 7890 1;" + w.today().String(),
		ref[letter] + ";1a12345678902",
		ref[notice] + ";1A 123 456 7890 1",
		"INCONNU-1;1A 000 000 0000 9",
		ref[letter] + ";12345",
		ref[notice] + ";1A 999 999 9999 9",
		ref[letter] + ";1A 111 111 1111 1;31/12/2099",
	}, "\n")
	check := func(recorded, duplicates int) {
		t.Helper()
		r := w.registeredCSV(w.as("admin"), pass.ID, csv)
		var res oapi.RegisteredNumbersResult
		r.Decode(t, &res)
		if r.Status != 200 || res.Lines != 7 || res.Recorded != recorded || res.Duplicates != duplicates || len(res.Refused) != 4 {
			t.Fatalf("upload: %d %s", r.Status, r.Body)
		}
		want := map[int]string{5: "reference", 6: "number", 7: "number", 8: "sent_on"}
		for _, f := range res.Refused {
			if want[f.Line] != string(f.Field) || f.Message == "" {
				t.Errorf("refused line %d %s: %s", f.Line, f.Field, f.Message)
			}
		}
	}
	check(2, 1)
	c := w.caseOf(notice)
	if sent, err := c.FormalNotice.SentOn.Get(); err != nil || sent.String() != w.today().String() {
		t.Fatalf("formal notice sent on: %+v", c.FormalNotice)
	}
	var numbers []string
	for _, e := range w.mailEvents("admin", notice, "letter_sent") {
		if n, _ := e.Data["registered_number"].(string); n != "" {
			numbers = append(numbers, n)
		}
	}
	if len(numbers) != 1 || numbers[0] != "1A 123 456 7890 1" {
		t.Fatalf("letter_sent events with a number: %v", numbers)
	}
	// Sent again: nothing recorded twice.
	check(0, 3)
	var n int
	if err := w.db.Pool.QueryRow(ctx, "SELECT count(*) FROM registered_letters WHERE pass_id = $1", pass.ID).Scan(&n); err != nil || n != 2 {
		t.Fatalf("%d registered letters (%v)", n, err)
	}
	numbered := 0
	for _, e := range w.mailEvents("admin", notice, "letter_sent") {
		if n, _ := e.Data["registered_number"].(string); n != "" {
			numbered++
		}
	}
	if numbered != 1 {
		t.Fatalf("%d letter_sent events with a number", numbered)
	}
	// The cover list now shows the numbers.
	_, file = w.get("admin", "/api/v1/strategy-runs/"+pass.ID.String()+"/print-file")
	if text := apitest.Flat(apitest.PDFText(t, file)); !strings.Contains(text, "n° 1A 123 456 7890 1") || !strings.Contains(text, "n° 1A 123 456 7890 2") {
		t.Errorf("numbers on the cover list:\n%s", text)
	}
	// A pass without letters has no print file.
	if status, body := w.get("admin", "/api/v1/strategy-runs/"+uuid.Must(uuid.NewV7()).String()+"/print-file"); status != 404 {
		t.Errorf("unknown pass: %d %s", status, body)
	}
}

// TestStrategyNightlyPass: a strategy edited after its cases were dated
// leaves their dates stale for the frequent pass; the nightly pass dates
// them again and runs what fell due. Two instances at once run the night
// once, and a second run the same night does nothing.
func TestStrategyNightlyPass(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	st := w.createStrategy(strategyBody("Nuit "+w.unique(), map[string]any{"name": "Lettre", "channel": "letter", "delay": 30, "from": "placement"}))
	if r := w.as("admin").Do("PUT", "/api/v1/creditors/"+w.credA.ID.String()+"/strategy", map[string]any{"strategy_id": st.Id}); r.Status != 200 {
		t.Fatalf("mandate default: %d %s", r.Status, r.Body)
	}
	id := w.strategyCase("nuit@tonnellerie.test")
	if p := w.pass(); p.Claimed != 0 || p.Enrolled < 1 {
		t.Fatalf("first pass: %+v", p)
	}
	body := strategyBody(st.Name, map[string]any{"name": "Lettre", "channel": "letter", "delay": 0, "from": "placement"})
	body["version"] = st.Version
	if r := w.as("admin").Do("PUT", "/api/v1/strategies/"+st.Id.String(), body); r.Status != 200 {
		t.Fatalf("edit: %d %s", r.Status, r.Body)
	}
	w.days(1)
	if p := w.pass(); p.Claimed != 0 {
		t.Fatalf("the frequent pass keeps the old date: %+v", p)
	}
	var mu sync.Mutex
	var ran []app.NightFigures
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f, ok, err := w.svc.RunNightlyStrategies(context.Background())
			if err != nil {
				t.Error(err)
			}
			if ok {
				mu.Lock()
				ran = append(ran, f)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(ran) != 1 || ran[0].Stale < 1 || ran[0].Dated < 1 || ran[0].Ran < 1 {
		t.Fatalf("nights run: %+v", ran)
	}
	if ev := w.stepEvents(id); len(ev) != 1 {
		t.Fatalf("%d steps done", len(ev))
	}
	if cs := w.caseStrategy(id); cs.Position != 1 {
		t.Fatalf("after the night: %+v", cs)
	}
	if _, ok, err := w.svc.RunNightlyStrategies(context.Background()); ok || err != nil {
		t.Fatalf("a second night the same day: %v %v", ok, err)
	}
}

// letterPasses caches, per world, a pass with one letter for the access
// matrix: built by hand (a statement of case A on a step run of a pass), so
// that no engine pass changes the world's cases under the other entries.
var letterPasses sync.Map // *world → uuid.UUID

func (w *world) letterPass() string {
	w.t.Helper()
	if id, ok := letterPasses.Load(w); ok {
		return id.(uuid.UUID).String()
	}
	ctx := context.Background()
	doc, err := w.svc.GenerateDocument(ctx, app.System, w.caseA.Case.ID, "statement", app.DocOptions{})
	if err != nil {
		w.t.Fatal(err)
	}
	var pass uuid.UUID
	err = w.db.Pool.QueryRow(ctx, `WITH s AS (INSERT INTO strategies (name, steps) VALUES ('Matrice '||gen_random_uuid(),
				'[{"name": "Lettre", "channel": "letter", "template": "amicable_letter", "delay": 0, "unit": "calendar_days", "from": "placement"}]') RETURNING id),
			p AS (INSERT INTO strategy_passes (run_on) VALUES (current_date) RETURNING id),
			r AS (INSERT INTO strategy_step_runs (case_id, creditor_id, strategy_id, step_index, pass_id, due_on, channel, state, document_id)
				SELECT $1, $2, s.id, 0, p.id, current_date, 'letter', 'done', $3 FROM s, p RETURNING pass_id)
		SELECT pass_id FROM r`, w.caseA.Case.ID, w.credA.ID, doc.ID).Scan(&pass)
	if err != nil {
		w.t.Fatal(err)
	}
	letterPasses.Store(w, pass)
	return pass.String()
}

// letterPassFor is that pass (passes are the agency's: own and other alike)
// or a random id for missing.
func (w *world) letterPassFor(t target) string {
	if t == missing {
		return uuid.NewString()
	}
	return w.letterPass()
}

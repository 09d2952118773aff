package app

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/documents"
	"github.com/recouvra/recouvra/internal/pdf"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// Letters by post (issue 14, item 4): the letters a pass of the strategy
// engine produced — amicable letters (a letter step, or an e-mail step
// falling back to the post) and formal notices — gathered into one print
// file, and the registered-letter numbers of the post's deposit list
// recorded back on each case (migration 00033).

// StrategyPostRepo keeps which document each step produced, the numbers
// recorded back and the nightly pass's own work.
type StrategyPostRepo interface {
	// SetStepRunDocument names the document a step run's action produced.
	SetStepRunDocument(ctx context.Context, runID, documentID uuid.UUID) error
	StrategyPassByID(ctx context.Context, id uuid.UUID) (StrategyPass, error)
	// RunLetters lists the letters of a pass (steps done with a document),
	// formal notices first, then by case reference.
	RunLetters(ctx context.Context, passID uuid.UUID) ([]RunLetter, error)
	// InsertRegisteredLetter records rl unless its document or its number
	// is already recorded; then it returns what is (and false).
	InsertRegisteredLetter(ctx context.Context, rl *RegisteredLetter) (bool, *RegisteredLetter, error)
	SetRegisteredLetterEvent(ctx context.Context, documentID, eventID uuid.UUID) error

	// ClaimNight starts the nightly pass of p.RunOn: false when another
	// instance holds it (started after stale) or finished it.
	ClaimNight(ctx context.Context, p *StrategyPass, stale time.Time) (bool, error)
	// MarkStaleDates sets unplanned, in one statement, the states whose
	// date may be wrong: their strategy changed after they were dated, or
	// their step counts from the oldest due date (claims change it).
	MarkStaleDates(ctx context.Context) (int64, error)
	// UnplannedStates reads, in one statement, up to limit unplanned
	// states after the case id after, with the case dates they run from.
	UnplannedStates(ctx context.Context, after uuid.UUID, limit int) ([]PlanRow, error)
	// SavePlans writes the dates in one statement, each only if its state
	// has not changed since it was read; it returns how many it wrote.
	SavePlans(ctx context.Context, rows []PlanRow) (int64, error)
	// EnsureWorkingCalendar writes the working-day calendar's missing
	// days up to to (recouvra.WorkingCalendar); it returns how many.
	EnsureWorkingCalendar(ctx context.Context, to recouvra.Date) (int64, error)
	// DateUnplannedStates dates up to limit unplanned states after the
	// case id after in one statement, in SQL with the working-day
	// calendar; it leaves unplanned those it cannot date (outside the
	// calendar, or changed meanwhile) and returns the batch's last case id
	// (uuid.Nil: none left) and how many it dated.
	DateUnplannedStates(ctx context.Context, after uuid.UUID, limit int) (uuid.UUID, int64, error)
	// EnrollCasesDated is EnrollCases with each state dated in the same
	// statement, in SQL (unplanned when SQL cannot date it).
	EnrollCasesDated(ctx context.Context, on recouvra.Date, limit int) (int64, error)
	// AnalyzeStrategyStates refreshes the planner's statistics of the
	// strategy states (ANALYZE): the night's claim batches walk the due
	// index only if the planner knows how many states the enrolment wrote.
	AnalyzeStrategyStates(ctx context.Context) error
	// ClaimNightSteps is ClaimDueSteps walked in (due date, case) order
	// from after: it reads the next limit keys of the due index and claims
	// those of them due and not paused (none when all are paused); it also
	// returns the key it ended at (nil: the index holds nothing due after).
	ClaimNightSteps(ctx context.Context, pass uuid.UUID, today recouvra.Date, now time.Time, after NightKey, limit int) ([]StepRun, *NightKey, error)
}

// NightKey is where the night's walk along the due steps stands.
type NightKey struct {
	DueOn  recouvra.Date
	CaseID uuid.UUID
}

// RunLetter is a letter a pass produced.
type RunLetter struct {
	DocumentID    uuid.UUID
	CaseID        uuid.UUID
	CreditorID    uuid.UUID
	CaseReference string
	Kind          string // amicable_letter, formal_notice
	Reference     string // the letter's own reference
	SHA256        string
	DebtorName    string
	Number        string // the registered number recorded, if any
}

// Registered reports whether the letter goes by registered post with
// acknowledgement of receipt (the formal notice does; amicable letters
// go as ordinary mail).
func (l RunLetter) Registered() bool { return l.Kind == string(documents.KindFormalNotice) }

// RegisteredLetter is a registered number recorded back on a letter.
type RegisteredLetter struct {
	DocumentID uuid.UUID
	CaseID     uuid.UUID
	CreditorID uuid.UUID
	PassID     uuid.UUID
	Number     string
	SentOn     recouvra.Date
	RecordedBy *uuid.UUID
	RecordedAt time.Time
}

// PrintFile is a pass's letters in one PDF.
type PrintFile struct {
	FileName string
	PDF      []byte
	Letters  int
	Pages    int
}

// StrategyRunPrintFile gathers the letters of a pass into one PDF for the
// post (admin): a cover list (counts per kind, registered or not, and one
// line per letter with its sheet), then each letter as stored — its
// address in the window of a DL envelope (pdf.WindowTop) — starting on its
// own sheet, with a blank back where needed for duplex printing.
func (s *Service) StrategyRunPrintFile(ctx context.Context, p recouvra.Principal, passID uuid.UUID) (PrintFile, error) {
	if err := requireRole(p, recouvra.RoleAdmin); err != nil {
		return PrintFile{}, err
	}
	pass, err := s.store.StrategyPassByID(ctx, passID)
	if err != nil {
		return PrintFile{}, err
	}
	letters, err := s.store.RunLetters(ctx, passID)
	if err != nil {
		return PrintFile{}, err
	}
	if len(letters) == 0 {
		return PrintFile{}, recouvra.Errorf(recouvra.ECodeNotFound, "Ce passage n'a produit aucune lettre à poster.")
	}
	parts := make([]pdf.Part, 0, len(letters)+1)
	parts = append(parts, pdf.Part{}) // the cover, drawn once the sheets are known
	for _, l := range letters {
		b, err := s.readBlob(ctx, l.SHA256)
		if err != nil {
			return PrintFile{}, fmt.Errorf("letter %s: %w", l.Reference, err)
		}
		parts = append(parts, pdf.Part{PDF: b})
	}
	// The cover's own length decides where the letters start: draw it,
	// assemble, and draw it again with the sheets if they moved.
	at := s.now()
	var out pdf.Assembled
	first := make([]int, len(letters))
	for range 3 {
		cover, err := documents.PostCover(s.cfg.Agency, pass.RunOn, pass.ID.String(), coverLines(letters, first), at)
		if err != nil {
			return PrintFile{}, err
		}
		parts[0] = pdf.Part{PDF: cover}
		if out, err = pdf.Assemble("Courrier du "+recouvra.FrenchDate(pass.RunOn), at, parts, true); err != nil {
			return PrintFile{}, err
		}
		if same(first, out.FirstPage[1:]) {
			break
		}
		copy(first, out.FirstPage[1:])
	}
	return PrintFile{FileName: "courrier-" + pass.RunOn.String() + "-" + pass.ID.String()[:8] + ".pdf", PDF: out.PDF, Letters: len(letters), Pages: out.Total}, nil
}

func same(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func coverLines(letters []RunLetter, first []int) []documents.PostLine {
	out := make([]documents.PostLine, len(letters))
	for i, l := range letters {
		out[i] = documents.PostLine{CaseReference: l.CaseReference, Reference: l.Reference, Debtor: l.DebtorName, Kind: l.Kind,
			Registered: l.Registered(), Number: l.Number, Page: first[i]}
	}
	return out
}

func (s *Service) readBlob(ctx context.Context, sha string) ([]byte, error) {
	rc, err := s.cfg.Blobs.Open(ctx, sha)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

// RegisteredImport is what an upload of registered numbers did.
type RegisteredImport struct {
	Lines      int // data lines read
	Recorded   int
	Duplicates int // already recorded with the same number: nothing done
	Refused    []RefusedLine
}

// RefusedLine is a line of the upload not recorded, and why.
type RefusedLine struct {
	Line    int    // 1-based line of the file
	Field   string // reference, number, sent_on
	Message string
}

// maxRegisteredLines bounds one upload (a pass claims at most a few
// thousand steps).
const maxRegisteredLines = 20_000

// RecordRegisteredLetters reads the post's list of a pass's registered
// letters — a CSV (',' or ';') of: the case reference or the letter's
// document id, the registered number ("1A 123 456 7890 1"), and optionally
// the sending date (AAAA-MM-JJ or JJ/MM/AAAA; the pass's day by default) —
// and records each number on its letter (admin). A first line whose number
// cell holds no digit is a header. Each line stands alone: a bad line is
// refused with its line number and field, the others are recorded; a line
// already recorded (same letter, same number) is a duplicate and records
// nothing. A formal notice's number and date are recorded as its sending
// (the case's letter_sent event: the deadline runs from that date, the
// court request's exhibits cite it); an amicable letter's on a note.
func (s *Service) RecordRegisteredLetters(ctx context.Context, p recouvra.Principal, passID uuid.UUID, in io.Reader) (RegisteredImport, error) {
	var res RegisteredImport
	if err := requireRole(p, recouvra.RoleAdmin); err != nil {
		return res, err
	}
	pass, err := s.store.StrategyPassByID(ctx, passID)
	if err != nil {
		return res, err
	}
	letters, err := s.store.RunLetters(ctx, passID)
	if err != nil {
		return res, err
	}
	byDoc, byCase := map[uuid.UUID]RunLetter{}, map[string]RunLetter{}
	for _, l := range letters {
		byDoc[l.DocumentID] = l
		byCase[strings.ToUpper(l.CaseReference)] = l
	}
	raw, err := io.ReadAll(io.LimitReader(in, 4<<20))
	if err != nil {
		return res, err
	}
	r := csv.NewReader(bytes.NewReader(raw))
	r.Comma = ','
	if first, _, _ := bytes.Cut(raw, []byte("\n")); bytes.Count(first, []byte(";")) > bytes.Count(first, []byte(",")) {
		r.Comma = ';'
	}
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	seen := map[string]uuid.UUID{} // number → document, within the file
	for line := 1; ; line++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		refuse := func(field, msg string) {
			res.Refused = append(res.Refused, RefusedLine{Line: line, Field: field, Message: msg})
		}
		if err != nil {
			refuse("line", "Ligne illisible en CSV.")
			continue
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if line == 1 && (len(rec) < 2 || !strings.ContainsFunc(rec[1], unicode.IsDigit)) {
			continue // the header
		}
		res.Lines++
		if res.Lines > maxRegisteredLines {
			return res, recouvra.Invalid("Fichier trop long.", recouvra.FieldError{Field: "file", Code: "too_long", Message: fmt.Sprintf("Au plus %d lignes par envoi.", maxRegisteredLines)})
		}
		if len(rec) < 2 || len(rec) > 3 {
			refuse("line", "Deux ou trois colonnes attendues : référence du dossier ou identifiant de la lettre, numéro de recommandé, date d'envoi (facultative).")
			continue
		}
		ref := strings.TrimSpace(rec[0])
		letter, ok := byCase[strings.ToUpper(ref)]
		if id, err := uuid.Parse(ref); err == nil {
			letter, ok = byDoc[id]
		}
		if !ok {
			refuse("reference", fmt.Sprintf("« %s » : aucune lettre de ce passage pour ce dossier ou ce document.", recouvra.CleanText(ref, recouvra.OneLine, 60)))
			continue
		}
		number, ok := RegisteredNumber(rec[1])
		if !ok {
			refuse("number", fmt.Sprintf("« %s » : un numéro de recommandé s'écrit comme 1A 123 456 7890 1 (deux caractères puis onze chiffres).", recouvra.CleanText(rec[1], recouvra.OneLine, 40)))
			continue
		}
		sent := pass.RunOn
		if len(rec) == 3 && strings.TrimSpace(rec[2]) != "" {
			d, err := parseSentOn(rec[2])
			switch {
			case err != nil:
				refuse("sent_on", "Date d'envoi attendue au format AAAA-MM-JJ ou JJ/MM/AAAA.")
				continue
			case d.Before(pass.RunOn) || d.After(s.today()):
				refuse("sent_on", fmt.Sprintf("La date d'envoi est comprise entre le jour du passage (%s) et aujourd'hui.", recouvra.FrenchDate(pass.RunOn)))
				continue
			}
			sent = d
		}
		if other, dup := seen[number]; dup {
			if other == letter.DocumentID {
				res.Duplicates++
			} else {
				refuse("number", "Ce numéro figure déjà plus haut pour une autre lettre.")
			}
			continue
		}
		seen[number] = letter.DocumentID
		recorded, why, err := s.recordRegistered(ctx, p, pass, letter, number, sent)
		switch {
		case err != nil:
			return res, err
		case why != nil:
			refuse(why.Field, why.Message)
		case recorded:
			res.Recorded++
		default:
			res.Duplicates++
		}
	}
	return res, nil
}

// recordRegistered records one number in one transaction: the row (its
// unique keys make a second upload a duplicate), then the case's event
// through the same use case as a person logging the sending.
func (s *Service) recordRegistered(ctx context.Context, p recouvra.Principal, pass StrategyPass, l RunLetter, number string, sent recouvra.Date) (bool, *recouvra.FieldError, error) {
	var recorded bool
	var why *recouvra.FieldError
	err := s.store.Atomic(ctx, func(ctx context.Context, r Repo) error {
		by := p.UserID
		rl := RegisteredLetter{DocumentID: l.DocumentID, CaseID: l.CaseID, CreditorID: l.CreditorID, PassID: pass.ID, Number: number, SentOn: sent, RecordedAt: s.now()}
		if p.Kind == recouvra.PrincipalUser {
			rl.RecordedBy = &by
		}
		ok, existing, err := r.InsertRegisteredLetter(ctx, &rl)
		if err != nil {
			return err
		}
		if !ok {
			if existing != nil && (existing.DocumentID != l.DocumentID || existing.Number != number) {
				msg := fmt.Sprintf("Cette lettre a déjà le numéro %s.", existing.Number)
				if existing.DocumentID != l.DocumentID {
					msg = "Ce numéro est déjà enregistré pour une autre lettre."
				}
				why = &recouvra.FieldError{Field: "number", Code: "conflict", Message: msg}
			}
			return nil
		}
		var e recouvra.Event
		if l.Registered() {
			e, err = s.LogEvent(ctx, p, l.CaseID, recouvra.EventLetterSent, "", map[string]any{"kind": recouvra.LetterFormalNotice,
				"sent_on": sent.String(), "registered_number": number, "reference": l.Reference})
		} else {
			e, err = s.LogEvent(ctx, p, l.CaseID, recouvra.EventNote, recouvra.Internal, map[string]any{
				"text": fmt.Sprintf("Lettre %s envoyée en recommandé n° %s le %s.", l.Reference, number, recouvra.FrenchDate(sent))})
		}
		if err != nil {
			var de *recouvra.Error
			if errors.As(err, &de) && de.Code != recouvra.ECodeInternal {
				why = &recouvra.FieldError{Field: "reference", Code: "refused", Message: failureText(err)}
				return errRollback
			}
			return err
		}
		recorded = true
		return r.SetRegisteredLetterEvent(ctx, l.DocumentID, e.ID)
	})
	if errors.Is(err, errRollback) {
		err = nil
	}
	return recorded, why, err
}

// errRollback undoes a line's transaction whose refusal is reported.
var errRollback = errors.New("line refused")

// RegisteredNumber normalizes a La Poste registered-letter number: two
// letters or digits then eleven digits, written "1A 123 456 7890 1".
func RegisteredNumber(raw string) (string, bool) {
	var b strings.Builder
	for _, r := range strings.ToUpper(raw) {
		if r == ' ' || r == '\u00a0' || r == '\u202f' || r == '-' || r == '.' {
			continue
		}
		b.WriteRune(r)
	}
	s := b.String()
	if len(s) != 13 {
		return "", false
	}
	for i, r := range s {
		digit := r >= '0' && r <= '9'
		if !digit && (i >= 2 || r < 'A' || r > 'Z') {
			return "", false
		}
	}
	return s[0:2] + " " + s[2:5] + " " + s[5:8] + " " + s[8:12] + " " + s[12:], true
}

func parseSentOn(raw string) (recouvra.Date, error) {
	raw = strings.TrimSpace(raw)
	if t, err := time.Parse("02/01/2006", raw); err == nil {
		return recouvra.DateOf(t), nil
	}
	return recouvra.ParseDate(raw)
}

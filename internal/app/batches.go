package app

import (
	"archive/zip"
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/documents"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// Batch is one kind of document produced for many cases in the background.
type Batch struct {
	ID           uuid.UUID
	Kind         string
	RequestedBy  uuid.UUID
	CaseIDs      []uuid.UUID
	Options      map[string]string // formal_notice: case id → registered number
	Total        int
	Done         int
	Failed       int
	Failures     []BatchFailure
	State        string // queued, running, done, failed
	ResultSHA256 string // the zip of every document produced
	ResultSize   int64
	CreatedAt    time.Time
	StartedAt    *time.Time
	FinishedAt   *time.Time
}

// BatchFailure says why one case of a batch got no document.
type BatchFailure struct {
	CaseID  uuid.UUID `json:"case_id"`
	Message string    `json:"message"`
}

// BatchStore keeps batches; Create also enqueues the background job.
type BatchStore interface {
	Create(ctx context.Context, b Batch) error
	Get(ctx context.Context, id uuid.UUID) (Batch, error)
	Progress(ctx context.Context, id uuid.UUID, state string, done, failed int, failures []BatchFailure, at time.Time) error
	Finish(ctx context.Context, id uuid.UUID, state string, done, failed int, failures []BatchFailure, sha string, size int64, at time.Time) error
}

// MaxBatchCases bounds one batch.
const MaxBatchCases = 50_000

// maxListedFailures bounds the failures a batch keeps in detail.
const maxListedFailures = 200

var batchKinds = map[documents.Kind]bool{documents.KindAmicableLetter: true, documents.KindFormalNotice: true, documents.KindStatement: true}

// StartBatch queues the production of kind for every case listed (staff).
// Formal notices need each case's registered-mail number in numbers.
func (s *Service) StartBatch(ctx context.Context, p recouvra.Principal, kind documents.Kind, caseIDs []uuid.UUID, numbers map[string]string) (Batch, error) {
	if err := requireRole(p, recouvra.RoleAdmin, recouvra.RoleAgent, recouvra.RoleLawyer); err != nil {
		return Batch{}, err
	}
	if p.Kind != recouvra.PrincipalUser {
		return Batch{}, recouvra.Errorf(recouvra.ECodeForbidden, "Un lot est lancé par une personne.")
	}
	var fields []recouvra.FieldError
	if !batchKinds[kind] {
		fields = append(fields, recouvra.FieldError{Field: "kind", Code: "unknown", Message: "Lots possibles : amicable_letter, formal_notice, statement."})
	} else if !s.policy.Allowed(string(p.Role), "case_document", string(kind)) {
		return Batch{}, recouvra.Errorf(recouvra.ECodeForbidden, "Votre rôle ne permet pas de produire ce document.")
	}
	seen := map[uuid.UUID]bool{}
	var ids []uuid.UUID
	for _, id := range caseIDs {
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	switch {
	case len(ids) == 0:
		fields = append(fields, recouvra.FieldError{Field: "case_ids", Code: "required", Message: "Choisissez au moins un dossier."})
	case len(ids) > MaxBatchCases:
		fields = append(fields, recouvra.FieldError{Field: "case_ids", Code: "too_many", Message: fmt.Sprintf("Un lot compte au plus %d dossiers.", MaxBatchCases)})
	}
	if kind == documents.KindFormalNotice {
		for _, id := range ids {
			if numbers[id.String()] == "" {
				fields = append(fields, recouvra.FieldError{Field: "options.registered_numbers", Code: "missing",
					Message: "Chaque mise en demeure a besoin de son numéro de lettre recommandée (dossier " + id.String() + ")."})
				break
			}
		}
	}
	if len(fields) > 0 {
		return Batch{}, recouvra.Invalid("Lot invalide.", fields...)
	}
	// Every case is resolved in the caller's scope now, not found missing
	// by the job later.
	var visible map[uuid.UUID]bool
	scope := p.Scope()
	if err := s.store.Scoped(ctx, scope, func(r Repo) error {
		var err error
		visible, err = r.VisibleCases(ctx, scope, ids)
		return err
	}); err != nil {
		return Batch{}, err
	}
	for _, id := range ids {
		if !visible[id] {
			return Batch{}, unknownRef("case_ids", "Aucun dossier ne porte l'identifiant "+id.String()+".")
		}
	}
	b := Batch{ID: uuid.Must(uuid.NewV7()), Kind: string(kind), RequestedBy: p.UserID, CaseIDs: ids, Options: numbers,
		Total: len(ids), State: "queued", CreatedAt: s.now()}
	if err := s.cfg.Batches.Create(ctx, b); err != nil {
		return Batch{}, err
	}
	return b, nil
}

// GetBatch returns a batch and its progress.
func (s *Service) GetBatch(ctx context.Context, p recouvra.Principal, id uuid.UUID) (Batch, error) {
	if err := requireRole(p, recouvra.RoleAdmin, recouvra.RoleAgent, recouvra.RoleLawyer); err != nil {
		return Batch{}, err
	}
	return s.cfg.Batches.Get(ctx, id)
}

// OpenBatchResult returns a finished batch's zip, verified.
func (s *Service) OpenBatchResult(ctx context.Context, p recouvra.Principal, id uuid.UUID) (Batch, io.ReadCloser, error) {
	b, err := s.GetBatch(ctx, p, id)
	if err != nil {
		return b, nil, err
	}
	if b.ResultSHA256 == "" {
		return b, nil, recouvra.Errorf(recouvra.ECodeConflict, "Le lot n'est pas terminé (%d sur %d).", b.Done+b.Failed, b.Total)
	}
	rc, err := s.cfg.Blobs.Open(ctx, b.ResultSHA256)
	if err != nil {
		return b, nil, &recouvra.Error{Code: recouvra.ECodeIntegrity, Message: "Le fichier du lot ne correspond plus à son empreinte.", Err: err}
	}
	return b, rc, nil
}

// RunBatch does a batch's work: one document per case, each stored and
// recorded on its case like a single one, all written one after the other
// into a zip on disk — memory stays bounded whatever the count. It is the
// background job's body and may run again after a crash: cases already done
// get a new document.
func (s *Service) RunBatch(ctx context.Context, id uuid.UUID) error {
	b, err := s.cfg.Batches.Get(ctx, id)
	if err != nil {
		return err
	}
	if b.State == "done" {
		return nil
	}
	requester, err := s.store.UserByID(ctx, b.RequestedBy)
	if err != nil {
		return err
	}
	p := recouvra.Principal{Kind: recouvra.PrincipalUser, UserID: requester.ID, Email: requester.Email, Role: requester.Role}
	tmp, err := os.CreateTemp("", "recouvra-batch-*.zip")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	zw := zip.NewWriter(tmp)
	done, failed := 0, 0
	var failures []BatchFailure
	last := time.Now()
	if err := s.cfg.Batches.Progress(ctx, id, "running", 0, 0, nil, s.now()); err != nil {
		return err
	}
	for _, caseID := range b.CaseIDs {
		if err := ctx.Err(); err != nil {
			return err
		}
		doc, pdf, err := s.generateDocument(ctx, p, caseID, documents.Kind(b.Kind), DocOptions{RegisteredNumber: b.Options[caseID.String()]})
		if err == nil {
			var w io.Writer
			w, err = zw.CreateHeader(&zip.FileHeader{Name: doc.FileName, Method: zip.Store, Modified: doc.CreatedAt})
			if err == nil {
				_, err = w.Write(pdf)
			}
			if err != nil {
				return fmt.Errorf("batch zip: %w", err)
			}
			done++
		} else {
			if recouvra.ErrorCode(err) == recouvra.ECodeInternal {
				return err // the job is retried
			}
			failed++
			if len(failures) < maxListedFailures {
				failures = append(failures, BatchFailure{CaseID: caseID, Message: failureText(err)})
			}
		}
		if time.Since(last) > 500*time.Millisecond {
			last = time.Now()
			if err := s.cfg.Batches.Progress(ctx, id, "running", done, failed, failures, s.now()); err != nil {
				return err
			}
		}
	}
	if err := zw.Close(); err != nil {
		return err
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return err
	}
	sha, size, err := s.cfg.Blobs.Put(ctx, tmp)
	if err != nil {
		return err
	}
	state := "done"
	if done == 0 {
		state = "failed"
	}
	return s.cfg.Batches.Finish(ctx, id, state, done, failed, failures, sha, size, s.now())
}

// failureText spells out why a case got no document.
func failureText(err error) string {
	e, ok := err.(*recouvra.Error)
	if !ok {
		return err.Error()
	}
	msg := e.Message
	for _, f := range e.Fields {
		msg += " " + f.Message
	}
	return msg
}

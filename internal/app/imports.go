package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/recouvra"
	"github.com/recouvra/recouvra/internal/sheet"
)

// Import is an uploaded placement file and what became of it.
type Import struct {
	ID              uuid.UUID
	CreditorID      uuid.UUID
	CreatedBy       *uuid.UUID
	CreatedByAPIKey *uuid.UUID
	FileName        string
	Kind            sheet.Kind
	Encoding        string
	Separator       string
	Headers         []string
	Mapping         recouvra.PlacementMapping
	Status          string // uploaded, queued, running, done, failed
	TotalRows       int
	ProcessedRows   int
	Placed          int
	Present         int
	Refused         int
	CasesCreated    int
	Error           string
	CreatedAt       time.Time
	StartedAt       *time.Time
	FinishedAt      *time.Time
}

// ImportView is an import with the preview of its first rows under its
// mapping.
type ImportView struct {
	Import
	Preview []PreviewRow
}

// PreviewRow is a row of the file as read, with what is wrong per field.
type PreviewRow struct {
	Line     int
	Cells    []string
	Problems []recouvra.PlacementProblem
}

// StagedRow is a row of a placement file as it goes to the staging table:
// its cells by field as written, and, for a row the checks accepted, its
// parsed values.
type StagedRow struct {
	Line     int
	Refused  bool
	Reason   string
	GroupKey string
	Raw      map[recouvra.PlacementField]string
	Row      recouvra.PlacementRow
}

// PlacementResult counts what a placement did.
type PlacementResult struct {
	Placed, Present, Refused, Cases int
}

// ImportStore keeps imports and places their rows.
type ImportStore interface {
	// CreateImport records an import whose file the blob store holds
	// under contentSHA256.
	CreateImport(ctx context.Context, imp Import, contentSHA256 string) error
	Import(ctx context.Context, creditor *uuid.UUID, id uuid.UUID) (Import, error)
	// ImportContent names the blob holding the import's file or, for an
	// import uploaded before files went to the blob store, answers the
	// content itself (sha "").
	ImportContent(ctx context.Context, id uuid.UUID) (sha string, content []byte, err error)
	SetImportMapping(ctx context.Context, id uuid.UUID, m recouvra.PlacementMapping, byHeader map[string]string) error
	SavedMapping(ctx context.Context, creditor uuid.UUID) (map[string]string, error)
	// QueueImport marks the import queued and enqueues its job in one
	// transaction; false when it was not waiting to be run.
	QueueImport(ctx context.Context, id uuid.UUID) (bool, error)
	ImportProgress(ctx context.Context, id uuid.UUID, status string, processed int, at time.Time) error
	// Place stages the rows by COPY and places the valid ones, set-based,
	// in one transaction.
	Place(ctx context.Context, imp Import, actorUser, actorKey *uuid.UUID, now time.Time, today recouvra.Date, rows func() (StagedRow, bool, error)) (PlacementResult, error)
	// FinishImport records the outcome and, in the same statement, queues
	// the import.finished webhook (webhook, a WebhookPayload's JSON) for the
	// creditor's endpoints that want it.
	FinishImport(ctx context.Context, id uuid.UUID, res PlacementResult, total int, errMsg string, at time.Time, webhook []byte) error
	// RefusedRows calls fn with each refused row, in line order.
	RefusedRows(ctx context.Context, id uuid.UUID, fn func(StagedRow) error) error
}

// MaxPreviewRows is how many rows a preview shows.
const MaxPreviewRows = 20

func (s *Service) imports() (ImportStore, error) {
	if s.cfg.Imports == nil {
		return nil, recouvra.Errorf(recouvra.ECodeUnavailable, "Les imports ne sont pas disponibles dans ce processus.")
	}
	return s.cfg.Imports, nil
}

// importCreditor is the creditor a caller imports for: its own, or the one
// staff name.
func importCreditor(p recouvra.Principal, named *uuid.UUID) (uuid.UUID, error) {
	if p.Role == recouvra.RoleCreditor {
		if p.CreditorID == nil {
			return uuid.Nil, recouvra.Errorf(recouvra.ECodeForbidden, "Compte créancier sans créancier.")
		}
		if named != nil && *named != *p.CreditorID {
			return uuid.Nil, recouvra.Errorf(recouvra.ECodeForbidden, "Un créancier n'importe des dossiers que pour lui-même.")
		}
		return *p.CreditorID, nil
	}
	if err := requireRole(p, recouvra.RoleAdmin, recouvra.RoleAgent); err != nil {
		return uuid.Nil, err
	}
	if named == nil {
		return uuid.Nil, recouvra.Invalid("Créancier manquant.", recouvra.FieldError{Field: "creditor_id", Code: "required",
			Message: "Indiquez le créancier pour lequel vous importez."})
	}
	return *named, nil
}

// fileProblem turns a sheet error into a 422 naming the line.
func fileProblem(err error) error {
	var se *sheet.Error
	if errors.As(err, &se) {
		fe := recouvra.FieldError{Field: "form.file", Code: "unreadable", Message: se.Error()}
		if se.Line > 0 {
			fe.Field = fmt.Sprintf("form.file:%d", se.Line)
		}
		return recouvra.Invalid("Fichier refusé : "+se.Error(), fe)
	}
	return err
}

// UploadImport streams a placement file into the blob store (hashed and
// bounded by the upload limit as it is read, never held whole), checks it
// is the kind its name says and readable, guesses or reuses the
// creditor's mapping and records it; nothing is placed yet. The blob store
// is the data directory the instances share, as for documents: the job
// may run on another instance.
func (s *Service) UploadImport(ctx context.Context, p recouvra.Principal, creditorID *uuid.UUID, fileName string, body io.Reader) (ImportView, error) {
	st, err := s.imports()
	if err != nil {
		return ImportView{}, err
	}
	creditor, err := importCreditor(p, creditorID)
	if err != nil {
		return ImportView{}, err
	}
	if err := s.store.Tx(ctx, func(r Repo) error {
		_, err := r.CreditorByID(ctx, recouvra.AllCreditors, creditor)
		return fieldNotFound(err, "creditor_id", "Aucun créancier ne porte cet identifiant.")
	}); err != nil {
		return ImportView{}, err
	}
	kind := sheet.KindOfName(fileName)
	if kind == "" {
		return ImportView{}, recouvra.Invalid("Type de fichier refusé.", recouvra.FieldError{Field: "form.file", Code: "kind",
			Message: "Envoyez un fichier .csv ou .xlsx."})
	}
	limit := s.cfg.MaxUploadBytes
	if limit <= 0 {
		limit = 50 << 20
	}
	sniff := sheet.NewSniffer()
	capped := &cappedReader{r: io.LimitedReader{R: body, N: limit + 1},
		tooLarge: recouvra.Errorf(recouvra.ECodeTooLarge, "Fichier trop volumineux (%d octets au plus).", limit)}
	sha, _, err := s.cfg.Blobs.Put(ctx, io.TeeReader(capped, sniff))
	if err != nil {
		return ImportView{}, err
	}
	if sniff.Blank() {
		return ImportView{}, recouvra.Invalid("Fichier vide.", recouvra.FieldError{Field: "form.file", Code: "empty", Message: "Le fichier est vide."})
	}
	info, err := sniff.Info(kind)
	if err != nil {
		return ImportView{}, fileProblem(err)
	}
	rows, info, err := openImportFile(ctx, s.cfg.Blobs, sha, nil, info)
	if err != nil {
		return ImportView{}, err
	}
	headers, _, err := rows.Next()
	_ = rows.Close()
	if errors.Is(err, io.EOF) {
		return ImportView{}, recouvra.Invalid("Fichier vide.", recouvra.FieldError{Field: "form.file", Code: "empty", Message: "Le fichier n'a pas de ligne d'en-tête."})
	}
	if err != nil {
		return ImportView{}, fileProblem(err)
	}
	imp := Import{ID: uuid.Must(uuid.NewV7()), CreditorID: creditor, FileName: fileName, Kind: info.Kind, Encoding: string(info.Encoding),
		Headers: headers, Status: "uploaded", CreatedAt: s.now()}
	if info.Separator != 0 {
		imp.Separator = string(info.Separator)
	}
	imp.CreatedBy, imp.CreatedByAPIKey = p.Actor()
	imp.Mapping = recouvra.GuessPlacementMapping(headers)
	if saved, err := st.SavedMapping(ctx, creditor); err == nil {
		// The mapping the creditor chose last time, where the headers match.
		for field, header := range saved {
			if i := slices.Index(headers, header); i >= 0 {
				imp.Mapping[recouvra.PlacementField(field)] = i
			}
		}
	}
	if len(imp.Mapping) == 0 {
		return ImportView{}, recouvra.Invalid("En-têtes non reconnus.", recouvra.FieldError{Field: "form.file:1", Code: "no_mapping",
			Message: "ligne 1 : aucune colonne ne correspond à un champ connu (raison sociale, numéro de facture, date de facture, échéance, montant TTC…)."})
	}
	if err := st.CreateImport(ctx, imp, sha); err != nil {
		return ImportView{}, err
	}
	return s.previewOf(ctx, st, imp)
}

// GetImport shows an import: its progress, counts and preview.
func (s *Service) GetImport(ctx context.Context, p recouvra.Principal, id uuid.UUID) (ImportView, error) {
	imp, st, err := s.loadImport(ctx, p, id)
	if err != nil {
		return ImportView{}, err
	}
	if imp.Status != "uploaded" {
		return ImportView{Import: imp}, nil
	}
	return s.previewOf(ctx, st, imp)
}

func (s *Service) loadImport(ctx context.Context, p recouvra.Principal, id uuid.UUID) (Import, ImportStore, error) {
	st, err := s.imports()
	if err != nil {
		return Import{}, nil, err
	}
	var scope *uuid.UUID
	switch {
	case p.Role == recouvra.RoleCreditor:
		if p.CreditorID == nil {
			return Import{}, nil, recouvra.Errorf(recouvra.ECodeNotFound, "Import introuvable.")
		}
		scope = p.CreditorID
	default:
		if err := requireRole(p, recouvra.RoleAdmin, recouvra.RoleAgent); err != nil {
			return Import{}, nil, err
		}
	}
	imp, err := st.Import(ctx, scope, id)
	return imp, st, err
}

// SetImportMapping replaces the mapping of an import not yet run, saves it
// as the creditor's, and answers the preview under it.
func (s *Service) SetImportMapping(ctx context.Context, p recouvra.Principal, id uuid.UUID, m recouvra.PlacementMapping) (ImportView, error) {
	imp, st, err := s.loadImport(ctx, p, id)
	if err != nil {
		return ImportView{}, err
	}
	if imp.Status != "uploaded" {
		return ImportView{}, recouvra.Errorf(recouvra.ECodeConflict, "Cet import est déjà lancé : sa correspondance des colonnes ne change plus.")
	}
	if fields := m.Check(len(imp.Headers)); len(fields) > 0 {
		return ImportView{}, recouvra.Invalid("Correspondance des colonnes invalide.", fields...)
	}
	byHeader := map[string]string{}
	for f, i := range m {
		byHeader[string(f)] = imp.Headers[i]
	}
	if err := st.SetImportMapping(ctx, id, m, byHeader); err != nil {
		return ImportView{}, err
	}
	imp.Mapping = m
	return s.previewOf(ctx, st, imp)
}

// RunImport queues the placement of an uploaded import (River job).
func (s *Service) RunImport(ctx context.Context, p recouvra.Principal, id uuid.UUID) (ImportView, error) {
	imp, st, err := s.loadImport(ctx, p, id)
	if err != nil {
		return ImportView{}, err
	}
	if fields := imp.Mapping.Check(len(imp.Headers)); len(fields) > 0 {
		return ImportView{}, recouvra.Invalid("Correspondance des colonnes incomplète.", fields...)
	}
	ok, err := st.QueueImport(ctx, id)
	if err != nil {
		return ImportView{}, err
	}
	if !ok {
		return ImportView{}, recouvra.Errorf(recouvra.ECodeConflict, "Cet import est déjà lancé.")
	}
	imp.Status = "queued"
	return ImportView{Import: imp}, nil
}

// cappedReader reads an upload up to its limit: past it, the read fails
// (tooLarge), so the blob store drops what it had written.
type cappedReader struct {
	r        io.LimitedReader // N: the limit + 1
	tooLarge error
}

func (c *cappedReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if c.r.N <= 0 {
		return n, c.tooLarge
	}
	return n, err
}

// importFile is an open import file's rows and the file under them.
type importFile struct {
	sheet.Rows
	file io.Closer
}

func (f importFile) Close() error { return errors.Join(f.Rows.Close(), f.file.Close()) }

// openImportFile streams an import's file: the blob sha, or content for an
// import stored before the blob store held them; info is what its upload
// established (the separator found on the first line when it has none).
// A file that cannot be read is a 422 naming the line.
func openImportFile(ctx context.Context, blobs Blobs, sha string, content []byte, info sheet.Info) (sheet.Rows, sheet.Info, error) {
	var file io.ReadCloser = io.NopCloser(bytes.NewReader(content))
	if sha != "" {
		f, err := blobs.Open(ctx, sha)
		if err != nil {
			return nil, sheet.Info{}, err
		}
		file = f
	}
	rows, info, err := sheet.OpenStream(file, info)
	if err != nil {
		_ = file.Close()
		return nil, sheet.Info{}, fileProblem(err)
	}
	return importFile{Rows: rows, file: file}, info, nil
}

// openImport streams the file of a stored import.
func (s *Service) openImport(ctx context.Context, st ImportStore, imp Import) (sheet.Rows, error) {
	sha, content, err := st.ImportContent(ctx, imp.ID)
	if err != nil {
		return nil, err
	}
	info := sheet.Info{Kind: imp.Kind, Encoding: sheet.Encoding(imp.Encoding)}
	if sep := []rune(imp.Separator); len(sep) == 1 {
		info.Separator = sep[0]
	}
	rows, _, err := openImportFile(ctx, s.cfg.Blobs, sha, content, info)
	return rows, err
}

// previewOf reads the first rows of imp's file, never the rest.
func (s *Service) previewOf(ctx context.Context, st ImportStore, imp Import) (ImportView, error) {
	v := ImportView{Import: imp}
	rows, err := s.openImport(ctx, st, imp)
	if err != nil {
		return v, err
	}
	defer rows.Close()
	if _, _, err := rows.Next(); err != nil {
		return v, fileProblem(err)
	}
	for len(v.Preview) < MaxPreviewRows {
		cells, line, err := rows.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return v, fileProblem(err)
		}
		if blank(cells) {
			continue
		}
		_, problems := recouvra.ReadPlacementRow(cells, imp.Mapping)
		v.Preview = append(v.Preview, PreviewRow{Line: line, Cells: cells, Problems: problems})
	}
	return v, nil
}

func blank(cells []string) bool {
	for _, c := range cells {
		if c != "" {
			return false
		}
	}
	return true
}

// ProcessImport is the import job: it reads the file again, checks every
// row, stages them and places the valid ones in one transaction, then
// records the counts. A file that cannot be read is marked failed with
// the line; nothing of it is placed.
// finishImport records imp's outcome with its import.finished webhook
// (status, counts, the error of a refused file) in one statement, then
// wakes the dispatcher.
func (s *Service) finishImport(ctx context.Context, st ImportStore, imp Import, res PlacementResult, total int, errMsg string) error {
	now := s.now()
	status := "done"
	if errMsg != "" {
		status = "failed"
	}
	body, err := json.Marshal(recouvra.WebhookPayload{Type: recouvra.WebhookImportFinished, Timestamp: now, Data: map[string]any{
		"import_id": imp.ID.String(), "creditor_id": imp.CreditorID.String(), "file_name": imp.FileName, "status": status,
		"total_rows": total, "placed_rows": res.Placed, "present_rows": res.Present, "refused_rows": res.Refused,
		"cases_created": res.Cases, "error": errMsg,
	}})
	if err != nil {
		return err
	}
	if err := st.FinishImport(ctx, imp.ID, res, total, errMsg, now, body); err != nil {
		return err
	}
	s.wakeWebhooks()
	return nil
}

func (s *Service) ProcessImport(ctx context.Context, id uuid.UUID) error {
	st, err := s.imports()
	if err != nil {
		return err
	}
	imp, err := st.Import(ctx, nil, id)
	if err != nil {
		return err
	}
	if imp.Status == "done" || imp.Status == "failed" {
		return nil
	}
	if err := st.ImportProgress(ctx, id, "running", 0, s.now()); err != nil {
		return err
	}
	// The file is streamed from the blob store through the parser into
	// COPY: memory stays bounded whatever its size.
	rows, err := s.openImport(ctx, st, imp)
	var refused *recouvra.Error
	if errors.As(err, &refused) && refused.Code == recouvra.ECodeInvalid {
		return s.finishImport(ctx, st, imp, PlacementResult{}, 0, err.Error())
	}
	if err != nil {
		return err
	}
	defer rows.Close()
	if _, _, err := rows.Next(); err != nil { // the header
		return s.finishImport(ctx, st, imp, PlacementResult{}, 0, fileProblem(err).Error())
	}
	total := 0
	next := func() (StagedRow, bool, error) {
		for {
			cells, line, err := rows.Next()
			if errors.Is(err, io.EOF) {
				return StagedRow{}, false, nil
			}
			if err != nil {
				return StagedRow{}, false, err
			}
			if blank(cells) {
				continue
			}
			total++
			if total%5000 == 0 {
				_ = st.ImportProgress(ctx, id, "running", total, s.now())
			}
			return StageRow(cells, line, imp.Mapping), true, nil
		}
	}
	u, k := imp.CreatedBy, imp.CreatedByAPIKey
	res, err := st.Place(ctx, imp, u, k, s.now(), s.today(), next)
	var se *sheet.Error
	if errors.As(err, &se) {
		return s.finishImport(ctx, st, imp, PlacementResult{}, total, fileProblem(err).Error())
	}
	if err != nil {
		return err
	}
	s.cfg.Logger.Info("placement file imported", "import", id, "rows", total, "placed", res.Placed, "present", res.Present, "refused", res.Refused)
	return s.finishImport(ctx, st, imp, res, total, "")
}

// StageRow reads a row of a placement file for the staging table.
func StageRow(cells []string, line int, m recouvra.PlacementMapping) StagedRow {
	row, problems := recouvra.ReadPlacementRow(cells, m)
	raw := make(map[recouvra.PlacementField]string, len(m))
	for f, i := range m {
		if i >= 0 && i < len(cells) {
			raw[f] = cells[i]
		}
	}
	return StagedRow{Line: line, Refused: len(problems) > 0, Reason: recouvra.PlacementReason(problems), GroupKey: row.GroupKey, Raw: raw, Row: row}
}

// WriteRefusedRows writes the refused rows of an import as a file of the
// same columns (French headers a new import recognises), the line they
// were on and the reason.
func (s *Service) WriteRefusedRows(ctx context.Context, p recouvra.Principal, id uuid.UUID, kind sheet.Kind, w io.Writer) error {
	_, st, err := s.loadImport(ctx, p, id)
	if err != nil {
		return err
	}
	out, err := sheet.NewWriter(w, kind, "Lignes refusées")
	if err != nil {
		return err
	}
	header := []sheet.Cell{sheet.Text("ligne")}
	for _, f := range recouvra.PlacementFields {
		header = append(header, sheet.Text(recouvra.PlacementFieldLabel(f)))
	}
	header = append(header, sheet.Text("motif du refus"))
	if err := out.Write(header); err != nil {
		return err
	}
	cells := make([]sheet.Cell, 0, len(header))
	if err := st.RefusedRows(ctx, id, func(r StagedRow) error {
		cells = append(cells[:0], sheet.Int(int64(r.Line)))
		for _, f := range recouvra.PlacementFields {
			cells = append(cells, sheet.Text(r.Raw[f]))
		}
		return out.Write(append(cells, sheet.Text(r.Reason)))
	}); err != nil {
		return err
	}
	return out.Close()
}

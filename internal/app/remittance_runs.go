package app

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/documents"
	"github.com/recouvra/recouvra/internal/ident"
	"github.com/recouvra/recouvra/internal/recouvra"
	"github.com/recouvra/recouvra/internal/sepa"
)

// RemittanceRun pays what is held for creditors by one SEPA transfer file.
type RemittanceRun struct {
	ID            uuid.UUID
	RunKey        string
	Reference     string
	CreditorID    *uuid.UUID // nil: every creditor
	State         recouvra.RunState
	Currency      string
	Transfers     int
	TotalNetCents int64
	Pain001       []byte
	CreatedAt     time.Time
	BookedAt      *time.Time
	SentAt        *time.Time
	CancelledAt   *time.Time
	Lines         []RunLine
	Skipped       []RunSkip // creditors left out of a run for all, and why (not stored)
}

// RunLine is one creditor's part of a run.
type RunLine struct {
	RunID      uuid.UUID
	Reference  string // the run's, for the portal
	CreditorID uuid.UUID
	LegalName  string
	IBAN, BIC  string
	EndToEndID string
	Currency   string
	Figures    recouvra.RemittanceFigures
	From, To   recouvra.Date
	DocumentID *uuid.UUID
	InvoiceID  *uuid.UUID // the agency's standing invoice for its share (read, not stored)
	State      recouvra.RunState
	CreatedAt  time.Time
}

// RunSkip is a creditor a run for all left out.
type RunSkip struct {
	CreditorID uuid.UUID
	LegalName  string
	Code       string
	Reason     string
}

// runTxnID is the id of a run line's ledger posting.
func runTxnID(run, creditor uuid.UUID) uuid.UUID {
	return uuid.NewSHA1(run, []byte("remittance:"+creditor.String()))
}

// DrawUpRemittanceRun works out a remittance run as a draft: for one
// creditor (refused with the reason when nothing can be paid to it) or
// for every creditor with funds held (those that cannot be paid are left
// out, with the reason). key names the period the run is for; empty: the
// day and the creditor (on demand). A key runs once (409 the second time).
func (s *Service) DrawUpRemittanceRun(ctx context.Context, p recouvra.Principal, creditorID *uuid.UUID, key string, meta Meta) (RemittanceRun, error) {
	if err := requireRole(p, recouvra.RoleAdmin, recouvra.RoleAccountant); err != nil {
		return RemittanceRun{}, err
	}
	if _, err := ident.ParseIBAN(s.cfg.Agency.IBAN); err != nil {
		return RemittanceRun{}, recouvra.Invalid("Reversement impossible.", recouvra.FieldError{Field: "agency.iban", Code: "missing",
			Message: "Le compte clients de l'agence (RECOUVRA_AGENCY_IBAN) n'est pas configuré ou n'est pas un IBAN valide : aucun virement ne peut en partir."})
	}
	today := s.today()
	run := RemittanceRun{ID: uuid.Must(uuid.NewV7()), CreditorID: creditorID, State: recouvra.RunDraft, Currency: "EUR", CreatedAt: s.now().Truncate(time.Microsecond)}
	run.Reference = fmt.Sprintf("REV-%s-%s", strings.ReplaceAll(today.String(), "-", ""), strings.ToUpper(run.ID.String()[30:36]))
	run.RunKey = key
	if run.RunKey == "" {
		who := "all"
		if creditorID != nil {
			who = creditorID.String()
		}
		run.RunKey = "on_demand:" + today.String() + ":" + who
	}
	err := s.store.Tx(ctx, func(r Repo) error {
		if creditorID != nil {
			if _, err := r.CreditorByID(ctx, recouvra.AllCreditors, *creditorID); err != nil {
				return err
			}
		}
		rows, _, err := r.LedgerCreditors(ctx, recouvra.AllCreditors, creditorID, run.Currency)
		if err != nil {
			return err
		}
		if creditorID != nil && len(rows) == 0 {
			rows = []LedgerCreditorRow{{CreditorID: *creditorID}}
		}
		rates, err := r.ListRates(ctx)
		if err != nil {
			return err
		}
		_, vat, ok := recouvra.NewRateTable(rates).VATAt(0, today)
		if !ok {
			return recouvra.Invalid("Reversement impossible.", recouvra.FieldError{Field: "rates", Code: "no_vat_rate", Message: "Aucun taux de TVA (vat_standard) n'est en vigueur aujourd'hui : ajoutez-le dans les taux."})
		}
		for _, row := range rows {
			if row.HeldCents <= 0 && creditorID == nil {
				continue
			}
			line, err := s.runLine(ctx, r, run, row, vat.Value, today)
			if err != nil {
				if creditorID != nil {
					return err
				}
				skip := RunSkip{CreditorID: row.CreditorID, LegalName: row.LegalName, Code: "refused", Reason: recouvra.ErrorMessage(err)}
				if e, ok := err.(*recouvra.Error); ok && len(e.Fields) > 0 {
					skip.Code, skip.Reason = e.Fields[0].Code, e.Fields[0].Message
				}
				run.Skipped = append(run.Skipped, skip)
				continue
			}
			run.Lines = append(run.Lines, line)
			run.Transfers++
			run.TotalNetCents += line.Figures.NetCents
		}
		if len(run.Lines) == 0 {
			msg := "Aucun créancier n'a de fonds à reverser."
			for _, sk := range run.Skipped {
				msg += fmt.Sprintf(" %s : %s", sk.LegalName, sk.Reason)
			}
			return recouvra.Invalid("Rien à reverser.", recouvra.FieldError{Field: "creditor_id", Code: "nothing_held", Message: msg})
		}
		by, _ := p.Actor()
		if err := r.InsertRemittanceRun(ctx, run, by); err != nil {
			if recouvra.ErrorCode(err) == recouvra.ECodeConflict {
				return recouvra.Errorf(recouvra.ECodeConflict, "Un reversement a déjà été établi pour cette période (%s) : annulez-le avant d'en établir un autre.", run.RunKey)
			}
			return err
		}
		return r.InsertAudit(ctx, s.audit(p, meta, "remittance_run.draw_up", "remittance_run", &run.ID, map[string]any{
			"reference": run.Reference, "run_key": run.RunKey, "transfers": run.Transfers, "total_net_cents": run.TotalNetCents}))
	})
	return run, err
}

// runLine works out one creditor's part of a run.
func (s *Service) runLine(ctx context.Context, r Repo, run RemittanceRun, row LedgerCreditorRow, vatBps int64, today recouvra.Date) (RunLine, error) {
	c, err := r.CreditorByID(ctx, recouvra.AllCreditors, row.CreditorID)
	if err != nil {
		return RunLine{}, err
	}
	last, err := r.LastRemittedOn(ctx, c.ID)
	if err != nil {
		return RunLine{}, err
	}
	newCases, err := r.CasesFirstPaidAfter(ctx, c.ID, last, today)
	if err != nil {
		return RunLine{}, err
	}
	f, err := recouvra.ComputeRemittance(row.HeldCents, row.ReceivableCents, c.Mandate.Fees(newCases), c.Mandate, vatBps)
	if err != nil {
		return RunLine{}, err
	}
	iban, err := ident.ParseIBAN(c.IBAN)
	if err != nil {
		return RunLine{}, recouvra.Invalid("IBAN du créancier invalide.", recouvra.FieldError{Field: "creditor.iban", Code: "invalid_iban",
			Message: fmt.Sprintf("%s n'a pas d'IBAN valide (%s) : le virement ne peut lui être fait.", c.LegalName, recouvra.ErrorMessage(err))})
	}
	from := last.AddDays(1)
	if last.IsZero() {
		from = c.Mandate.SignedOn
		for _, cr := range row.Credits {
			if from.IsZero() || cr.On.Before(from) {
				from = cr.On
			}
		}
		if from.IsZero() {
			from = today
		}
	}
	return RunLine{RunID: run.ID, Reference: run.Reference, CreditorID: c.ID, LegalName: c.LegalName, IBAN: string(iban), BIC: strings.ToUpper(strings.TrimSpace(c.BIC)),
		// The id's last characters: its first ones are a UUID v7's time,
		// the same for creditors created in the same minute.
		EndToEndID: fmt.Sprintf("%s-%s", run.Reference, strings.ToUpper(c.ID.String()[28:])), Currency: run.Currency, Figures: f,
		From: from, To: today, State: recouvra.RunDraft, CreatedAt: run.CreatedAt}, nil
}

// RemittanceRunAct books, marks sent or cancels a run. Booking moves the
// ledger (each creditor's account cleared, the net paid out of the client
// account, the agency's share to its own account), writes each creditor's
// statement and the pain.001 file; cancelling a booked run posts the
// opposite entries; a run marked sent cannot be cancelled (409).
func (s *Service) RemittanceRunAct(ctx context.Context, p recouvra.Principal, id uuid.UUID, action recouvra.RunAction, meta Meta) (RemittanceRun, error) {
	if err := requireRole(p, recouvra.RoleAdmin, recouvra.RoleAccountant); err != nil {
		return RemittanceRun{}, err
	}
	var run RemittanceRun
	err := s.store.Tx(ctx, func(r Repo) error {
		var err error
		if run, err = r.RemittanceRunByID(ctx, id, true); err != nil {
			return err
		}
		next, err := recouvra.NextRunState(run.State, action)
		if err != nil {
			return err
		}
		now, today := s.now().Truncate(time.Microsecond), s.today()
		switch {
		case action == recouvra.RunBook:
			if err := s.bookRun(ctx, r, &run, today); err != nil {
				return err
			}
			// The agency's invoices for its share, numbered in this
			// transaction (runInvoices, invoices.go).
			by, _ := p.Actor()
			if err := s.runInvoices(ctx, r, run, today, by); err != nil {
				return err
			}
			run.BookedAt = &now
		case action == recouvra.RunSend:
			run.SentAt = &now
		case action == recouvra.RunCancel:
			if run.State == recouvra.RunBooked {
				var txns []recouvra.LedgerTxn
				for _, l := range run.Lines {
					txns = append(txns, recouvra.ReversalPosting(recouvra.RemittancePosting(runTxnID(run.ID, l.CreditorID), l.CreditorID, l.Currency, today, l.Figures), today))
				}
				if err := r.PostLedger(ctx, run.ID, txns); err != nil {
					return err
				}
				// Its invoices are cancelled by credit notes, never deleted.
				by, _ := p.Actor()
				if err := s.creditRunInvoices(ctx, r, run.ID, today, "Reversement "+run.Reference+" annulé avant l'envoi du fichier de virements.", by); err != nil {
					return err
				}
			}
			run.CancelledAt = &now
		}
		from := run.State
		run.State = next
		for i := range run.Lines {
			run.Lines[i].State = next
		}
		if err := r.UpdateRemittanceRun(ctx, run, from); err != nil {
			return err
		}
		return r.InsertAudit(ctx, s.audit(p, meta, "remittance_run."+string(action), "remittance_run", &run.ID, map[string]any{
			"reference": run.Reference, "from": string(from), "to": string(next), "total_net_cents": run.TotalNetCents}))
	})
	return run, err
}

// bookRun posts a run's ledger transactions, writes its statements and its
// transfer file.
func (s *Service) bookRun(ctx context.Context, r Repo, run *RemittanceRun, today recouvra.Date) error {
	rows, _, err := r.LedgerCreditors(ctx, recouvra.AllCreditors, run.CreditorID, run.Currency)
	if err != nil {
		return err
	}
	held := map[uuid.UUID]int64{}
	for _, row := range rows {
		held[row.CreditorID] = row.HeldCents
	}
	init := sepa.Initiation{MsgID: run.Reference, CreatedAt: s.now(), DebtorName: s.cfg.Agency.Name, DebtorIBAN: s.cfg.Agency.IBAN, DebtorBIC: s.cfg.Agency.BIC, ExecutionDate: today}
	var txns []recouvra.LedgerTxn
	for i, l := range run.Lines {
		if held[l.CreditorID] < l.Figures.HeldCents {
			return recouvra.Invalid("Reversement supérieur aux fonds détenus.", recouvra.FieldError{Field: "lines", Code: "above_funds_held", Message: fmt.Sprintf(
				"Les fonds détenus pour %s (%d centimes) sont désormais inférieurs au montant du reversement (%d centimes) : annulez-le et établissez-en un autre.",
				l.LegalName, held[l.CreditorID], l.Figures.HeldCents)})
		}
		txns = append(txns, recouvra.RemittancePosting(runTxnID(run.ID, l.CreditorID), l.CreditorID, l.Currency, today, l.Figures))
		docID, err := s.runStatement(ctx, r, *run, l)
		if err != nil {
			return err
		}
		run.Lines[i].DocumentID = &docID
		init.Transfers = append(init.Transfers, sepa.Transfer{EndToEndID: l.EndToEndID, AmountCents: l.Figures.NetCents, CreditorName: l.LegalName,
			IBAN: l.IBAN, BIC: l.BIC, Remittance: "Reversement " + l.EndToEndID})
	}
	if err := r.PostLedger(ctx, run.ID, txns); err != nil {
		return err
	}
	file, err := sepa.Pain001(init)
	if err != nil {
		return recouvra.Invalid("Fichier de virements impossible.", recouvra.FieldError{Field: "pain001", Code: "invalid", Message: err.Error()})
	}
	run.Pain001 = file
	return nil
}

// runStatement writes a creditor's remittance statement for its line of a
// run: the payments of the period and the run's figures.
func (s *Service) runStatement(ctx context.Context, r Repo, run RemittanceRun, l RunLine) (uuid.UUID, error) {
	creditor, err := r.CreditorByID(ctx, recouvra.AllCreditors, l.CreditorID)
	if err != nil {
		return uuid.Nil, err
	}
	payments, err := r.PaymentsOfCreditor(ctx, l.CreditorID, l.From, l.To)
	if err != nil {
		return uuid.Nil, err
	}
	f := l.Figures
	rem := documents.Remittance{Agency: s.cfg.Agency, Creditor: creditor, From: l.From, To: l.To, Currency: l.Currency, At: s.now(), Run: &f, TransferRef: l.EndToEndID}
	for _, cp := range payments {
		rem.Lines = append(rem.Lines, documents.RemittanceLine{ReceivedOn: cp.Payment.ReceivedOn, CaseReference: cp.CaseReference, DebtorName: cp.DebtorName,
			Receipt: cp.Payment.ReceiptNumber, Direct: cp.Payment.Method == recouvra.MethodDirectToCreditor, AmountCents: cp.Payment.AmountCents})
	}
	b, err := documents.RemittanceStatement(rem)
	if err != nil {
		return uuid.Nil, err
	}
	sha, size, err := s.cfg.Blobs.Put(ctx, bytes.NewReader(b.PDF))
	if err != nil {
		return uuid.Nil, err
	}
	doc := recouvra.Document{ID: uuid.Must(uuid.NewV7()), CreditorID: l.CreditorID, Kind: string(documents.KindRemittance), Generated: true,
		FileName: "releve-reversement-" + strings.ToLower(l.EndToEndID) + ".pdf", MediaType: "application/pdf", SizeBytes: size, SHA256: sha,
		Reference: l.EndToEndID, Visibility: recouvra.Shared, CreatedAt: s.now()}
	if err := r.InsertDocument(ctx, &doc); err != nil {
		return uuid.Nil, err
	}
	return doc.ID, nil
}

// RemittanceRun reads a run with its lines (admin).
func (s *Service) RemittanceRun(ctx context.Context, p recouvra.Principal, id uuid.UUID) (RemittanceRun, error) {
	if err := requireRole(p, recouvra.RoleAdmin, recouvra.RoleAccountant); err != nil {
		return RemittanceRun{}, err
	}
	var run RemittanceRun
	err := s.store.Scoped(ctx, recouvra.AllCreditors, func(r Repo) error {
		var err error
		run, err = r.RemittanceRunByID(ctx, id, false)
		return err
	})
	return run, err
}

// RemittanceRunFile is a run's pain.001 file: only once booked.
func (s *Service) RemittanceRunFile(ctx context.Context, p recouvra.Principal, id uuid.UUID) (RemittanceRun, error) {
	run, err := s.RemittanceRun(ctx, p, id)
	if err != nil {
		return run, err
	}
	if len(run.Pain001) == 0 || run.State == recouvra.RunDraft || run.State == recouvra.RunCancelled && run.BookedAt == nil {
		return run, recouvra.Errorf(recouvra.ECodeConflict, "Le fichier de virements n'existe qu'une fois le reversement comptabilisé.")
	}
	return run, nil
}

// RemittanceRuns lists the runs, newest first (admin).
func (s *Service) RemittanceRuns(ctx context.Context, p recouvra.Principal, limit int) ([]RemittanceRun, error) {
	if err := requireRole(p, recouvra.RoleAdmin, recouvra.RoleAccountant); err != nil {
		return nil, err
	}
	var out []RemittanceRun
	err := s.store.Scoped(ctx, recouvra.AllCreditors, func(r Repo) error {
		var err error
		out, err = r.RemittanceRuns(ctx, limit)
		return err
	})
	return out, err
}

// CreditorRemittances lists the remittances paid to a creditor (booked or
// sent): a creditor its own, an admin any creditor's.
func (s *Service) CreditorRemittances(ctx context.Context, p recouvra.Principal, creditorID *uuid.UUID) ([]RunLine, error) {
	if err := requireRole(p, recouvra.RoleAdmin, recouvra.RoleCreditor, recouvra.RoleAccountant); err != nil {
		return nil, err
	}
	scope := p.Scope()
	if creditorID == nil {
		creditorID = scope.CreditorID
	}
	var out []RunLine
	err := s.store.Scoped(ctx, scope, func(r Repo) error {
		if creditorID != nil {
			if _, err := r.CreditorByID(ctx, scope, *creditorID); err != nil {
				return err
			}
		}
		var err error
		out, err = r.RemittanceLines(ctx, scope, creditorID)
		return err
	})
	return out, err
}

// MonthlyRemittances draws up and books, once, the run of the month just
// ended for every creditor (the periodic job; RECOUVRA_REMITTANCE_DAY is
// the first day of the month it may run). A run already made for the
// month (by this instance or another) is left alone.
func (s *Service) MonthlyRemittances(ctx context.Context, fromDay int) error {
	today := s.today()
	if today.Day() < fromDay {
		return nil
	}
	prev := recouvra.NewDate(today.Year(), today.Month(), 1).AddMonths(-1)
	key := fmt.Sprintf("monthly:%04d-%02d", prev.Year(), int(prev.Month()))
	run, err := s.DrawUpRemittanceRun(ctx, System, nil, key, Meta{})
	switch code := recouvra.ErrorCode(err); {
	case code == recouvra.ECodeConflict, code == recouvra.ECodeInvalid:
		return nil // done already, or nothing to remit (or no agency account): nothing to do
	case err != nil:
		return err
	}
	_, err = s.RemittanceRunAct(ctx, System, run.ID, recouvra.RunBook, Meta{})
	return err
}

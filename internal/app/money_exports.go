package app

import (
	"context"
	"io"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/recouvra"
	"github.com/recouvra/recouvra/internal/sheet"
)

// The accounting screens' lists as spreadsheets: the same figures and the
// same scope as their JSON reports, French headings, amounts as numbers in
// XLSX and "1234,56" in CSV; text cells go through sheet (formula-like
// text neutralised in CSV, always a string cell in XLSX).

// accountLabels name the ledger's accounts as an accountant reads them.
var accountLabels = map[recouvra.LedgerAccount]string{
	recouvra.AccountClientBank:           "banque — compte clients",
	recouvra.AccountAgencyBank:           "banque — compte de l'agence",
	recouvra.AccountOwedToCreditor:       "dû au créancier",
	recouvra.AccountCommissionReceivable: "commission à recevoir du créancier",
	recouvra.AccountCommissionRevenue:    "produits — commissions",
	recouvra.AccountFeesRevenue:          "produits — frais",
	recouvra.AccountVATCollected:         "TVA collectée",
	recouvra.AccountCreditorDirect:       "paiements directs au créancier (mémo)",
	recouvra.AccountCreditorDirectOffset: "contrepartie des paiements directs (mémo)",
}

// txnLabels name the kinds of ledger transactions.
var txnLabels = map[recouvra.LedgerTxnKind]string{
	recouvra.TxnPayment:         "encaissement",
	recouvra.TxnPaymentReversal: "annulation d'encaissement",
	recouvra.TxnRemittance:      "reversement",
	recouvra.TxnRemittanceUndo:  "annulation de reversement",
}

// RunStateLabels name a run's states.
var RunStateLabels = map[recouvra.RunState]string{
	recouvra.RunDraft:     "brouillon",
	recouvra.RunBooked:    "comptabilisé",
	recouvra.RunSent:      "envoyé à la banque",
	recouvra.RunCancelled: "annulé",
}

func label[K comparable](m map[K]string, k K, fallback string) string {
	if s, ok := m[k]; ok {
		return s
	}
	return fallback
}

func timeCell(t *time.Time) sheet.Cell {
	if t == nil {
		return sheet.Text("")
	}
	return dateCell(recouvra.DateOf(*t))
}

func heading(out sheet.Writer, names ...string) error {
	cells := make([]sheet.Cell, len(names))
	for i, n := range names {
		cells[i] = sheet.Text(n)
	}
	return out.Write(cells)
}

// WriteBalances writes the balances report, one row per creditor.
func WriteBalances(b LedgerBalances, kind sheet.Kind, w io.Writer) error {
	out, err := sheet.NewWriter(w, kind, "Soldes")
	if err != nil {
		return err
	}
	if err := heading(out, "créancier", "identifiant", "devise", "fonds détenus", "commission à recevoir (paiements directs)",
		"paiements directs", "détenus au-delà du délai (R124-6)", "plus ancien encaissement en retard", "délai de reversement (jours)", "au"); err != nil {
		return err
	}
	for _, c := range b.Creditors {
		delay := sheet.Text("un mois")
		if c.RemitWithinDays > 0 {
			delay = sheet.Int(int64(c.RemitWithinDays))
		}
		if err := out.Write([]sheet.Cell{sheet.Text(c.LegalName), sheet.Text(c.CreditorID.String()), sheet.Text(b.Currency), moneyCell(c.HeldCents),
			moneyCell(c.ReceivableCents), moneyCell(c.DirectCents), moneyCell(c.OverdueCents), dateCell(c.OldestOverdueOn), delay, dateCell(b.AsOf)}); err != nil {
			return err
		}
	}
	return out.Close()
}

// WriteCommission writes what the agency earned, one row per month.
func WriteCommission(months []CommissionMonth, currency string, kind sheet.Kind, w io.Writer) error {
	out, err := sheet.NewWriter(w, kind, "Commissions")
	if err != nil {
		return err
	}
	if err := heading(out, "mois", "devise", "commissions HT", "frais HT", "total HT", "TVA", "total TTC"); err != nil {
		return err
	}
	for _, m := range months {
		net := m.CommissionCents + m.FeesCents
		if err := out.Write([]sheet.Cell{sheet.Text(m.Month), sheet.Text(currency), moneyCell(m.CommissionCents), moneyCell(m.FeesCents),
			moneyCell(net), moneyCell(m.VATCents), moneyCell(net + m.VATCents)}); err != nil {
			return err
		}
	}
	return out.Close()
}

// WriteRemittanceRuns writes the runs, one row per run.
func WriteRemittanceRuns(runs []RemittanceRun, names map[uuid.UUID]string, kind sheet.Kind, w io.Writer) error {
	out, err := sheet.NewWriter(w, kind, "Reversements")
	if err != nil {
		return err
	}
	if err := heading(out, "référence", "état", "pour", "virements", "devise", "total net viré", "établi le", "comptabilisé le", "envoyé le", "annulé le"); err != nil {
		return err
	}
	for _, r := range runs {
		who := "tous les créanciers"
		if r.CreditorID != nil {
			who = names[*r.CreditorID]
			if who == "" {
				who = r.CreditorID.String()
			}
		}
		if err := out.Write([]sheet.Cell{sheet.Text(r.Reference), sheet.Text(label(RunStateLabels, r.State, string(r.State))), sheet.Text(who),
			sheet.Int(int64(r.Transfers)), sheet.Text(r.Currency), moneyCell(r.TotalNetCents), timeCell(&r.CreatedAt), timeCell(r.BookedAt),
			timeCell(r.SentAt), timeCell(r.CancelledAt)}); err != nil {
			return err
		}
	}
	return out.Close()
}

// WriteRunLines writes remittance lines (a run's, or a creditor's
// remittances), one row per creditor paid.
func WriteRunLines(lines []RunLine, sheetName string, kind sheet.Kind, w io.Writer) error {
	out, err := sheet.NewWriter(w, kind, sheetName)
	if err != nil {
		return err
	}
	if err := heading(out, "reversement", "référence du virement", "état", "créancier", "IBAN", "BIC", "devise", "du", "au", "fonds détenus",
		"commission", "commission sur paiements directs", "frais", "commission HT", "taux de TVA (%)", "TVA", "commission TTC", "net viré", "établi le"); err != nil {
		return err
	}
	for _, l := range lines {
		f := l.Figures
		rate := sheet.Cell{Text: percentText(f.VATRateBps), Number: true, Value: float64(f.VATRateBps) / 100}
		if err := out.Write([]sheet.Cell{sheet.Text(l.Reference), sheet.Text(l.EndToEndID), sheet.Text(label(RunStateLabels, l.State, string(l.State))),
			sheet.Text(l.LegalName), sheet.Text(l.IBAN), sheet.Text(l.BIC), sheet.Text(l.Currency), dateCell(l.From), dateCell(l.To),
			moneyCell(f.HeldCents), moneyCell(f.CommissionCents), moneyCell(f.DirectCommCents), moneyCell(f.FeesCents), moneyCell(f.CommissionNetCents),
			rate, moneyCell(f.VATCents), moneyCell(f.CommissionGrossCents), moneyCell(f.NetCents), timeCell(&l.CreatedAt)}); err != nil {
			return err
		}
	}
	return out.Close()
}

// percentText is basis points as a French percentage: 2000 → "20",
// 550 → "5,5".
func percentText(bps int64) string {
	return strings.TrimSuffix(strings.TrimRight(moneyCell(bps).Text, "0"), ",")
}

// ExportLedgerEntries writes every ledger line the caller may see (newest
// first) to w, a page at a time: nothing beyond a page is held.
func (s *Service) ExportLedgerEntries(ctx context.Context, p recouvra.Principal, creditorID *uuid.UUID, kind sheet.Kind, w io.Writer) error {
	if err := requireRole(p, recouvra.RoleAdmin, recouvra.RoleCreditor, recouvra.RoleAccountant); err != nil {
		return err
	}
	scope := p.Scope()
	out, err := sheet.NewWriter(w, kind, "Écritures")
	if err != nil {
		return err
	}
	if err := heading(out, "n°", "date comptable", "opération", "transaction", "compte", "créancier", "débit", "crédit", "devise", "paiement", "enregistrée le (UTC)"); err != nil {
		return err
	}
	var before int64
	for {
		var lines []LedgerLine
		err := s.store.Scoped(ctx, scope, func(r Repo) error {
			if before == 0 && creditorID != nil {
				if _, err := r.CreditorByID(ctx, scope, *creditorID); err != nil {
					return err
				}
			}
			var err error
			lines, err = r.LedgerLines(ctx, scope, creditorID, before, maxPageSize)
			return err
		})
		if err != nil {
			return err
		}
		for _, l := range lines {
			debit, credit := sheet.Text(""), sheet.Text("")
			if l.Entry.AmountCents > 0 {
				debit = moneyCell(l.Entry.AmountCents)
			} else {
				credit = moneyCell(-l.Entry.AmountCents)
			}
			creditor, payment := "", ""
			if l.Entry.CreditorID != nil {
				creditor = l.Entry.CreditorID.String()
			}
			if l.PaymentID != nil {
				payment = l.PaymentID.String()
			}
			if err := out.Write([]sheet.Cell{sheet.Int(l.ID), dateCell(l.BookedOn), sheet.Text(label(txnLabels, l.Kind, string(l.Kind))), sheet.Text(l.TxnID.String()),
				sheet.Text(label(accountLabels, l.Entry.Account, string(l.Entry.Account))), sheet.Text(creditor), debit, credit, sheet.Text(l.Entry.Currency),
				sheet.Text(payment), sheet.Text(l.CreatedAt.UTC().Format("02/01/2006 15:04:05"))}); err != nil {
				return err
			}
			before = l.ID
		}
		if len(lines) < maxPageSize {
			break
		}
	}
	return out.Close()
}

// CreditorNames maps every creditor the caller may see to its name (for
// the runs export, which names the creditor of a run for one).
func (s *Service) CreditorNames(ctx context.Context, p recouvra.Principal, ids []uuid.UUID) (map[uuid.UUID]string, error) {
	out := map[uuid.UUID]string{}
	scope := p.Scope()
	err := s.store.Scoped(ctx, scope, func(r Repo) error {
		for _, id := range ids {
			if _, ok := out[id]; ok {
				continue
			}
			c, err := r.CreditorByID(ctx, scope, id)
			if err != nil {
				return err
			}
			out[id] = c.LegalName
		}
		return nil
	})
	return out, err
}

package demo

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/pdf"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// The demo's exhibits are real PDF files, written here, so that a lawyer
// trying the demo finds on each case what a creditor would have sent: its
// invoices, the signed acknowledgement of receipt, the special power.

// piece is one exhibit to attach: its kind, file name and PDF.
type piece struct {
	kind, name string
	write      func(d *pdf.Doc)
}

// attach writes and uploads pieces to a case as the principal.
func (s *Seeder) attach(ctx context.Context, p recouvra.Principal, caseID uuid.UUID, issuer string, at time.Time, pieces ...piece) error {
	for _, pc := range pieces {
		d := pdf.New(pdf.Letterhead{Name: issuer}, pc.name, at)
		pc.write(d)
		f, err := d.File()
		if err != nil {
			return err
		}
		if _, err := s.Svc.UploadAttachment(ctx, p, caseID, app.NewAttachment{Kind: pc.kind, FileName: pc.name, Content: bytes.NewReader(f.PDF)}); err != nil {
			return fmt.Errorf("%s: %w", pc.name, err)
		}
	}
	return nil
}

// invoicePiece is a creditor's invoice (or rent call) as a PDF.
func invoicePiece(creditor recouvra.Creditor, debtor recouvra.Debtor, cl recouvra.Claim) piece {
	return piece{kind: "invoice", name: "Facture " + cl.InvoiceNumber + ".pdf", write: func(d *pdf.Doc) {
		d.Address(debtor.Name, debtor.Address.Line1, debtor.Address.PostalCode+" "+debtor.Address.City)
		d.Title("Facture n° " + cl.InvoiceNumber)
		d.Field("Émise le", recouvra.FrenchDate(cl.IssuedOn))
		d.Field("Échéance", recouvra.FrenchDate(cl.DueOn))
		d.Field("Émetteur", creditor.LegalName)
		d.Field("Montant TTC", recouvra.FrenchMoney(cl.AmountCents, cl.Currency))
		d.Field("dont TVA", recouvra.FrenchMoney(cl.VATCents, cl.Currency))
		d.Small("Pénalités de retard : trois fois le taux d'intérêt légal ; indemnité forfaitaire pour frais de recouvrement : 40 euros (C. com. L441-10, D441-5).")
	}}
}

// receiptPiece is the scan of the signed acknowledgement of receipt.
func receiptPiece(registered string, received recouvra.Date) piece {
	return piece{kind: "formal_notice_receipt", name: "AR " + registered + ".pdf", write: func(d *pdf.Doc) {
		d.Title("Avis de réception")
		d.Field("Lettre recommandée n°", registered)
		d.Field("Présentée et distribuée le", recouvra.FrenchDate(received))
		d.Para("Signature du destinataire : (signé)")
	}}
}

// powerPiece is the creditor's special power for the agency to file the
// injunction request (CPC 416, 853).
func powerPiece(creditor recouvra.Creditor, agency string, caseRef string) piece {
	return piece{kind: "power_of_attorney", name: "Pouvoir spécial " + caseRef + ".pdf", write: func(d *pdf.Doc) {
		d.Title("Pouvoir spécial")
		who, signer := creditor.LegalName, creditor.LegalName
		if id := creditor.Identity; id.RepresentativeName != "" {
			who, signer = fmt.Sprintf("%s, représentée par %s, %s,", creditor.LegalName, id.RepresentativeName, id.RepresentativeTitle), id.RepresentativeName
		}
		if agency == "" {
			agency = "l'agence de recouvrement mandataire"
		}
		d.Para(fmt.Sprintf("%s donne pouvoir spécial à %s de présenter en son nom une requête en injonction de payer "+
			"et d'accomplir tous actes de la procédure relative au dossier %s (articles 416 et 853 du code de procédure civile).",
			who, agency, caseRef))
		d.Signature(signer, creditor.LegalName)
	}}
}

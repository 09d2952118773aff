package documents

import (
	"fmt"
	"strings"
	"time"

	"github.com/recouvra/recouvra/internal/pdf"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// Exhibit is one numbered piece of a court filing (bordereau de pièces).
type Exhibit struct {
	Number      int
	Description string
	Date        recouvra.Date
	Reference   string // a stored document's file name or reference
}

// Filing is what the injunction-to-pay request is written from.
type Filing struct {
	Agency    Agency
	Case      recouvra.Case
	Creditor  recouvra.Creditor
	Debtor    recouvra.Debtor
	Statement recouvra.Statement
	Claims    []recouvra.Claim // invoices and credit notes as recorded
	Court     string
	Lawyer    string // the lawyer assigned to the case, else the user producing the request
	Exhibits  []Exhibit
	At        time.Time
}

// CourtForm is the Cerfa form the request follows: the tribunal de
// commerce between traders, the tribunal judiciaire otherwise. The forms'
// suffix versions change over time; the court's current one prevails.
func CourtForm(creditor recouvra.Creditor, debtor recouvra.Debtor) string {
	if debtor.Kind == recouvra.DebtorCompany && creditor.Mandate.LegalStatus != recouvra.StatusIndividual {
		return "Cerfa n° 12946 (requête en injonction de payer devant le tribunal de commerce)"
	}
	return "Cerfa n° 12948 (requête en injonction de payer devant le tribunal judiciaire)"
}

func party(d *pdf.Doc, role, name string, a recouvra.Address, siren string) {
	line := fmt.Sprintf("%s, %s", name, oneLine(a))
	if siren != "" {
		line += ", SIREN " + siren
	}
	d.Field(role, line)
}

// InjunctionPacket is the lawyer's file for the court: the request with
// every item the form asks (parties and identifiers, the court, the amount
// split into principal, interest and indemnities with their legal basis,
// the exhibits), the statement of claim, and the numbered list of exhibits.
func InjunctionPacket(f Filing) (File, error) {
	st, cur := f.Statement, f.Statement.Currency
	d := newDoc(f.Agency, "Requête en injonction de payer", f.At)
	d.Title("Requête en injonction de payer")
	d.Small(CourtForm(f.Creditor, f.Debtor) + " — articles 1405 et suivants du code de procédure civile.")
	d.Field("Juridiction", f.Court)
	d.Field("Dossier", f.Case.Reference)
	d.Heading("Parties")
	party(d, "Créancier requérant", f.Creditor.LegalName, f.Creditor.Address, f.Creditor.SIREN)
	debtorSIREN := f.Debtor.SIREN
	if f.Debtor.Kind == recouvra.DebtorPerson {
		debtorSIREN = ""
	}
	party(d, "Débiteur", f.Debtor.Name, f.Debtor.Address, debtorSIREN)
	d.Field("Représenté par", fmt.Sprintf("%s, pour %s", f.Lawyer, f.Agency.Name))
	d.Heading("Objet de la demande")
	t := st.Totals
	d.Para(fmt.Sprintf("Le requérant sollicite une ordonnance enjoignant au débiteur de lui payer la somme de %s, décomposée comme suit au %s :",
		money(t.TotalDueCents, cur), recouvra.FrenchDate(st.AsOf)))
	basis := map[recouvra.InterestRegime]string{
		recouvra.RegimeB2B:         "pénalités de retard, article L441-10 II du code de commerce",
		recouvra.RegimeLegal:       "intérêts au taux légal, articles 1231-6 et 1344-1 du code civil, L313-2 du code monétaire et financier",
		recouvra.RegimeContractual: "intérêts au taux contractuel",
	}
	var bases []string
	seen := map[recouvra.InterestRegime]bool{}
	for _, c := range st.Claims {
		if b, ok := basis[c.Regime]; ok && !seen[c.Regime] {
			seen[c.Regime] = true
			bases = append(bases, b)
		}
	}
	d.Table([]pdf.Column{{Title: "Poste", Width: 120, Align: "L"}, {Title: "Montant", Width: 50, Align: "R"}}, [][]string{
		{"Principal (factures impayées)", money(t.PrincipalOutstandingCents, cur)},
		{"Intérêts échus", money(t.InterestOutstandingCents, cur)},
		{"Indemnités forfaitaires pour frais de recouvrement", money(t.IndemnitiesOutstandingCents, cur)},
		{"Total", money(t.TotalDueCents, cur)},
	}, map[int]bool{3: true})
	d.Field("Fondement du principal", "contrat de vente ou de prestation de services, factures impayées à leur échéance")
	if len(bases) > 0 {
		d.Field("Fondement des intérêts", strings.Join(bases, " ; "))
	}
	d.Field("Fondement des indemnités", "article D441-5 du code de commerce (40 euros par facture payée en retard)")
	d.Para("Le requérant sollicite en outre les intérêts postérieurs jusqu'à complet paiement au taux indiqué au décompte joint, et les dépens.")
	d.Heading("Pièces produites")
	d.Para(fmt.Sprintf("%d pièces, énumérées au bordereau joint.", len(f.Exhibits)))
	d.Signature(fmt.Sprintf("Fait à %s, le %s", f.Agency.City, recouvra.FrenchDate(recouvra.DateOf(f.At))), f.Lawyer)

	d.NewPage()
	d.Title("Bordereau de pièces communiquées")
	d.Field("Affaire", fmt.Sprintf("%s c/ %s", f.Creditor.LegalName, f.Debtor.Name))
	var rows [][]string
	for _, e := range f.Exhibits {
		rows = append(rows, []string{fmt.Sprintf("Pièce n° %d", e.Number), e.Description, recouvra.FrenchDate(e.Date), e.Reference})
	}
	d.Table([]pdf.Column{{Title: "N°", Width: 22, Align: "L"}, {Title: "Désignation", Width: 88, Align: "L"}, {Title: "Date", Width: 22, Align: "C"}, {Title: "Fichier", Width: 38, Align: "L"}}, rows, nil)

	d.NewPage()
	appendStatement(d, f.Case, f.Creditor, f.Debtor, st, f.Claims)
	return d.File()
}

// appendStatement writes the statement of claim into a larger document.
func appendStatement(d *pdf.Doc, c recouvra.Case, creditor recouvra.Creditor, debtor recouvra.Debtor, st recouvra.Statement, claims []recouvra.Claim) {
	writeStatement(d, c, creditor, debtor, st, claims, "Décompte de créance")
}

// Declaration is what a declaration of claim in insolvency proceedings is
// written from.
type Declaration struct {
	Agency    Agency
	Case      recouvra.Case
	Creditor  recouvra.Creditor
	Debtor    recouvra.Debtor
	Statement recouvra.Statement // at the opening of the proceedings
	Claims    []recouvra.Claim   // invoices and credit notes as recorded
	Deadline  recouvra.Date
	Exhibits  []Exhibit
	Signer    string // the lawyer assigned to the case, else the user producing the declaration
	At        time.Time
}

// InsolvencyDeclaration is the declaration of claim to the mandataire
// judiciaire (C. com. L622-24, R622-23): the amount due at the opening, how
// interest still running is computed, the exhibits, the deadline.
func InsolvencyDeclaration(dc Declaration) (File, error) {
	ins := dc.Debtor.Insolvency
	st, cur := dc.Statement, dc.Statement.Currency
	d := newDoc(dc.Agency, "Déclaration de créance", dc.At)
	d.Address("Maître le mandataire judiciaire", "Procédure de "+string(ins.Proceedings)+" de "+dc.Debtor.Name, ins.Court)
	d.Right(fmt.Sprintf("%s, le %s", dc.Agency.City, recouvra.FrenchDate(recouvra.DateOf(dc.At))))
	d.Title("Déclaration de créance")
	d.Field("Débiteur", fmt.Sprintf("%s, %s%s", dc.Debtor.Name, oneLine(dc.Debtor.Address), sirenSuffix(dc.Debtor.SIREN)))
	d.Field("Procédure", fmt.Sprintf("%s, publiée au BODACC le %s%s", ins.Proceedings, recouvra.FrenchDate(ins.PublishedOn), courtSuffix(ins.Court)))
	d.Field("Créancier", fmt.Sprintf("%s, %s%s", dc.Creditor.LegalName, oneLine(dc.Creditor.Address), sirenSuffix(dc.Creditor.SIREN)))
	d.Field("Déclarant", fmt.Sprintf("%s, mandataire du créancier (dossier %s)", dc.Agency.Name, dc.Case.Reference))
	d.Field("Délai de déclaration", fmt.Sprintf("jusqu'au %s (article R622-24 du code de commerce)", recouvra.FrenchDate(dc.Deadline)))
	d.Heading(fmt.Sprintf("Créance déclarée, arrêtée au %s", recouvra.FrenchDate(st.AsOf)))
	t := st.Totals
	d.Table([]pdf.Column{{Title: "", Width: 110, Align: "L"}, {Title: "Montant", Width: 60, Align: "R"}}, [][]string{
		{"Principal échu", money(t.PrincipalOutstandingCents, cur)},
		{"Intérêts échus au jour du jugement d'ouverture", money(t.InterestOutstandingCents, cur)},
		{"Indemnités forfaitaires (C. com. D441-5)", money(t.IndemnitiesOutstandingCents, cur)},
		{"Total déclaré, à titre chirographaire", money(t.TotalDueCents, cur)},
	}, map[int]bool{3: true})
	d.Heading("Intérêts dont le cours n'est pas arrêté")
	d.Para("Le jugement d'ouverture arrête le cours des intérêts légaux et conventionnels, sauf pour les prêts conclus pour une durée égale ou supérieure à un an et les contrats assortis d'un paiement différé d'un an ou plus (article L622-28 du code de commerce). " +
		"Si l'une de ces exceptions s'applique, les intérêts continuent de courir selon les modalités du décompte joint : intérêts simples, jours exacts / 365, au taux qui y est indiqué.")
	d.Heading("Pièces jointes")
	var rows [][]string
	for _, e := range dc.Exhibits {
		rows = append(rows, []string{fmt.Sprintf("Pièce n° %d", e.Number), e.Description, recouvra.FrenchDate(e.Date)})
	}
	d.Table([]pdf.Column{{Title: "N°", Width: 25, Align: "L"}, {Title: "Désignation", Width: 115, Align: "L"}, {Title: "Date", Width: 30, Align: "C"}}, rows, nil)
	d.Para("Le déclarant certifie sincère et véritable la créance déclarée.")
	d.Signature(signerOr(dc.Signer), "pour "+dc.Agency.Name)
	d.NewPage()
	appendStatement(d, dc.Case, dc.Creditor, dc.Debtor, st, dc.Claims)
	return d.File()
}

func sirenSuffix(s string) string {
	if s == "" {
		return ""
	}
	return ", SIREN " + s
}

func courtSuffix(c string) string {
	if c == "" {
		return ""
	}
	return ", " + c
}

// Certificate is what an irrecoverability certificate is written from.
type Certificate struct {
	Agency    Agency
	Case      recouvra.Case
	Creditor  recouvra.Creditor
	Debtor    recouvra.Debtor
	Statement recouvra.Statement
	Claims    []recouvra.Claim
	Signer    string // the lawyer assigned to the case, else the user producing the certificate
	At        time.Time
}

var causes = map[recouvra.IrrecoverableCause]string{
	recouvra.CauseLiquidationClosed: "jugement de clôture de la liquidation judiciaire pour insuffisance d'actif",
	recouvra.CausePVDeCarence:       "procès-verbal de carence dressé par le commissaire de justice",
	recouvra.CauseDebtorVanished:    "débiteur disparu sans laisser d'adresse",
	recouvra.CauseOther:             "autre cause documentée",
}

// VATDeadline is the last day to recover the VAT on an irrecoverable
// claim: 31 December of the second year after the event (CGI art. 272).
func VATDeadline(event recouvra.Date) recouvra.Date {
	return recouvra.NewDate(event.Year()+2, time.December, 31)
}

// IrrecoverabilityCertificate tells the creditor its claim is definitively
// irrecoverable and gives what its corrective invoice needs to recover the
// VAT (CGI art. 272): for each invoice, the amounts still unpaid net, VAT
// and TTC, the cause and its proof.
func IrrecoverabilityCertificate(ct Certificate) (File, error) {
	proof := ct.Case.Irrecoverable
	d := newDoc(ct.Agency, "Attestation d'irrécouvrabilité", ct.At)
	d.Address(append([]string{ct.Creditor.LegalName}, addressLines(ct.Creditor.Address)...)...)
	d.Right(fmt.Sprintf("%s, le %s", ct.Agency.City, recouvra.FrenchDate(recouvra.DateOf(ct.At))))
	d.Title("Attestation d'irrécouvrabilité")
	d.Field("Dossier", ct.Case.Reference)
	d.Field("Débiteur", fmt.Sprintf("%s, %s%s", ct.Debtor.Name, oneLine(ct.Debtor.Address), sirenSuffix(ct.Debtor.SIREN)))
	d.Field("Cause", causes[proof.Cause])
	d.Field("Preuve", fmt.Sprintf("%s (acte du %s)", proof.Proof, recouvra.FrenchDate(proof.On)))
	d.Para(fmt.Sprintf("%s atteste que les sommes ci-dessous, dues par %s, sont définitivement irrécouvrables.", ct.Agency.Name, ct.Debtor.Name))
	cur := ct.Statement.Currency
	byID := map[string]recouvra.ClaimStatement{}
	for _, c := range ct.Statement.Claims {
		byID[c.ClaimID.String()] = c
	}
	var rows [][]string
	var totTTC, totVAT int64
	for _, cl := range ct.Claims {
		c, ok := byID[cl.ID.String()]
		if !ok || c.PrincipalOutstandingCents <= 0 {
			continue
		}
		// The VAT still unpaid is the invoice's VAT in proportion to what is
		// left of it (payments are taken all taxes included).
		vat := recouvra.Prorata(cl.VATCents, c.PrincipalOutstandingCents, cl.AmountCents)
		rows = append(rows, []string{cl.InvoiceNumber, recouvra.FrenchDate(cl.IssuedOn), money(c.PrincipalOutstandingCents-vat, cur), money(vat, cur), money(c.PrincipalOutstandingCents, cur)})
		totTTC += c.PrincipalOutstandingCents
		totVAT += vat
	}
	rows = append(rows, []string{"Total", "", money(totTTC-totVAT, cur), money(totVAT, cur), money(totTTC, cur)})
	d.Table([]pdf.Column{{Title: "Facture", Width: 40, Align: "L"}, {Title: "Date", Width: 25, Align: "C"}, {Title: "Hors taxes impayé", Width: 35, Align: "R"},
		{Title: "TVA impayée", Width: 35, Align: "R"}, {Title: "TTC impayé", Width: 35, Align: "R"}}, rows, map[int]bool{len(rows) - 1: true})
	d.Heading("Récupération de la TVA (article 272 du code général des impôts)")
	d.Para(fmt.Sprintf("Le créancier peut récupérer la TVA acquittée sur ces factures en émettant une facture rectificative qui reprend les mentions de la facture initiale, "+
		"indique le montant hors taxes et la TVA qui ne peuvent être recouvrés (%s de TVA au total) et porte la mention « Facture rectificative émise en application de l'article 272 du code général des impôts ». "+
		"Elle doit être émise au plus tard le %s (31 décembre de la deuxième année suivant l'événement qui rend la créance irrécouvrable).",
		money(totVAT, cur), recouvra.FrenchDate(VATDeadline(proof.On))))
	d.Small("Pénalités, intérêts et indemnités ne portent pas de TVA et n'entrent pas dans la facture rectificative.")
	d.Signature(signerOr(ct.Signer), "pour "+ct.Agency.Name)
	return d.File()
}

// RemittanceLine is one payment of a remittance statement.
type RemittanceLine struct {
	ReceivedOn    recouvra.Date
	CaseReference string
	DebtorName    string
	Receipt       string
	Direct        bool // paid to the creditor directly: nothing to remit, commission due
	AmountCents   int64
	FixedFeeCents int64 // the mandate's fixed fee, on a case's first payment
}

// Remittance is what a remittance statement is written from.
type Remittance struct {
	Agency   Agency
	Creditor recouvra.Creditor
	From, To recouvra.Date
	Lines    []RemittanceLine
	Currency string
	At       time.Time
}

// RemittanceTotals are a remittance statement's figures.
type RemittanceTotals struct {
	CollectedCents, DirectCents, CommissionCents, FeesCents, NetCents int64
}

// Totals computes what is collected, what the mandate takes and what is
// to remit: commission on everything recovered (direct payments included),
// fixed fees per case, deducted from what the agency collected.
func (r Remittance) Totals() RemittanceTotals {
	var t RemittanceTotals
	for _, l := range r.Lines {
		if l.Direct {
			t.DirectCents += l.AmountCents
		} else {
			t.CollectedCents += l.AmountCents
		}
		t.FeesCents += l.FixedFeeCents
	}
	t.CommissionCents = recouvra.Prorata(t.CollectedCents+t.DirectCents, int64(r.Creditor.Mandate.CommissionBps), 10000)
	t.NetCents = t.CollectedCents - t.CommissionCents - t.FeesCents
	return t
}

// RemittanceStatement is a creditor's account for a period: payments
// collected, commission and fees per the mandate, net to remit (CPCE
// R124-6: funds are passed on within one month of collection).
func RemittanceStatement(r Remittance) (File, error) {
	d := newDoc(r.Agency, "Relevé de reversement", r.At)
	d.Address(append([]string{r.Creditor.LegalName}, addressLines(r.Creditor.Address)...)...)
	d.Right(fmt.Sprintf("%s, le %s", r.Agency.City, recouvra.FrenchDate(recouvra.DateOf(r.At))))
	d.Title(fmt.Sprintf("Relevé de reversement du %s au %s", recouvra.FrenchDate(r.From), recouvra.FrenchDate(r.To)))
	m := r.Creditor.Mandate
	d.Field("Mandat", fmt.Sprintf("signé le %s — commission %s des sommes recouvrées, frais fixes %s par dossier",
		recouvra.FrenchDate(m.SignedOn), recouvra.FrenchPercent(int64(m.CommissionBps)), money(m.FixedFeeCents, r.Currency)))
	var rows [][]string
	for _, l := range r.Lines {
		how := "agence"
		due := recouvra.FrenchDate(l.ReceivedOn.AddMonths(1))
		if l.Direct {
			how, due = "au créancier", "—"
		}
		rows = append(rows, []string{recouvra.FrenchDate(l.ReceivedOn), l.CaseReference, l.DebtorName, l.Receipt, how, money(l.AmountCents, r.Currency), due})
	}
	if len(rows) == 0 {
		d.Para("Aucun paiement reçu sur la période.")
	} else {
		d.Table([]pdf.Column{{Title: "Reçu le", Width: 19, Align: "C"}, {Title: "Dossier", Width: 27, Align: "L"}, {Title: "Débiteur", Width: 34, Align: "L"},
			{Title: "Reçu n°", Width: 24, Align: "L"}, {Title: "Encaissé par", Width: 21, Align: "L"}, {Title: "Montant", Width: 24, Align: "R"}, {Title: "À reverser le", Width: 21, Align: "C"}}, rows, nil)
	}
	t := r.Totals()
	d.Table([]pdf.Column{{Title: "", Width: 120, Align: "L"}, {Title: "Montant", Width: 50, Align: "R"}}, [][]string{
		{"Encaissé par l'agence", money(t.CollectedCents, r.Currency)},
		{"Payé directement au créancier", money(t.DirectCents, r.Currency)},
		{"Commission (" + recouvra.FrenchPercent(int64(m.CommissionBps)) + " des sommes recouvrées)", money(t.CommissionCents, r.Currency)},
		{"Frais fixes du mandat", money(t.FeesCents, r.Currency)},
		{"Net à reverser", money(t.NetCents, r.Currency)},
	}, map[int]bool{4: true})
	if t.NetCents < 0 {
		d.Small("Le montant net est négatif : la commission et les frais dus sur les paiements reçus directement par le créancier lui seront facturés.")
	}
	d.Small("Les fonds sont reversés dans le mois de leur encaissement, sauf stipulation contraire du mandat (article R124-6 du code des procédures civiles d'exécution).")
	return d.File()
}

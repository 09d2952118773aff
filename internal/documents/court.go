package documents

import (
	"fmt"
	"strings"
	"time"

	"github.com/recouvra/recouvra/internal/pdf"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// Exhibit is one numbered piece of a court filing (bordereau de pièces),
// named in words: what it is and, when the case records it, its date.
type Exhibit struct {
	Number      int
	Description string
	Date        recouvra.Date // zero when the piece's own date is not recorded
}

// date is the exhibit's date in the list, blank when not recorded.
func (e Exhibit) date() string {
	if e.Date.IsZero() {
		return ""
	}
	return recouvra.FrenchDate(e.Date)
}

// Filing is what the injunction-to-pay request is written from.
type Filing struct {
	Agency     Agency
	Case       recouvra.Case
	Creditor   recouvra.Creditor
	Debtor     recouvra.Debtor
	Statement  recouvra.Statement
	Claims     []recouvra.Claim // invoices and credit notes as recorded
	Court      string           // the court named, of the competent kind
	Competence recouvra.Competence
	Form       recouvra.CourtForm
	// Signer signs the request: the lawyer assigned to the case. With a
	// Bar, an avocat, who represents the creditor without a special power;
	// otherwise the agency represents it, by the special power that is
	// exhibit PowerExhibit (CPC 416, 853).
	Signer       recouvra.User
	PowerExhibit int
	Exhibits     []Exhibit
	At           time.Time
}

// SuggestedCourt is the court of the competent kind named after the
// debtor's town, as a starting point the lawyer confirms: a town without
// a court of its own depends on a neighbouring one.
func SuggestedCourt(c recouvra.Competence) string {
	city := strings.TrimSpace(c.Place.City)
	if city == "" {
		return ""
	}
	switch c.Kind {
	case recouvra.CourtCommercial:
		return "Tribunal de commerce " + de(city)
	case recouvra.CourtProtection:
		return "Tribunal judiciaire " + de(city) + ", juge des contentieux de la protection"
	}
	return "Tribunal judiciaire " + de(city)
}

// addressee is whom the request is addressed to (CPC 1406, 1407).
func addressee(f Filing) string {
	if f.Competence.Kind == recouvra.CourtProtection {
		return "Madame ou Monsieur le juge des contentieux de la protection"
	}
	return "Madame ou Monsieur le président"
}

// groupedSIREN writes a SIREN as registries print it: 732 829 320.
func groupedSIREN(s string) string {
	s = strings.ReplaceAll(s, " ", "")
	if len(s) != 9 {
		return s
	}
	return s[:3] + " " + s[3:6] + " " + s[6:]
}

// creditorIdentity is the creditor as CPC 57 and 1407 want it named: a
// company by its name, legal form, register and number, registered office
// and legal representative; a person by names, profession, nationality,
// date and place of birth and address.
func creditorIdentity(c recouvra.Creditor) string {
	id := c.Identity
	if c.Mandate.LegalStatus == recouvra.StatusIndividual {
		return fmt.Sprintf("%s, %s, de nationalité %s, né(e) le %s à %s, demeurant %s", c.LegalName, id.Profession, id.Nationality,
			recouvra.FrenchDate(id.BornOn), id.BornIn, oneLine(c.Address))
	}
	return fmt.Sprintf("%s, %s immatriculée au %s sous le numéro %s, dont le siège social est %s, représentée par %s, %s, domicilié(e) en cette qualité audit siège",
		c.LegalName, id.LegalForm, id.Registry, groupedSIREN(c.SIREN), oneLine(c.Address), id.RepresentativeName, id.RepresentativeTitle)
}

// debtorIdentity is the debtor as CPC 1407 wants it named: a company by
// its name and registered office, a person by names and address.
func debtorIdentity(d recouvra.Debtor) string {
	if d.Kind == recouvra.DebtorCompany {
		s := fmt.Sprintf("%s, dont le siège social est %s", d.Name, oneLine(d.Address))
		if d.SIREN != "" {
			s += ", immatriculée sous le numéro SIREN " + groupedSIREN(d.SIREN)
		}
		return s
	}
	s := fmt.Sprintf("%s, demeurant %s", d.Name, oneLine(d.Address))
	if d.SIREN != "" {
		s += ", exerçant son activité professionnelle sous le numéro SIREN " + groupedSIREN(d.SIREN)
	}
	return s
}

// representation says who files the request for the creditor: an avocat,
// or the agency by its special power.
func representation(f Filing) string {
	if strings.TrimSpace(f.Signer.Bar) != "" {
		return fmt.Sprintf("Maître %s, avocat au %s", f.Signer.Name, lowerFirst(f.Signer.Bar))
	}
	s := f.Agency.Name
	if len(f.Agency.Address) > 0 {
		s += ", " + strings.Join(f.Agency.Address, ", ")
	}
	if f.Agency.SIREN != "" {
		s += ", SIREN " + groupedSIREN(f.Agency.SIREN)
	}
	return fmt.Sprintf("%s, société de recouvrement de créances, agissant par %s, en vertu d'un pouvoir spécial (pièce n° %d ; articles 416 et 853 du code de procédure civile)",
		s, f.Signer.Name, f.PowerExhibit)
}

// lowerFirst writes "Barreau de Lyon" as "barreau de Lyon" inside a sentence.
func lowerFirst(s string) string {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "Barreau") {
		return "b" + s[1:]
	}
	return s
}

// InjunctionPacket is the lawyer's file for the court: the request
// addressed to the competent court with each party's identity (CPC 1406,
// 1407), the representative, the exact amount with its elements and
// basis, payments deducted one by one; the numbered list of exhibits; the
// statement of claim.
func InjunctionPacket(f Filing) (File, error) {
	st, cur := f.Statement, f.Statement.Currency
	d := newDoc(f.Agency, "Requête en injonction de payer", f.At)
	d.Small(fmt.Sprintf("Requête établie selon le formulaire %s (%s) — articles 1405 à 1425 du code de procédure civile.", f.Form.Cite(), lowerFirst(f.Form.Title)))
	d.Address(addressee(f), f.Court)
	d.Title("Requête en injonction de payer")
	d.Field("Dossier", f.Case.Reference)
	d.Field("Compétence", f.Competence.Basis+" : "+strings.TrimSpace(f.Competence.Place.PostalCode+" "+f.Competence.Place.City)+".")
	d.Heading("Le créancier requérant")
	d.Para(creditorIdentity(f.Creditor) + ".")
	d.Heading("Représenté par")
	d.Para(representation(f) + ".")
	d.Heading("Contre le débiteur")
	d.Para(debtorIdentity(f.Debtor) + ".")

	t := st.Totals
	d.Heading("Objet de la demande")
	d.Para(fmt.Sprintf("Le requérant a l'honneur de solliciter une ordonnance enjoignant au débiteur de lui payer la somme de %s, arrêtée au %s, ainsi calculée :",
		money(t.TotalDueCents, cur), recouvra.FrenchDate(st.AsOf)))
	var rows [][]string
	bold := map[int]bool{}
	for _, cl := range f.Claims {
		if cl.CreditNote() {
			continue
		}
		rows = append(rows, []string{fmt.Sprintf("Facture n° %s du %s, échue le %s", cl.InvoiceNumber, recouvra.FrenchDate(cl.IssuedOn), recouvra.FrenchDate(cl.DueOn)), money(cl.AmountCents, cur)})
	}
	for _, cl := range f.Claims {
		if !cl.CreditNote() {
			continue
		}
		what := fmt.Sprintf("Avoir n° %s du %s", cl.InvoiceNumber, recouvra.FrenchDate(cl.IssuedOn))
		if cl.CorrectsNumber != "" {
			what += " sur la facture n° " + cl.CorrectsNumber
		}
		rows = append(rows, []string{what, money(cl.AmountCents, cur)})
	}
	rows = append(rows,
		[]string{fmt.Sprintf("Intérêts échus au %s", recouvra.FrenchDate(st.AsOf)), money(t.InterestCents, cur)},
		[]string{"Indemnités forfaitaires pour frais de recouvrement", money(t.IndemnitiesCents, cur)})
	if len(st.Payments) > 0 {
		rows = append(rows, []string{"Sous déduction des acomptes versés :", ""})
		for _, p := range st.Payments {
			rows = append(rows, []string{fmt.Sprintf("acompte du %s (%s)", recouvra.FrenchDate(p.Payment.ReceivedOn), method(p.Payment.Method)),
				money(-p.Payment.AmountCents, cur)})
		}
	}
	bold[len(rows)] = true
	rows = append(rows, []string{"Total demandé", money(t.TotalDueCents, cur)})
	d.Table([]pdf.Column{{Title: "Élément", Width: 125, Align: "L"}, {Title: "Montant", Width: 45, Align: "R"}}, rows, bold)
	if len(st.Payments) == 0 {
		d.Para("Aucun acompte n'a été versé.")
	} else {
		d.Para(fmt.Sprintf("Acomptes déduits : %s au total. Reste dû : %s.", money(t.PaidCents, cur), split(t, cur)))
	}
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
	d.Field("Fondement du principal", "contrat de vente ou de prestation de services, factures impayées à leur échéance (pièces produites)")
	if len(bases) > 0 {
		d.Field("Fondement des intérêts", strings.Join(bases, " ; "))
	}
	if t.IndemnitiesCents > 0 {
		d.Field("Fondement des indemnités", "articles L441-10 II et D441-5 du code de commerce (40 euros par facture payée en retard)")
	}
	d.Para("Le requérant sollicite en outre les intérêts postérieurs jusqu'à complet paiement au taux indiqué au décompte joint, et les dépens.")
	d.Heading("Pièces produites")
	d.Para(fmt.Sprintf("%d pièces, énumérées au bordereau ci-après.", len(f.Exhibits)))
	d.Signature(fmt.Sprintf("Fait à %s, le %s", f.Agency.City, recouvra.FrenchDate(recouvra.DateOf(f.At))), f.Signer.Name, signedFor(f))

	d.NewPage()
	d.Title("Bordereau de pièces communiquées")
	d.Field("Affaire", fmt.Sprintf("%s c/ %s", f.Creditor.LegalName, f.Debtor.Name))
	d.Field("Juridiction", f.Court)
	var list [][]string
	for _, e := range f.Exhibits {
		list = append(list, []string{fmt.Sprintf("Pièce n° %d", e.Number), e.Description, e.date()})
	}
	d.Table([]pdf.Column{{Title: "N°", Width: 24, Align: "L"}, {Title: "Désignation", Width: 118, Align: "L"}, {Title: "Date", Width: 28, Align: "C"}}, list, nil)

	d.NewPage()
	appendStatement(d, f.Case, f.Creditor, f.Debtor, st, f.Claims)
	return d.File()
}

// signedFor is the signatory's capacity under the signature.
func signedFor(f Filing) string {
	if strings.TrimSpace(f.Signer.Bar) != "" {
		return "Avocat au " + lowerFirst(f.Signer.Bar)
	}
	return "pour " + f.Agency.Name + ", mandataire du requérant"
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
	// Run, when the statement is a remittance run's: the figures the run
	// paid (commission net / VAT / gross) and the transfer's reference.
	Run         *recouvra.RemittanceFigures
	TransferRef string
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
	if f := r.Run; f != nil {
		d.Table([]pdf.Column{{Title: "", Width: 120, Align: "L"}, {Title: "Montant", Width: 50, Align: "R"}}, [][]string{
			{"Fonds détenus pour vous sur le compte clients", money(f.HeldCents, r.Currency)},
			{"Commission (" + recouvra.FrenchPercent(int64(m.CommissionBps)) + " des fonds détenus)", money(f.CommissionCents, r.Currency)},
			{"Commission sur les paiements reçus directement", money(f.DirectCommCents, r.Currency)},
			{"Frais fixes du mandat", money(f.FeesCents, r.Currency)},
			{"Commission et frais hors taxes", money(f.CommissionNetCents, r.Currency)},
			{"TVA (" + recouvra.FrenchPercent(f.VATRateBps) + ")", money(f.VATCents, r.Currency)},
			{"Commission et frais TTC", money(f.CommissionGrossCents, r.Currency)},
			{"Net viré", money(f.NetCents, r.Currency)},
		}, map[int]bool{7: true})
		d.Small("Virement SEPA, référence " + r.TransferRef + ".")
		d.Small("Les fonds sont reversés dans le mois de leur encaissement, sauf stipulation contraire du mandat (article R124-6 du code des procédures civiles d'exécution).")
		return d.File()
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

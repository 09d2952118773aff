package app

import (
	"context"
	"fmt"
	"strings"

	"github.com/recouvra/recouvra/internal/documents"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// filingFacts are what an injunction request is made from: the case and
// its parties, its statement input today, its documents, and who signs.
type filingFacts struct {
	c        recouvra.Case
	f        recouvra.Facts
	creditor recouvra.Creditor
	in       recouvra.StatementInput
	docs     []recouvra.Document
	signer   recouvra.User // the lawyer assigned to the case; zero when none
}

// filing is a request ready to write, and what still stands in its way.
type filing struct {
	competence   recouvra.Competence
	statement    recouvra.Statement
	exhibits     []documents.Exhibit
	powerExhibit int // the special power's number; 0 when an avocat signs
	blockers     []recouvra.FieldError
}

// prepareFiling is the one list of what stands between a case and a filed
// injunction request. The docket calls a case ready when it is empty, the
// move to injunction is refused while it is not, and the request's
// generation too: one function, so none of them can call ready what
// another refuses. In order: the move's own guards (Case.Blockers, as if
// the case still waited at formal notice: a case already moved is held to
// them again — a mandate withdrawn, a dispute, a time bar), the creditor's
// identity (CPC 57, 1407), the debtor's address (CPC 1406), the exhibits,
// a statement still provisional, the agency's own configuration.
func prepareFiling(ff filingFacts, agency documents.Agency) filing {
	var out filing
	switch ff.c.Stage {
	case recouvra.StageFormalNotice, recouvra.StageInjunction:
		before := ff.c
		before.Stage = recouvra.StageFormalNotice
		out.blockers = append(out.blockers, before.Blockers(recouvra.Move{To: recouvra.StageInjunction}, ff.f)...)
	default:
		out.blockers = append(out.blockers, recouvra.FieldError{Field: "kind", Code: "wrong_stage",
			Message: "La requête se prépare à l'étape « injonction de payer », après la mise en demeure."})
	}
	out.blockers = append(out.blockers, ff.creditor.FilingIdentityMissing()...)
	out.competence = recouvra.CompetentCourt(ff.creditor, ff.f.Debtor, ff.in.Claims)
	if !ff.f.Debtor.Address.Complete() {
		out.blockers = append(out.blockers, recouvra.FieldError{Field: "debtor.address", Code: "incomplete",
			Message: "L'adresse du débiteur est incomplète : c'est le lieu où il demeure qui désigne le tribunal compétent (article 1406 du code de procédure civile)."})
	}
	var missing []recouvra.FieldError
	out.exhibits, out.powerExhibit, missing = courtExhibits(ff)
	out.blockers = append(out.blockers, missing...)
	out.statement = recouvra.ComputeStatement(ff.in)
	out.blockers = append(out.blockers, provisionalBlockers(out.statement)...)
	out.blockers = append(out.blockers, agencyMissing(agency)...)
	return out
}

// courtName is the court the request is addressed to: the one the lawyer
// names, else the one recorded on the case; it must be of the competent
// kind. The web app offers documents.SuggestedCourt to confirm.
func courtName(named, recorded string, k recouvra.Competence) (string, []recouvra.FieldError) {
	court := strings.TrimSpace(named)
	if court == "" {
		court = strings.TrimSpace(recorded)
	}
	if f := recouvra.PrintableField("options.court", named, recouvra.OneLine); len(f) > 0 {
		return "", f
	}
	where := strings.TrimSpace(k.Place.City)
	if suggestion := documents.SuggestedCourt(k); suggestion != "" {
		where += " : « " + suggestion + " » si la ville en a un"
	}
	switch {
	case court == "":
		return "", []recouvra.FieldError{{Field: "options.court", Code: "required",
			Message: fmt.Sprintf("Indiquez la juridiction : le %s du lieu où demeure le débiteur (%s ; article 1406 du code de procédure civile).", k.Kind.Label(), where)}}
	case !k.Kind.Names(court):
		return "", []recouvra.FieldError{{Field: "options.court", Code: "incompetent",
			Message: fmt.Sprintf("« %s » n'est pas la juridiction compétente : %s. Indiquez le %s (%s).", court, k.Basis, k.Kind.Label(), where)}}
	}
	return court, nil
}

// courtExhibits numbers the pieces of an injunction request from what the
// case holds, in the order a bordereau lists them — the special power when
// the signatory is not an avocat, the mandate, the contract or order, each
// invoice and credit note, the delivery notes, the formal notice and its
// acknowledgement of receipt — named in words with the dates the case
// records. Each piece the request cannot go without is named when missing.
func courtExhibits(ff filingFacts) (out []documents.Exhibit, power int, missing []recouvra.FieldError) {
	live := liveDocs(ff.docs)
	add := func(desc string, on recouvra.Date) int {
		out = append(out, documents.Exhibit{Number: len(out) + 1, Description: desc, Date: on})
		return len(out)
	}
	if strings.TrimSpace(ff.signer.Bar) == "" {
		if d := firstOf(live, "power_of_attorney"); d != nil {
			power = add("Pouvoir spécial donné par le créancier pour présenter la requête (articles 416 et 853 du code de procédure civile)", recouvra.Date{})
		} else {
			missing = append(missing, recouvra.FieldError{Field: "exhibits.power_of_attorney", Code: "missing",
				Message: "Joignez le pouvoir spécial du créancier (pièce « pouvoir spécial ») : le signataire n'est pas avocat (articles 416 et 853 du code de procédure civile)."})
		}
	}
	if d := firstOf(live, "mandate"); d != nil {
		add(fmt.Sprintf("Mandat de recouvrement%s", signedOn(ff.creditor.Mandate.SignedOn)), ff.creditor.Mandate.SignedOn)
	}
	pieces, lacking := claimExhibits(ff.in.Claims, live)
	for _, p := range pieces {
		add(p.Description, p.Date)
	}
	missing = append(missing, lacking...)
	var notice *recouvra.Document
	for i, d := range live {
		if d.Kind == string(documents.KindFormalNotice) {
			notice = &live[i]
		}
	}
	if notice == nil {
		missing = append(missing, recouvra.FieldError{Field: "exhibits.formal_notice", Code: "missing", Message: "La mise en demeure n'est pas au dossier : produisez-la, ou joignez celle envoyée hors de Recouvra (pièce « mise en demeure »)."})
	} else {
		desc := "Mise en demeure par lettre recommandée avec demande d'avis de réception"
		if notice.Reference != "" {
			desc += ", référence " + notice.Reference
		}
		add(desc, ff.c.FormalNoticeSentOn)
	}
	receipt := firstOf(live, "formal_notice_receipt")
	switch {
	case receipt == nil:
		missing = append(missing, recouvra.FieldError{Field: "exhibits.formal_notice_receipt", Code: "missing", Message: "Joignez l'avis de réception de la mise en demeure (pièce « avis de réception »)."})
	case ff.c.FormalNoticeReceivedOn.IsZero():
		missing = append(missing, recouvra.FieldError{Field: "formal_notice_received_on", Code: "missing",
			Message: "Enregistrez la date de réception de la mise en demeure portée sur l'avis de réception : le bordereau la cite."})
	default:
		add(fmt.Sprintf("Avis de réception de la mise en demeure, signé le %s", recouvra.FrenchDate(ff.c.FormalNoticeReceivedOn)), ff.c.FormalNoticeReceivedOn)
	}
	return out, power, missing
}

func signedOn(d recouvra.Date) string {
	if d.IsZero() {
		return ""
	}
	return " signé le " + recouvra.FrenchDate(d)
}

// liveDocs are the documents not superseded by a corrected one.
func liveDocs(docs []recouvra.Document) []recouvra.Document {
	var out []recouvra.Document
	for _, d := range docs {
		if d.SupersededBy == nil {
			out = append(out, d)
		}
	}
	return out
}

// firstOf is the first live document of a kind, or nil.
func firstOf(docs []recouvra.Document, kind string) *recouvra.Document {
	for i := range docs {
		if docs[i].Kind == kind {
			return &docs[i]
		}
	}
	return nil
}

// claimExhibits are the pieces behind the amount claimed, for any filing
// (a court request, a declaration of claim): the contract or order if any,
// each invoice and each credit note — an attached file whose name carries
// its number — and the delivery notes. Each invoice or credit note without
// its piece is named.
func claimExhibits(claims []recouvra.Claim, live []recouvra.Document) (out []documents.Exhibit, missing []recouvra.FieldError) {
	add := func(desc string, on recouvra.Date) {
		out = append(out, documents.Exhibit{Number: len(out) + 1, Description: desc, Date: on})
	}
	for _, d := range live {
		if d.Kind == "contract" || d.Kind == "purchase_order" {
			add(upperFirst(recouvra.AttachmentKinds[d.Kind]), recouvra.Date{})
		}
	}
	norm := func(s string) string {
		return strings.ToLower(strings.NewReplacer(" ", "", "-", "", "_", "", "/", "").Replace(s))
	}
	held := func(cl recouvra.Claim, kinds ...string) bool {
		for _, d := range live {
			for _, k := range kinds {
				if d.Kind == k && strings.Contains(norm(d.FileName), norm(cl.InvoiceNumber)) {
					return true
				}
			}
		}
		return false
	}
	for _, cl := range claims {
		if cl.CreditNote() {
			continue
		}
		if held(cl, "invoice") {
			add(fmt.Sprintf("Facture n° %s du %s, échue le %s, %s", cl.InvoiceNumber, recouvra.FrenchDate(cl.IssuedOn), recouvra.FrenchDate(cl.DueOn),
				recouvra.FrenchMoney(cl.AmountCents, cl.Currency)), cl.IssuedOn)
		} else {
			missing = append(missing, recouvra.FieldError{Field: "exhibits.invoice", Code: "missing",
				Message: fmt.Sprintf("Facture %s : joignez-la (pièce « facture » dont le nom de fichier porte le numéro de la facture).", cl.InvoiceNumber)})
		}
	}
	for _, cl := range claims {
		if !cl.CreditNote() {
			continue
		}
		if held(cl, "credit_note", "invoice") {
			desc := fmt.Sprintf("Avoir n° %s du %s, %s", cl.InvoiceNumber, recouvra.FrenchDate(cl.IssuedOn), recouvra.FrenchMoney(cl.AmountCents, cl.Currency))
			if cl.CorrectsNumber != "" {
				desc += ", sur la facture n° " + cl.CorrectsNumber
			}
			add(desc, cl.IssuedOn)
		} else {
			missing = append(missing, recouvra.FieldError{Field: "exhibits.credit_note", Code: "missing",
				Message: fmt.Sprintf("Avoir %s : joignez-le (pièce « avoir » dont le nom de fichier porte le numéro de l'avoir).", cl.InvoiceNumber)})
		}
	}
	for _, d := range live {
		if d.Kind == "delivery_note" {
			add(upperFirst(recouvra.AttachmentKinds[d.Kind]), recouvra.Date{})
		}
	}
	return out, missing
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	return strings.ToUpper(string(r[0])) + string(r[1:])
}

// filingFactsOf gathers a case's filing facts inside a transaction or a
// scoped read: its documents, payments, rates and the lawyer assigned.
func (s *Service) filingFactsOf(ctx context.Context, r Repo, c recouvra.Case, f recouvra.Facts, creditor recouvra.Creditor, rates []recouvra.Rate) (filingFacts, error) {
	docs, err := r.DocumentsOfCase(ctx, recouvra.AllCreditors, c.ID)
	if err != nil {
		return filingFacts{}, err
	}
	payments, err := r.PaymentsOfCase(ctx, recouvra.AllCreditors, c.ID)
	if err != nil {
		return filingFacts{}, err
	}
	ff := filingFacts{c: c, f: f, creditor: creditor, docs: docs,
		in: statementInput(c, creditor, f.Debtor, f.Claims, payments, rates, f.Today)}
	if err := s.withFreezes(ctx, r, recouvra.AllCreditors, c, &ff.in); err != nil {
		return filingFacts{}, err
	}
	if c.AssignedLawyerID != nil {
		if u, err := r.UserByID(ctx, *c.AssignedLawyerID); err == nil {
			ff.signer = u
		}
	}
	return ff, nil
}

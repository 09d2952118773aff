package httpapi

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/documents"
	"github.com/recouvra/recouvra/internal/ident"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// The debtor's page (issue 15): server-rendered HTML at /d/<token>, read
// without JavaScript, forms posted back. Outside the JSON contract: the
// link is the debtor's only credential, checked by app.OpenDebtorLink.

// registerDebtorPage adds the /d routes.
func (a *API) registerDebtorPage(e *gin.Engine) {
	if a.deps.App == nil {
		return
	}
	e.GET("/d/:token", a.debtorPage)
	e.GET("/d/:token/documents/:doc", a.debtorDocument)
	e.POST("/d/:token/:form", a.debtorPost)
}

// debtorCSS is the page's own style sheet, inline and allowed by its hash.
const debtorCSS = `*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:#1b1b1b;background:#f6f6f6}
header,main,footer{max-width:44rem;margin:0 auto;padding:0 1rem}
header{padding-top:1rem}
.lang{float:right;margin-top:.2rem}
h1{font-size:1.45rem;margin:.6rem 0}
h2{font-size:1.2rem;margin:0 0 .6rem}
section{background:#fff;border:1px solid #d0d0d0;border-radius:.5rem;padding:1rem;margin:1rem 0}
.due{font-size:1.6rem;font-weight:700;margin:.2rem 0}
table{border-collapse:collapse;width:100%;font-size:.95rem}
caption{text-align:left;font-weight:700;padding:.3rem 0}
th,td{text-align:left;padding:.35rem .3rem;border-bottom:1px solid #e2e2e2;vertical-align:top}
td.n,th.n{text-align:right;white-space:nowrap}
.scroll{overflow-x:auto}
dl{margin:0}
dt{font-weight:700;margin-top:.5rem}
dd{margin:0;word-break:break-word;font-family:ui-monospace,Menlo,Consolas,monospace}
.qr{display:block;width:12rem;height:12rem;margin:.8rem 0;background:#fff}
label{display:block;font-weight:700;margin-top:.8rem}
fieldset{border:0;padding:0;margin:.8rem 0 0}
legend{font-weight:700;padding:0}
input[type=radio]{width:auto;margin-right:.4rem}
.hint{font-weight:400;color:#4a4a4a;font-size:.9rem}
input,textarea,button{font:inherit;width:100%;padding:.6rem;border:1px solid #6b6b6b;border-radius:.3rem;background:#fff;color:#1b1b1b}
input[type=file]{padding:.4rem}
textarea{min-height:6rem}
button{margin-top:1rem;background:#0b4f8a;color:#fff;border-color:#0b4f8a;font-weight:700;min-height:2.75rem}
a{color:#0b4f8a}
:focus-visible{outline:3px solid #e07b00;outline-offset:2px}
.ok{border-color:#1e6b34;background:#eef8f0}
.err{border-color:#a4161a;background:#fdf0f0}
.small{font-size:.9rem}
footer{padding-bottom:2rem;font-size:.9rem}`

var debtorCSP = func() string {
	h := sha256.Sum256([]byte(debtorCSS))
	return "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(h[:]) + "'; img-src 'self' data:; " +
		"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
}()

// debtorText is the page's words in French and English.
var debtorText = map[string][2]string{
	"title":                 {"Votre dossier", "Your case"},
	"other_lang":            {"English", "Français"},
	"other_lang_tag":        {"en", "fr"},
	"who":                   {"Qui vous écrit", "Who is writing to you"},
	"who_text":              {"%s, agence de recouvrement amiable, vous écrit pour le compte de %s (%s), votre créancier.", "%s, an amicable debt collection agency, writes to you on behalf of %s (%s), your creditor."},
	"contact":               {"Nous joindre", "Contact us"},
	"case_ref":              {"Référence du dossier", "Case reference"},
	"owed":                  {"Ce qui est dû", "What is owed"},
	"owed_at":               {"Somme due au %s", "Amount due on %s"},
	"nothing_due":           {"Plus rien n'est dû sur ce dossier.", "Nothing is due on this case any more."},
	"invoices":              {"Factures et avoirs", "Invoices and credit notes"},
	"invoice":               {"Pièce", "Document"},
	"due_on":                {"Échéance", "Due date"},
	"amount":                {"Montant", "Amount"},
	"principal":             {"Principal restant", "Principal left"},
	"interest":              {"Intérêts", "Interest"},
	"indemnity":             {"Indemnité et frais", "Indemnity and costs"},
	"credit_note":           {"avoir", "credit note"},
	"payments":              {"Paiements reçus", "Payments received"},
	"received_on":           {"Reçu le", "Received on"},
	"no_payment":            {"Aucun paiement reçu à ce jour.", "No payment received so far."},
	"totals":                {"Détail de la somme due", "Breakdown of the amount due"},
	"total":                 {"Total dû", "Total due"},
	"paid_total":            {"Déjà payé", "Already paid"},
	"costs_note":            {"Les frais de recouvrement restent à la charge du créancier (art. L111-8 du code des procédures civiles d'exécution).", "The costs of recovery are borne by the creditor (article L111-8 of the French code of civil enforcement procedures)."},
	"letters":               {"Courriers envoyés", "Letters sent"},
	"no_letter":             {"Aucun courrier pour l'instant.", "No letter so far."},
	"download":              {"Télécharger (PDF)", "Download (PDF)"},
	"pay":                   {"Payer par virement", "Pay by bank transfer"},
	"pay_text":              {"Le virement se fait sur le compte de l'agence réservé aux fonds des créanciers. Indiquez la référence : elle permet d'affecter votre paiement à ce dossier.", "Transfer to the agency's account reserved for creditors' funds. Quote the reference: it links your payment to this case."},
	"beneficiary":           {"Bénéficiaire", "Beneficiary"},
	"reference":             {"Référence (à indiquer)", "Reference (to quote)"},
	"qr_label":              {"Code QR de virement (norme EPC) : scannez-le avec l'application de votre banque pour préremplir le virement de %s.", "Transfer QR code (EPC standard): scan it with your banking app to prefill the transfer of %s."},
	"qr_alt":                {"Code QR de virement SEPA de %s vers %s, référence %s", "SEPA transfer QR code for %s to %s, reference %s"},
	"declare":               {"Vous avez déjà payé ?", "Already paid?"},
	"declare_text":          {"Dites-le nous avec un justificatif : l'agent vérifie le paiement et met le dossier à jour.", "Tell us, with a proof: the agent checks the payment and updates the case."},
	"paid_amount":           {"Montant payé (€)", "Amount paid (€)"},
	"paid_on":               {"Date du paiement", "Date of payment"},
	"note":                  {"Précisions (facultatif)", "Details (optional)"},
	"proof":                 {"Justificatif (PDF, PNG ou JPEG, %d Mo au plus)", "Proof (PDF, PNG or JPEG, %d MB at most)"},
	"send_payment":          {"Déclarer ce paiement", "Declare this payment"},
	"dispute":               {"Contester la dette", "Dispute the debt"},
	"dispute_text":          {"Expliquez ce que vous contestez ; les relances sont suspendues le temps de l'examen.", "Explain what you dispute; reminders are paused while it is examined."},
	"dispute_open":          {"Votre contestation est en cours d'examen : un agent vous répondra.", "Your dispute is being examined: an agent will answer you."},
	"reason":                {"Motif de la contestation", "Reason for the dispute"},
	"documents":             {"Documents (PDF, PNG ou JPEG, %d au plus, %d Mo chacun)", "Documents (PDF, PNG or JPEG, %d at most, %d MB each)"},
	"send_dispute":          {"Envoyer la contestation", "Send the dispute"},
	"callback":              {"Être rappelé", "Be called back"},
	"callback_text":         {"Laissez un numéro ou une adresse e-mail et le moment qui vous convient.", "Leave a number or an e-mail address and the time that suits you."},
	"phone":                 {"Téléphone", "Phone"},
	"email":                 {"Adresse e-mail", "E-mail address"},
	"best_time":             {"Moment préféré (facultatif)", "Preferred time (optional)"},
	"best_hint":             {"par exemple : mardi matin", "for example: Tuesday morning"},
	"send_callback":         {"Demander un rappel", "Ask to be called"},
	"done_payment":          {"Merci : votre déclaration de paiement a été transmise à l'agent chargé du dossier.", "Thank you: your payment declaration was passed to the agent in charge of the case."},
	"done_dispute":          {"Votre contestation a été enregistrée : les relances sont suspendues le temps de l'examen.", "Your dispute was recorded: reminders are paused while it is examined."},
	"done_callback":         {"C'est noté : un agent vous contactera.", "Noted: an agent will contact you."},
	"done_plan":             {"Votre proposition d'échéancier a été enregistrée.", "Your payment plan proposal was recorded."},
	"plan":                  {"Payer en plusieurs fois", "Pay in instalments"},
	"plan_text":             {"Proposez un échéancier : s'il respecte les règles fixées par le créancier, il est accepté aussitôt ; sinon il lui est transmis pour accord.", "Propose a payment plan: within the creditor's rules it is accepted at once; otherwise it is sent to the creditor for approval."},
	"frequency":             {"Périodicité", "Frequency"},
	"monthly":               {"Mensuelle", "Monthly"},
	"fortnightly":           {"Tous les quinze jours", "Every two weeks"},
	"count":                 {"Nombre d'échéances", "Number of instalments"},
	"first_on":              {"Date de la première échéance", "Date of the first instalment"},
	"down_payment":          {"Acompte (€, facultatif)", "Down payment (€, optional)"},
	"down_on":               {"Date de l'acompte", "Date of the down payment"},
	"send_plan":             {"Proposer cet échéancier", "Propose this plan"},
	"plan_current":          {"Votre échéancier", "Your payment plan"},
	"plan_kept":             {"Échéancier accepté et en cours.", "Plan accepted and running."},
	"plan_pending_approval": {"Échéancier transmis au créancier, en attente de son accord.", "Plan sent to the creditor, awaiting its approval."},
	"inst_status":           {"État", "Status"},
	"inst_paid":             {"Payé", "Paid"},
	"inst_due":              {"À venir", "Due"},
	"inst_late":             {"En retard", "Late"},
	"inst_missed":           {"Manquée", "Missed"},
	"error_title":           {"Votre demande n'a pas pu être enregistrée :", "Your request could not be recorded:"},
	"privacy":               {"Vos données personnelles", "Your personal data"},
	"privacy_1":             {"%s traite vos données en qualité de sous-traitant de %s, responsable du traitement, pour le seul recouvrement de cette créance. Base légale : l'intérêt légitime du créancier à être payé et l'exécution du contrat dont la créance est issue (RGPD, art. 6).", "%s processes your data as processor for %s, the controller, solely to recover this debt. Legal basis: the creditor's legitimate interest in being paid and the performance of the contract the debt comes from (GDPR, art. 6)."},
	"privacy_2":             {"Cette page ne montre que ce qui est nécessaire pour comprendre et régler la dette (RGPD, art. 5) ; elle n'utilise ni cookie, ni script, ni police ou service tiers. Vos données sont conservées le temps du recouvrement et des délais légaux.", "This page shows only what is needed to understand and settle the debt (GDPR, art. 5); it uses no cookie, script, third-party font or service. Your data is kept for the recovery and the legal time limits."},
	"privacy_3":             {"Vous pouvez accéder à vos données, les faire rectifier, vous opposer au traitement ou en demander la limitation en écrivant à %s ; vous pouvez aussi saisir la CNIL (www.cnil.fr).", "You may access your data, have it corrected, object to its processing or ask for its restriction by writing to %s; you may also complain to the CNIL (www.cnil.fr)."},
	"personal":              {"Ce lien est personnel : ne le transmettez pas.", "This link is personal: do not pass it on."},
	"notfound_title":        {"Lien invalide ou expiré", "Invalid or expired link"},
	"notfound_text":         {"Ce lien ne permet pas (ou plus) d'accéder à un dossier. Vérifiez l'adresse imprimée sur votre courrier, ou contactez l'expéditeur du courrier.", "This link does not (or no longer) open a case. Check the address printed on your letter, or contact the sender of the letter."},
	"busy_title":            {"Trop de tentatives", "Too many attempts"},
	"busy_text":             {"Trop de liens invalides ont été essayés depuis votre connexion. Réessayez dans une minute.", "Too many invalid links were tried from your connection. Try again in a minute."},
	"fail_title":            {"Service momentanément indisponible", "Service temporarily unavailable"},
	"fail_text":             {"Votre demande n'a pas pu être traitée. Réessayez dans quelques instants.", "Your request could not be processed. Try again in a moment."},
}

type debtorLang int

func langOf(c *gin.Context) debtorLang {
	if c.Query("lang") == "en" || c.PostForm("lang") == "en" {
		return 1
	}
	return 0
}

func (l debtorLang) tag() string { return [2]string{"fr", "en"}[l] }

func (l debtorLang) t(key string, args ...any) string {
	s, ok := debtorText[key]
	if !ok {
		return key
	}
	if len(args) > 0 {
		return fmt.Sprintf(s[l], args...)
	}
	return s[l]
}

func (l debtorLang) money(cents int64, currency string) string {
	if l == 0 {
		return recouvra.FrenchMoney(cents, currency)
	}
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	units := strconv.FormatInt(cents/100, 10)
	var b strings.Builder
	for i, r := range units {
		if i > 0 && (len(units)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return fmt.Sprintf("%s%s %s.%02d", sign, currency, b.String(), cents%100)
}

func (l debtorLang) date(d recouvra.Date) string {
	if l == 0 {
		return recouvra.FrenchDate(d)
	}
	if d.IsZero() {
		return "—"
	}
	return d.String()
}

// debtorRow is one line of a table, already written out.
type debtorRow struct{ Cells []string }

// debtorView is what the template is given.
type debtorView struct {
	Lang, OtherLang, OtherLangTag string
	T                             func(string, ...any) string
	Path                          string // /d/<token>
	Page                          *app.DebtorPageView
	Title                         string
	Who, Contact                  string
	DueLine, Due                  string
	Claims, Payments, Totals      []debtorRow
	Letters                       []debtorLetter
	IBAN, BIC, Beneficiary        string
	QR                            template.HTML
	QRLabel                       string
	Forms                         map[string]string // form → token
	Flash                         string
	ErrorForm                     string
	Errors                        []string
	Values                        map[string]string
	MaxMB, MaxFiles               int64
	Privacy                       []string
	PlanStatus                    string
	PlanRows                      []debtorRow
	// Neutral pages (404, 429, 500).
	Neutral, NeutralText string
}

type debtorLetter struct{ Name, Href, Date string }

func (a *API) debtorMaxMB() int64 {
	if a.deps.MaxUploadBytes <= 0 {
		return 10
	}
	return max(a.deps.MaxUploadBytes>>20, 1)
}

// debtorHeaders: nothing cached or indexed, the page's own policy.
func debtorHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("Content-Security-Policy", debtorCSP)
	h.Set("Cache-Control", "no-store")
	h.Set("X-Robots-Tag", "noindex, nofollow")
}

func (a *API) renderDebtor(c *gin.Context, status int, v debtorView) {
	debtorHeaders(c)
	var buf bytes.Buffer
	if err := debtorTemplate.Execute(&buf, v); err != nil {
		a.deps.Logger.ErrorContext(c.Request.Context(), "debtor page", "request_id", requestID(c), "error", err.Error())
		c.Data(http.StatusInternalServerError, "text/plain; charset=utf-8", []byte("Erreur interne / internal error"))
		return
	}
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

// debtorNeutral answers a link that opens nothing — wrong, revoked or
// expired alike — and refusals, with no hint of any case.
func (a *API) debtorNeutral(c *gin.Context, err error) {
	l := langOf(c)
	v := debtorView{Lang: l.tag(), T: l.t, Neutral: l.t("notfound_title"), NeutralText: l.t("notfound_text")}
	status := http.StatusNotFound
	switch recouvra.ErrorCode(err) {
	case recouvra.ECodeNotFound:
	case recouvra.ECodeTooManyRequests:
		status, v.Neutral, v.NeutralText = http.StatusTooManyRequests, l.t("busy_title"), l.t("busy_text")
		c.Header("Retry-After", "60")
	default:
		a.deps.Logger.ErrorContext(c.Request.Context(), "debtor page", "request_id", requestID(c), "error", err.Error())
		status, v.Neutral, v.NeutralText = http.StatusInternalServerError, l.t("fail_title"), l.t("fail_text")
	}
	v.Title = v.Neutral
	a.renderDebtor(c, status, v)
}

func (a *API) openDebtor(c *gin.Context) (app.DebtorAccess, bool) {
	acc, err := a.deps.App.OpenDebtorLink(c.Request.Context(), c.Param("token"), app.Meta{ClientIP: c.ClientIP(), UserAgent: c.Request.UserAgent()})
	if err != nil {
		a.debtorNeutral(c, err)
		return acc, false
	}
	return acc, true
}

// debtorPage serves GET /d/{token}.
func (a *API) debtorPage(c *gin.Context) {
	acc, ok := a.openDebtor(c)
	if !ok {
		return
	}
	l := langOf(c)
	flash := ""
	switch c.Query("fait") {
	case string(app.FormDeclarePayment):
		flash = l.t("done_payment")
	case string(app.FormDispute):
		flash = l.t("done_dispute")
	case string(app.FormCallback):
		flash = l.t("done_callback")
	case string(app.FormPlan):
		flash = l.t("done_plan")
	}
	a.showDebtor(c, acc, http.StatusOK, flash, "", nil, nil)
}

// showDebtor renders the page of acc; errForm and errs show a refused form
// with the values posted.
func (a *API) showDebtor(c *gin.Context, acc app.DebtorAccess, status int, flash, errForm string, errs []string, values map[string]string) {
	page, err := a.deps.App.DebtorPage(c.Request.Context(), acc)
	if err != nil {
		a.debtorNeutral(c, err)
		return
	}
	l := langOf(c)
	st := page.Statement
	cur := st.Currency
	v := debtorView{Lang: l.tag(), OtherLang: l.t("other_lang"), OtherLangTag: l.t("other_lang_tag"), T: l.t, Path: "/d/" + acc.Token, Page: &page,
		Flash: flash, ErrorForm: errForm, Errors: errs, Values: values, MaxMB: a.debtorMaxMB(), MaxFiles: app.MaxDebtorFiles}
	if v.Values == nil {
		v.Values = map[string]string{}
	}
	v.Title = l.t("title") + " " + page.Case.Reference
	ag := page.Agency
	v.Who = l.t("who_text", ag.Name, page.CreditorName, page.CreditorAddress)
	var how []string
	for _, x := range []string{strings.Join(ag.Address, ", "), ag.Phone, ag.Email} {
		if strings.TrimSpace(x) != "" {
			how = append(how, x)
		}
	}
	v.Contact = strings.Join(how, " · ")
	v.DueLine = l.t("owed_at", l.date(st.AsOf))
	v.Due = l.money(st.Totals.TotalDueCents, cur)
	byID := map[uuid.UUID]recouvra.ClaimStatement{}
	for _, cs := range st.Claims {
		byID[cs.ClaimID] = cs
	}
	for _, cl := range page.Claims {
		name := cl.InvoiceNumber
		if cl.CreditNote() {
			name += " (" + l.t("credit_note") + ")"
		}
		row := []string{name, l.date(cl.DueOn), l.money(cl.AmountCents, cur)}
		if cs, ok := byID[cl.ID]; ok {
			row = append(row, l.money(cs.PrincipalOutstandingCents, cur), l.money(cs.InterestOutstandingCents, cur), l.money(cs.IndemnityOutstandingCents, cur))
		} else {
			row = append(row, "—", "—", "—")
		}
		v.Claims = append(v.Claims, debtorRow{row})
	}
	for _, p := range st.Payments {
		if p.Payment.ReversedAt != nil {
			continue
		}
		v.Payments = append(v.Payments, debtorRow{[]string{l.date(p.Payment.ReceivedOn), l.money(p.Payment.AmountCents, cur)}})
	}
	tt := st.Totals
	v.Totals = []debtorRow{
		{[]string{l.t("principal"), l.money(tt.PrincipalOutstandingCents, cur)}},
		{[]string{l.t("interest"), l.money(tt.InterestOutstandingCents, cur)}},
		{[]string{l.t("indemnity"), l.money(tt.IndemnitiesOutstandingCents, cur)}},
		{[]string{l.t("paid_total"), l.money(tt.PaidCents, cur)}},
		{[]string{l.t("total"), l.money(tt.TotalDueCents, cur)}},
	}
	for _, d := range page.Letters {
		v.Letters = append(v.Letters, debtorLetter{Name: d.FileName, Href: v.Path + "/documents/" + d.ID.String(), Date: l.date(recouvra.DateOf(d.CreatedAt))})
	}
	if iban, err := ident.ParseIBAN(ag.IBAN); err == nil {
		v.IBAN = iban.Format()
	}
	v.BIC, v.Beneficiary = ag.BIC, ag.Name
	if page.EPC != "" {
		amount := l.money(st.Totals.TotalDueCents, cur)
		v.QR = qrSVG(documents.QRModules(page.EPC), l.t("qr_alt", amount, ag.Name, page.PaymentReference))
		v.QRLabel = l.t("qr_label", amount)
	}
	v.Forms = map[string]string{}
	for _, f := range []app.DebtorForm{app.FormDeclarePayment, app.FormDispute, app.FormCallback, app.FormPlan} {
		v.Forms[string(f)] = a.deps.App.NewDebtorFormToken(acc, f)
	}
	if pl := page.Plan; pl != nil {
		v.PlanStatus = l.t("plan_" + string(pl.Status))
		for _, in := range pl.Instalments {
			v.PlanRows = append(v.PlanRows, debtorRow{[]string{l.date(in.DueOn), l.money(in.AmountCents, cur), l.money(in.PaidCents, cur), l.t("inst_" + string(in.Status))}})
		}
	}
	contact := ag.Email
	if contact == "" {
		contact = strings.Join(ag.Address, ", ")
	}
	v.Privacy = []string{l.t("privacy_1", ag.Name, page.CreditorName), l.t("privacy_2"), l.t("privacy_3", contact)}
	a.renderDebtor(c, status, v)
}

// qrSVG draws QR modules as one SVG path, with a text alternative.
func qrSVG(modules [][]bool, alt string) template.HTML {
	n := len(modules)
	if n == 0 {
		return ""
	}
	var p strings.Builder
	for y, row := range modules {
		for x, dark := range row {
			if dark {
				fmt.Fprintf(&p, "M%d %dh1v1h-1z", x, y)
			}
		}
	}
	return template.HTML(fmt.Sprintf(`<svg class="qr" role="img" aria-label="%s" viewBox="0 0 %d %d" xmlns="http://www.w3.org/2000/svg" shape-rendering="crispEdges"><rect width="%d" height="%d" fill="#fff"/><path d="%s" fill="#000"/></svg>`,
		template.HTMLEscapeString(alt), n, n, n, n, p.String()))
}

// debtorDocument serves GET /d/{token}/documents/{doc}: one of the letters
// the page lists, nothing else.
func (a *API) debtorDocument(c *gin.Context) {
	acc, ok := a.openDebtor(c)
	if !ok {
		return
	}
	id, err := uuid.Parse(c.Param("doc"))
	if err != nil {
		a.debtorNeutral(c, errNotFoundDoc())
		return
	}
	d, rc, err := a.deps.App.DebtorDocument(c.Request.Context(), acc, id)
	if err != nil {
		a.debtorNeutral(c, err)
		return
	}
	defer rc.Close()
	debtorHeaders(c)
	c.Header("Content-Disposition", mimeAttachment(d.FileName))
	c.DataFromReader(http.StatusOK, d.SizeBytes, d.MediaType, rc, nil)
}

func errNotFoundDoc() error { return recouvra.Errorf(recouvra.ECodeNotFound, "Document introuvable.") }

func mimeAttachment(name string) string {
	return `attachment; filename="` + strings.NewReplacer(`"`, "", "\\", "").Replace(name) + `"; filename*=UTF-8''` + url.PathEscape(name)
}

// debtorPost serves POST /d/{token}/{payment|dispute|callback}.
func (a *API) debtorPost(c *gin.Context) {
	acc, ok := a.openDebtor(c)
	if !ok {
		return
	}
	form := app.DebtorForm(c.Param("form"))
	switch form {
	case app.FormDeclarePayment, app.FormDispute, app.FormCallback, app.FormPlan:
	default:
		a.debtorNeutral(c, errNotFoundDoc())
		return
	}
	limit := int64(app.MaxDebtorFiles)*max(a.deps.MaxUploadBytes, 1<<20) + 256<<10
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
	err := c.Request.ParseMultipartForm(1 << 20)
	if errors.Is(err, http.ErrNotMultipart) {
		err = c.Request.ParseForm()
	}
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			err = recouvra.Errorf(recouvra.ECodeTooLarge, "Les fichiers dépassent la taille maximale (%d Mo chacun).", a.debtorMaxMB())
		} else {
			err = recouvra.Errorf(recouvra.ECodeMalformed, "Formulaire illisible : rechargez la page puis recommencez.")
		}
		a.debtorRefused(c, acc, form, err, nil)
		return
	}
	if mf := c.Request.MultipartForm; mf != nil {
		defer func() { _ = mf.RemoveAll() }()
	}
	values := map[string]string{}
	for _, k := range []string{"amount", "paid_on", "note", "reason", "phone", "email", "best_time", "frequency", "count", "first_on", "down_payment", "down_payment_on"} {
		v := c.Request.PostFormValue(k)
		if code, msg := textProblem(v); code != "" {
			a.debtorRefused(c, acc, form, recouvra.Invalid("Texte invalide.", recouvra.FieldError{Field: k, Code: code, Message: msg}), values)
			return
		}
		if len(v) > 4000 {
			v = v[:4000]
		}
		values[k] = v
	}
	token := c.Request.PostFormValue("form_token")
	meta := app.Meta{ClientIP: c.ClientIP(), UserAgent: c.Request.UserAgent()}
	ctx := c.Request.Context()
	files, closeFiles, err := formFiles(c, form)
	defer closeFiles()
	if err == nil {
		switch form {
		case app.FormDeclarePayment:
			var cents int64
			cents, err = parseEuros(values["amount"])
			if err == nil {
				in := app.DebtorPayment{AmountCents: cents, PaidOn: strings.TrimSpace(values["paid_on"]), Note: values["note"]}
				if len(files) > 0 {
					in.Proof = &files[0]
				}
				_, err = a.deps.App.DeclarePayment(ctx, acc, token, in, meta)
			}
		case app.FormDispute:
			_, err = a.deps.App.OpenDebtorDispute(ctx, acc, token, app.DebtorDispute{Reason: values["reason"], Files: files}, meta)
		case app.FormCallback:
			_, err = a.deps.App.RequestCallback(ctx, acc, token, app.DebtorCallback{Phone: values["phone"], Email: values["email"], BestTime: values["best_time"]}, meta)
		case app.FormPlan:
			var in app.DebtorPlan
			if in, err = parsePlanForm(values); err == nil {
				_, err = a.deps.App.ProposeDebtorPlan(ctx, acc, token, in, meta)
			}
		}
	}
	if err != nil {
		a.debtorRefused(c, acc, form, err, values)
		return
	}
	q := url.Values{"fait": {string(form)}}
	if langOf(c) == 1 {
		q.Set("lang", "en")
	}
	c.Redirect(http.StatusSeeOther, "/d/"+acc.Token+"?"+q.Encode())
}

// formFiles opens the form's uploaded files (empty file inputs skipped).
func formFiles(c *gin.Context, form app.DebtorForm) ([]app.DebtorFile, func(), error) {
	var out []app.DebtorFile
	var opened []multipart.File
	closeAll := func() {
		for _, f := range opened {
			_ = f.Close()
		}
	}
	mf := c.Request.MultipartForm
	if mf == nil || form == app.FormCallback {
		return nil, closeAll, nil
	}
	field := "files"
	if form == app.FormDeclarePayment {
		field = "proof"
	}
	heads := mf.File[field]
	if len(heads) > app.MaxDebtorFiles {
		return nil, closeAll, recouvra.Invalid("Trop de documents.", recouvra.FieldError{Field: field, Code: "too_many", Message: fmt.Sprintf("%d documents au plus.", app.MaxDebtorFiles)})
	}
	for _, h := range heads {
		if h.Size == 0 && h.Filename == "" {
			continue
		}
		f, err := h.Open()
		if err != nil {
			return nil, closeAll, err
		}
		opened = append(opened, f)
		out = append(out, app.DebtorFile{Name: h.Filename, Content: io.Reader(f)})
		if form == app.FormDeclarePayment {
			break
		}
	}
	return out, closeAll, nil
}

// parsePlanForm reads the plan form's fields.
func parsePlanForm(v map[string]string) (app.DebtorPlan, error) {
	var f []recouvra.FieldError
	in := app.DebtorPlan{Frequency: recouvra.Frequency(v["frequency"])}
	if in.Frequency == "" {
		in.Frequency = recouvra.Monthly
	}
	n, err := strconv.Atoi(strings.TrimSpace(v["count"]))
	if err != nil {
		f = append(f, recouvra.FieldError{Field: "count", Code: "invalid", Message: "Indiquez le nombre d'échéances (1 à 120)."})
	}
	in.Count = n
	date := func(key, msg string, required bool) recouvra.Date {
		s := strings.TrimSpace(v[key])
		if s == "" && !required {
			return recouvra.Date{}
		}
		d, err := recouvra.ParseDate(s)
		if err != nil {
			f = append(f, recouvra.FieldError{Field: key, Code: "format", Message: msg})
		}
		return d
	}
	in.FirstOn = date("first_on", "Indiquez la date de la première échéance (AAAA-MM-JJ).", true)
	if s := strings.TrimSpace(v["down_payment"]); s != "" {
		cents, err := parseEuros(s)
		if err != nil {
			f = append(f, recouvra.FieldError{Field: "down_payment", Code: "invalid", Message: "Acompte invalide, par exemple 200,00."})
		}
		in.DownPaymentCents = cents
		in.DownPaymentOn = date("down_payment_on", "Indiquez la date de l'acompte (AAAA-MM-JJ).", true)
	}
	if len(f) > 0 {
		return in, recouvra.Invalid("Échéancier invalide.", f...)
	}
	return in, nil
}

// parseEuros reads "1 200,50", "1200.50" or "1200" as cents.
func parseEuros(s string) (int64, error) {
	bad := recouvra.Invalid("Montant invalide.", recouvra.FieldError{Field: "amount", Code: "invalid", Message: "Indiquez le montant payé, par exemple 1 200,00."})
	s = strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\u00a0', '\u202f', '€':
			return -1
		}
		return r
	}, s)
	s = strings.Replace(s, ",", ".", 1)
	units, frac, _ := strings.Cut(s, ".")
	if units == "" || len(units) > 10 || len(frac) > 2 {
		return 0, bad
	}
	for len(frac) < 2 {
		frac += "0"
	}
	u, err1 := strconv.ParseInt(units, 10, 64)
	f, err2 := strconv.ParseInt(frac, 10, 64)
	if err1 != nil || err2 != nil || u < 0 || f < 0 || u*100+f <= 0 {
		return 0, bad
	}
	return u*100 + f, nil
}

// debtorRefused shows the page again with the form's errors, under the
// status the error code has in the API (422, 413, 415, 409, 403…).
func (a *API) debtorRefused(c *gin.Context, acc app.DebtorAccess, form app.DebtorForm, err error, values map[string]string) {
	code := recouvra.ErrorCode(err)
	kind, known := problemKinds[code]
	if !known || kind.status >= 500 {
		a.debtorNeutral(c, err)
		return
	}
	var msgs []string
	var de *recouvra.Error
	if errors.As(err, &de) {
		if len(de.Fields) == 0 {
			msgs = append(msgs, de.Message)
		}
		for _, f := range de.Fields {
			msgs = append(msgs, f.Message)
		}
	}
	if len(msgs) == 0 {
		msgs = []string{kind.title}
	}
	a.showDebtor(c, acc, kind.status, "", string(form), msgs, values)
}

var debtorTemplate = template.Must(template.New("debtor").Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<meta name="referrer" content="no-referrer">
<title>{{.Title}}</title>
<style>` + debtorCSS + `</style>
</head>
<body>
{{if .Neutral}}
<main id="contenu">
<section><h1>{{.Neutral}}</h1><p>{{.NeutralText}}</p></section>
</main>
{{else}}
<header>
<a class="lang" href="{{.Path}}?lang={{.OtherLangTag}}" lang="{{.OtherLangTag}}" hreflang="{{.OtherLangTag}}">{{.OtherLang}}</a>
<p>{{.Page.Agency.Name}}</p>
<h1>{{.Title}}</h1>
</header>
<main id="contenu">
{{if .Flash}}<section class="ok" role="status"><p>{{.Flash}}</p></section>{{end}}
<section aria-labelledby="h-who">
<h2 id="h-who">{{call .T "who"}}</h2>
<p>{{.Who}}</p>
<p><strong>{{call .T "case_ref"}}</strong> : {{.Page.Case.Reference}}{{if .Page.Case.CreditorReference}} ({{.Page.Case.CreditorReference}}){{end}}</p>
{{if .Contact}}<p><strong>{{call .T "contact"}}</strong> : {{.Contact}}</p>{{end}}
</section>

<section aria-labelledby="h-owed">
<h2 id="h-owed">{{call .T "owed"}}</h2>
{{if gt .Page.Statement.Totals.TotalDueCents 0}}<p>{{.DueLine}}</p><p class="due" id="total-du">{{.Due}}</p>{{else}}<p>{{call .T "nothing_due"}}</p>{{end}}
<div class="scroll" tabindex="0" role="region" aria-label="{{call .T "totals"}}"><table>
<caption>{{call .T "totals"}}</caption>
<tbody>{{range .Totals}}<tr><th scope="row">{{index .Cells 0}}</th><td class="n">{{index .Cells 1}}</td></tr>{{end}}</tbody>
</table></div>
<div class="scroll" tabindex="0" role="region" aria-label="{{call .T "invoices"}}"><table>
<caption>{{call .T "invoices"}}</caption>
<thead><tr><th scope="col">{{call .T "invoice"}}</th><th scope="col">{{call .T "due_on"}}</th><th scope="col" class="n">{{call .T "amount"}}</th><th scope="col" class="n">{{call .T "principal"}}</th><th scope="col" class="n">{{call .T "interest"}}</th><th scope="col" class="n">{{call .T "indemnity"}}</th></tr></thead>
<tbody>{{range .Claims}}<tr>{{range $i, $c := .Cells}}{{if eq $i 0}}<th scope="row">{{$c}}</th>{{else if eq $i 1}}<td>{{$c}}</td>{{else}}<td class="n">{{$c}}</td>{{end}}{{end}}</tr>{{end}}</tbody>
</table></div>
{{if .Payments}}<div class="scroll" tabindex="0" role="region" aria-label="{{call .T "payments"}}"><table>
<caption>{{call .T "payments"}}</caption>
<thead><tr><th scope="col">{{call .T "received_on"}}</th><th scope="col" class="n">{{call .T "amount"}}</th></tr></thead>
<tbody>{{range .Payments}}<tr><td>{{index .Cells 0}}</td><td class="n">{{index .Cells 1}}</td></tr>{{end}}</tbody>
</table></div>{{else}}<p>{{call .T "no_payment"}}</p>{{end}}
<p class="small">{{call .T "costs_note"}}</p>
</section>

<section aria-labelledby="h-letters">
<h2 id="h-letters">{{call .T "letters"}}</h2>
{{if .Letters}}<ul>{{range .Letters}}<li><a href="{{.Href}}">{{.Name}}</a> — {{.Date}}</li>{{end}}</ul>{{else}}<p>{{call .T "no_letter"}}</p>{{end}}
</section>

{{if gt .Page.Statement.Totals.TotalDueCents 0}}
<section aria-labelledby="h-pay">
<h2 id="h-pay">{{call .T "pay"}}</h2>
<p>{{call .T "pay_text"}}</p>
<dl>
<dt>{{call .T "beneficiary"}}</dt><dd>{{.Beneficiary}}</dd>
<dt>IBAN</dt><dd id="iban">{{.IBAN}}</dd>
{{if .BIC}}<dt>BIC</dt><dd>{{.BIC}}</dd>{{end}}
<dt>{{call .T "reference"}}</dt><dd id="reference">{{.Page.PaymentReference}}</dd>
<dt>{{call .T "amount"}}</dt><dd>{{.Due}}</dd>
</dl>
{{if .QR}}<figure>{{.QR}}<figcaption class="small">{{.QRLabel}}</figcaption></figure>{{end}}
</section>
{{end}}

<section aria-labelledby="h-plan" {{if eq .ErrorForm "plan"}}class="err"{{end}}>
<h2 id="h-plan">{{call .T "plan"}}</h2>
{{if .PlanStatus}}<p>{{.PlanStatus}}</p>
<div class="scroll" tabindex="0" role="region" aria-label="{{call .T "plan_current"}}"><table>
<caption>{{call .T "plan_current"}}</caption>
<thead><tr><th scope="col">{{call .T "due_on"}}</th><th scope="col" class="n">{{call .T "amount"}}</th><th scope="col" class="n">{{call .T "inst_paid"}}</th><th scope="col">{{call .T "inst_status"}}</th></tr></thead>
<tbody>{{range .PlanRows}}<tr><td>{{index .Cells 0}}</td><td class="n">{{index .Cells 1}}</td><td class="n">{{index .Cells 2}}</td><td>{{index .Cells 3}}</td></tr>{{end}}</tbody>
</table></div>
{{else if gt .Page.Statement.Totals.TotalDueCents 0}}
<p>{{call .T "plan_text"}}</p>
{{if eq .ErrorForm "plan"}}<div role="alert"><p>{{call .T "error_title"}}</p><ul>{{range .Errors}}<li>{{.}}</li>{{end}}</ul></div>{{end}}
<form method="post" action="{{.Path}}/plan">
<input type="hidden" name="form_token" value="{{index .Forms "plan"}}">
<input type="hidden" name="lang" value="{{.Lang}}">
<fieldset><legend>{{call .T "frequency"}}</legend>
<label class="hint"><input type="radio" name="frequency" value="monthly" {{if ne (index .Values "frequency") "fortnightly"}}checked{{end}}> {{call .T "monthly"}}</label>
<label class="hint"><input type="radio" name="frequency" value="fortnightly" {{if eq (index .Values "frequency") "fortnightly"}}checked{{end}}> {{call .T "fortnightly"}}</label>
</fieldset>
<label for="count">{{call .T "count"}}</label>
<input id="count" name="count" type="number" min="1" max="120" inputmode="numeric" required value="{{index .Values "count"}}">
<label for="first_on">{{call .T "first_on"}}</label>
<input id="first_on" name="first_on" type="date" required value="{{index .Values "first_on"}}">
<label for="down_payment">{{call .T "down_payment"}}</label>
<input id="down_payment" name="down_payment" inputmode="decimal" autocomplete="off" value="{{index .Values "down_payment"}}">
<label for="down_payment_on">{{call .T "down_on"}}</label>
<input id="down_payment_on" name="down_payment_on" type="date" value="{{index .Values "down_payment_on"}}">
<button type="submit">{{call .T "send_plan"}}</button>
</form>
{{end}}
</section>

<section aria-labelledby="h-declare" {{if eq .ErrorForm "payment"}}class="err"{{end}}>
<h2 id="h-declare">{{call .T "declare"}}</h2>
<p>{{call .T "declare_text"}}</p>
{{if eq .ErrorForm "payment"}}<div role="alert"><p>{{call .T "error_title"}}</p><ul>{{range .Errors}}<li>{{.}}</li>{{end}}</ul></div>{{end}}
<form method="post" action="{{.Path}}/payment" enctype="multipart/form-data">
<input type="hidden" name="form_token" value="{{index .Forms "payment"}}">
<input type="hidden" name="lang" value="{{.Lang}}">
<label for="amount">{{call .T "paid_amount"}}</label>
<input id="amount" name="amount" inputmode="decimal" autocomplete="off" required value="{{index .Values "amount"}}">
<label for="paid_on">{{call .T "paid_on"}}</label>
<input id="paid_on" name="paid_on" type="date" required value="{{index .Values "paid_on"}}">
<label for="note">{{call .T "note"}}</label>
<textarea id="note" name="note" maxlength="4000">{{index .Values "note"}}</textarea>
<label for="proof">{{call .T "proof" .MaxMB}}</label>
<input id="proof" name="proof" type="file" accept="application/pdf,image/png,image/jpeg,.pdf,.png,.jpg,.jpeg">
<button type="submit">{{call .T "send_payment"}}</button>
</form>
</section>

<section aria-labelledby="h-dispute" {{if eq .ErrorForm "dispute"}}class="err"{{end}}>
<h2 id="h-dispute">{{call .T "dispute"}}</h2>
{{if .Page.Case.OpenDispute}}<p>{{call .T "dispute_open"}}</p>{{else}}
<p>{{call .T "dispute_text"}}</p>
{{if eq .ErrorForm "dispute"}}<div role="alert"><p>{{call .T "error_title"}}</p><ul>{{range .Errors}}<li>{{.}}</li>{{end}}</ul></div>{{end}}
<form method="post" action="{{.Path}}/dispute" enctype="multipart/form-data">
<input type="hidden" name="form_token" value="{{index .Forms "dispute"}}">
<input type="hidden" name="lang" value="{{.Lang}}">
<label for="reason">{{call .T "reason"}}</label>
<textarea id="reason" name="reason" maxlength="4000" required>{{index .Values "reason"}}</textarea>
<label for="files">{{call .T "documents" .MaxFiles .MaxMB}}</label>
<input id="files" name="files" type="file" multiple accept="application/pdf,image/png,image/jpeg,.pdf,.png,.jpg,.jpeg">
<button type="submit">{{call .T "send_dispute"}}</button>
</form>{{end}}
</section>

<section aria-labelledby="h-callback" {{if eq .ErrorForm "callback"}}class="err"{{end}}>
<h2 id="h-callback">{{call .T "callback"}}</h2>
<p>{{call .T "callback_text"}}</p>
{{if eq .ErrorForm "callback"}}<div role="alert"><p>{{call .T "error_title"}}</p><ul>{{range .Errors}}<li>{{.}}</li>{{end}}</ul></div>{{end}}
<form method="post" action="{{.Path}}/callback">
<input type="hidden" name="form_token" value="{{index .Forms "callback"}}">
<input type="hidden" name="lang" value="{{.Lang}}">
<label for="phone">{{call .T "phone"}}</label>
<input id="phone" name="phone" type="tel" autocomplete="tel" value="{{index .Values "phone"}}">
<label for="email">{{call .T "email"}}</label>
<input id="email" name="email" type="email" autocomplete="email" value="{{index .Values "email"}}">
<label for="best_time">{{call .T "best_time"}} <span class="hint">{{call .T "best_hint"}}</span></label>
<input id="best_time" name="best_time" maxlength="200" value="{{index .Values "best_time"}}">
<button type="submit">{{call .T "send_callback"}}</button>
</form>
</section>

<section aria-labelledby="h-privacy">
<h2 id="h-privacy">{{call .T "privacy"}}</h2>
{{range .Privacy}}<p class="small">{{.}}</p>{{end}}
</section>
</main>
<footer><p>{{call .T "personal"}}</p></footer>
{{end}}
</body>
</html>
`))

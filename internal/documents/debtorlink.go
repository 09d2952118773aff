package documents

import (
	"html"
	"strings"

	qrcode "github.com/skip2/go-qrcode"

	"github.com/recouvra/recouvra/internal/pdf"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// PayReference is the case's ISO 11649 reference as letters print it.
func PayReference(c recouvra.Case) string { return payReference(c) }

// QRModules is text's QR code (error correction M) as dark/light modules,
// quiet zone included; nil when text cannot be encoded.
func QRModules(text string) [][]bool {
	q, err := qrcode.New(text, qrcode.Medium)
	if err != nil {
		return nil
	}
	return q.Bitmap()
}

// onlineSentence invites the debtor to its page (issue 15).
func onlineSentence(url string) string {
	return "Votre dossier en ligne, sans compte ni mot de passe : consultez le détail de la somme due et les courriers, payez par virement, déclarez un paiement déjà fait, contestez ou demandez à être rappelé à l'adresse " + url + " (ou en scannant ce code). Ce lien est personnel : ne le transmettez pas."
}

// debtorLink prints the page's short URL and its QR code on a letter.
func debtorLink(d *pdf.Doc, url string) {
	if url == "" {
		return
	}
	d.QRBox(QRModules(url), 28, "Votre espace en ligne : "+url, onlineSentence(url))
}

// WithDebtorLink adds the debtor page's link to an e-mail, in its
// language, as the last paragraph of both parts ("" leaves e unchanged).
func WithDebtorLink(e Email, url, lang string) Email {
	if url == "" {
		return e
	}
	s := onlineSentence(url)
	if lang == "en" {
		s = "Your case online, without an account or password: see the detail of what is owed and the letters, pay by transfer, tell us about a payment already made, dispute or ask to be called back at " + url + ". This link is personal: do not pass it on."
	}
	e.Text = strings.TrimRight(e.Text, "\n") + "\n\n" + s + "\n"
	link := `<p>` + html.EscapeString(s) + `</p>` + "\n" + `<p><a href="` + html.EscapeString(url) + `">` + html.EscapeString(url) + "</a></p>\n"
	if i := strings.LastIndex(e.HTML, "</body>"); i >= 0 {
		e.HTML = e.HTML[:i] + link + e.HTML[i:]
	} else {
		e.HTML += link
	}
	return e
}

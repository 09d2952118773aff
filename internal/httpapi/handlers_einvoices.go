package httpapi

import (
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/einvoice"
	"github.com/recouvra/recouvra/internal/httpapi/oapi"
	"github.com/recouvra/recouvra/internal/recouvra"
)

func apiEInvoiceUpload(u app.EInvoiceUpload) oapi.EInvoiceUpload {
	out := oapi.EInvoiceUpload{Created: u.Created, Present: u.Present, CasesCreated: u.CasesCreated, Invoices: make([]oapi.EInvoiceOutcome, len(u.Invoices))}
	for i, o := range u.Invoices {
		inv := o.Invoice
		out.Invoices[i] = oapi.EInvoiceOutcome{File: inv.File, Status: oapi.EInvoiceOutcomeStatus(o.Status), Syntax: oapi.EInvoiceOutcomeSyntax(inv.Syntax),
			InvoiceNumber: inv.Number, IssuedOn: apiDate(inv.IssuedOn), DueOn: apiDate(inv.DueOn), Currency: inv.Currency,
			NetCents: inv.NetCents, VatCents: inv.VATCents, GrossCents: inv.GrossCents, AmountCents: inv.DueCents, PaymentTerms: inv.PaymentTerms,
			DebtorName: inv.Buyer.Name, DebtorSiren: inv.Buyer.SIREN, CaseId: o.CaseID, CaseReference: o.CaseReference, DocumentId: nullOf(o.DocumentID)}
	}
	return out
}

// uploadEInvoices serves POST /api/v1/e-invoices: creditor_id, then one
// or more file parts (PDF, XML, zip). The whole request is bounded by the
// upload limit; each file is read whole (an invoice is checked before
// anything is placed) and checked by the service.
func (a *API) uploadEInvoices(c *gin.Context) {
	ctx := c.Request.Context()
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, a.deps.MaxUploadBytes+64<<10)
	mr, err := c.Request.MultipartReader()
	if err != nil {
		a.fail(c, &recouvra.Error{Code: recouvra.ECodeMalformed, Message: "Envoyez les factures en multipart/form-data.", Err: err})
		return
	}
	var creditor *uuid.UUID
	var files []einvoice.Source
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			a.fail(c, uploadError(err))
			return
		}
		switch part.FormName() {
		case "creditor_id":
			v, err := io.ReadAll(io.LimitReader(part, 64))
			if err != nil {
				a.fail(c, uploadError(err))
				return
			}
			if s := strings.TrimSpace(string(v)); s != "" {
				id, err := uuid.Parse(s)
				if err != nil {
					a.fail(c, recouvra.Invalid("Créancier invalide.", recouvra.FieldError{Field: "creditor_id", Code: "invalid", Message: "Identifiant de créancier invalide."}))
					return
				}
				creditor = &id
			}
		case "file":
			if err := fileNameProblem(part.FileName()); err != nil {
				a.fail(c, err)
				return
			}
			data, err := io.ReadAll(part)
			if err != nil {
				a.fail(c, uploadError(err))
				return
			}
			files = append(files, einvoice.Source{Name: cleanFileName(part.FileName()), Data: data})
		default:
			_, _ = io.Copy(io.Discard, part) // unknown fields are ignored
		}
	}
	if len(files) == 0 {
		a.fail(c, recouvra.Invalid("Fichier manquant.", recouvra.FieldError{Field: "file", Code: "required",
			Message: "Joignez les factures (Factur-X .pdf, CII ou UBL .xml, ou .zip) dans le champ file."}))
		return
	}
	u, err := a.deps.App.UploadEInvoices(ctx, principalFrom(ctx), creditor, files)
	if err != nil {
		a.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, apiEInvoiceUpload(u))
}

// cleanFileName keeps a file's base name (no client path), as refusals
// and records name it.
func cleanFileName(name string) string {
	name = strings.ReplaceAll(name, "\\", "/")
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	if name == "" {
		return "facture"
	}
	return name
}

package app

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/recouvra"
	"github.com/recouvra/recouvra/internal/sheet"
)

// moneyCell is an amount in cents: a number in XLSX, "1234,56" in CSV.
func moneyCell(cents int64) sheet.Cell {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	c := sheet.Cell{Text: fmt.Sprintf("%s%d,%02d", sign, cents/100, cents%100), Number: true, Value: float64(cents) / 100}
	if sign != "" {
		c.Value = -c.Value
	}
	return c
}

func dateCell(d recouvra.Date) sheet.Cell {
	if d.IsZero() {
		return sheet.Text("")
	}
	return sheet.Text(fmt.Sprintf("%02d/%02d/%04d", d.Day(), int(d.Month()), d.Year()))
}

// ExportCases writes every case the filter selects (in the list's order
// and scope) to w, reading them page by page: nothing beyond a page is
// held in memory.
func (s *Service) ExportCases(ctx context.Context, p recouvra.Principal, f CaseFilter, kind sheet.Kind, w io.Writer) error {
	if err := f.check(); err != nil {
		return err
	}
	out, err := sheet.NewWriter(w, kind, "Dossiers")
	if err != nil {
		return err
	}
	head := []string{"référence", "référence créancier", "débiteur", "étape", "devise", "principal", "payé", "solde", "placé le", "prochaine action"}
	cells := make([]sheet.Cell, 0, len(head))
	for _, h := range head {
		cells = append(cells, sheet.Text(h))
	}
	if err := out.Write(cells); err != nil {
		return err
	}
	page := PageRequest{Limit: maxPageSize}
	for {
		res, err := s.ListCases(ctx, p, f, page)
		if err != nil {
			return err
		}
		for _, c := range res.Items {
			cells = append(cells[:0], sheet.Text(c.Reference), sheet.Text(c.CreditorReference), sheet.Text(c.DebtorName),
				sheet.Text(strings.ReplaceAll(string(c.Stage), "_", " ")), sheet.Text(c.Currency), moneyCell(c.PrincipalCents),
				moneyCell(c.PaidCents), moneyCell(c.BalanceCents), dateCell(recouvra.DateOf(c.CreatedAt)), dateCell(c.NextActionOn))
			if err := out.Write(cells); err != nil {
				return err
			}
		}
		if res.NextCursor == "" {
			break
		}
		page.Cursor = res.NextCursor
	}
	return out.Close()
}

// ExportEvents writes a case's timeline (what the caller may see of it,
// oldest first) to w, a page at a time.
func (s *Service) ExportEvents(ctx context.Context, p recouvra.Principal, id uuid.UUID, kind sheet.Kind, w io.Writer) error {
	out, err := sheet.NewWriter(w, kind, "Historique")
	if err != nil {
		return err
	}
	if err := out.Write([]sheet.Cell{sheet.Text("date"), sheet.Text("heure (UTC)"), sheet.Text("événement"), sheet.Text("visibilité"), sheet.Text("détails")}); err != nil {
		return err
	}
	var after int64
	for {
		events, more, err := s.ListEvents(ctx, p, id, after, maxPageSize)
		if err != nil {
			return err
		}
		for _, e := range events {
			details, _ := json.Marshal(e.Data)
			vis := "partagé"
			if e.Visibility == recouvra.Internal {
				vis = "interne"
			}
			if err := out.Write([]sheet.Cell{dateCell(recouvra.DateOf(e.At)), sheet.Text(e.At.UTC().Format("15:04:05")), sheet.Text(string(e.Type)),
				sheet.Text(vis), sheet.Text(string(details))}); err != nil {
				return err
			}
			after = e.Seq
		}
		if !more || len(events) == 0 {
			break
		}
	}
	return out.Close()
}

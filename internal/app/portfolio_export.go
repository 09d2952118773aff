package app

import (
	"context"
	"fmt"
	"io"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/recouvra"
	"github.com/recouvra/recouvra/internal/sheet"
)

// stageNames are the stages as the creditor's screens name them.
var stageNames = map[recouvra.Stage]string{
	recouvra.StageAmicable: "amiable", recouvra.StageFormalNotice: "mise en demeure", recouvra.StageInjunction: "injonction de payer",
	recouvra.StageIrrecoverable: "irrécouvrable", recouvra.StageClosed: "clos",
}

// ExportPortfolio writes the caller's portfolio figures (Portfolio's scope
// and checks) as a sheet: one line per figure — the totals, then each
// stage and each ageing band with its cases and balance. The sheet writer
// neutralises formula-like cells; the figures are a few dozen lines, so
// nothing here grows with the portfolio.
func (s *Service) ExportPortfolio(ctx context.Context, p recouvra.Principal, creditorID *uuid.UUID, currency string, kind sheet.Kind, w io.Writer) error {
	pf, err := s.Portfolio(ctx, p, creditorID, currency)
	if err != nil {
		return err
	}
	return WritePortfolio(pf, kind, w)
}

// WritePortfolio writes pf as ExportPortfolio does.
func WritePortfolio(pf Portfolio, kind sheet.Kind, w io.Writer) error {
	out, err := sheet.NewWriter(w, kind, "Portefeuille")
	if err != nil {
		return err
	}
	cur := sheet.Text(pf.Currency)
	none := sheet.Text("")
	count := sheet.Int
	rows := [][]sheet.Cell{
		{sheet.Text("rubrique"), sheet.Text("libellé"), sheet.Text("dossiers"), sheet.Text("montant"), sheet.Text("devise")},
		{sheet.Text("date"), sheet.Text("arrêté au"), none, dateCell(pf.AsOf), none},
		{sheet.Text("total"), sheet.Text("dossiers confiés"), count(pf.Cases), none, none},
		{sheet.Text("total"), sheet.Text("dossiers en cours"), count(pf.OpenCases), none, none},
		{sheet.Text("total"), sheet.Text("principal confié"), none, moneyCell(pf.PlacedCents), cur},
		{sheet.Text("total"), sheet.Text("recouvré"), none, moneyCell(pf.RecoveredCents), cur},
		{sheet.Text("total"), sheet.Text("reversé"), none, moneyCell(pf.RemittedCents), cur},
		{sheet.Text("total"), sheet.Text("reste dû"), none, moneyCell(pf.OutstandingCents), cur},
		{sheet.Text("total"), sheet.Text("taux de recouvrement (%)"), none, percentCell(pf.RecoveryRateBps()), none},
	}
	for _, st := range pf.Stages {
		name := stageNames[st.Stage]
		if name == "" {
			name = string(st.Stage)
		}
		rows = append(rows, []sheet.Cell{sheet.Text("étape"), sheet.Text(name), count(st.Cases), moneyCell(st.BalanceCents), cur})
	}
	for _, b := range pf.Ageing {
		band := fmt.Sprintf("plus de %d jours", b.FromDays-1) // the last band is open-ended
		if b.ToDays != nil {
			band = fmt.Sprintf("%d à %d jours", b.FromDays, *b.ToDays)
		}
		rows = append(rows, []sheet.Cell{sheet.Text("ancienneté"), sheet.Text(band), count(b.Cases), moneyCell(b.BalanceCents), cur})
	}
	for _, r := range rows {
		if err := out.Write(r); err != nil {
			return err
		}
	}
	return out.Close()
}

// percentCell is basis points as a percentage with two decimals ("12,34").
func percentCell(bps int64) sheet.Cell {
	return sheet.Cell{Text: fmt.Sprintf("%d,%02d", bps/100, bps%100), Number: true, Value: float64(bps) / 100}
}

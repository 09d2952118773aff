package pdf

// QRBox prints, beside a short text, a QR code drawn as vector squares
// (modules[y][x] true is dark; the quiet zone included by the caller) of
// side mm millimetres. The block moves to the next page whole when it does
// not fit at the bottom of this one.
func (d *Doc) QRBox(modules [][]bool, side float64, title, text string) {
	f := d.f
	if f.GetY()+side+2 > d.bottom() {
		f.AddPage()
	}
	left, _, right, _ := f.GetMargins()
	pageW, _ := f.GetPageSize()
	x0, y0 := left, f.GetY()
	if n := len(modules); n > 0 {
		m := side / float64(n)
		f.SetFillColor(0, 0, 0)
		for y, row := range modules {
			for x, dark := range row {
				if dark {
					f.Rect(x0+float64(x)*m, y0+float64(y)*m, m, m, "F")
				}
			}
		}
	}
	f.SetXY(x0+side+4, y0+2)
	w := pageW - right - (x0 + side + 4)
	f.SetFont(family, "B", 10)
	f.MultiCell(w, 5, d.text(title, "B", true), "", "L", false)
	f.SetX(x0 + side + 4)
	f.SetFont(family, "", 10)
	f.MultiCell(w, 5, d.text(text, "", true), "", "L", false)
	if y := y0 + side + 2; f.GetY() < y {
		f.SetY(y)
	}
	f.SetX(left)
}

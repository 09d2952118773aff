// Package einvoice reads electronic invoices — Factur-X PDFs, CII and UBL
// 2.1 XML, one by one or in a zip — into what a claim needs, with every
// refusal naming the file and the element. The XML is parsed and checked
// against the EN 16931 rules by github.com/speedata/einvoice; this package
// unpacks, guards against hostile input and maps the result.
package einvoice

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/recouvra/recouvra/internal/recouvra"
)

// Limits bound what one upload may make the server hold or inflate.
type Limits struct {
	Files     int   // invoices in one upload, zip entries included
	XMLBytes  int64 // one invoice's XML, embedded or not
	FileBytes int64 // one file as received (a PDF, an XML, a zip entry)
	Unzipped  int64 // the entries of all zips of one upload, inflated
}

// DefaultLimits are generous for real invoices (a Factur-X PDF is tens
// of kilobytes, its XML a few) and small for a bomb.
var DefaultLimits = Limits{Files: 500, XMLBytes: 4 << 20, FileBytes: 10 << 20, Unzipped: 64 << 20}

// Problem is why a file is refused: the file (a zip's entry as
// "lot.zip/F1.xml"), the element or line concerned when known, and the
// reason in French.
type Problem struct {
	File    string
	Element string
	Reason  string
}

func (p *Problem) Error() string {
	if p.Element != "" {
		return fmt.Sprintf("%s (%s) : %s", p.File, p.Element, p.Reason)
	}
	return p.File + " : " + p.Reason
}

// Source is an invoice file as received: its name and bytes. A zip is
// unpacked into the sources it holds.
type Source struct {
	Name string
	Data []byte
}

// Kind is what a file's name declares: pdf, xml or zip.
func Kind(name string) string {
	switch strings.ToLower(path.Ext(name)) {
	case ".pdf":
		return "pdf"
	case ".xml":
		return "xml"
	case ".zip":
		return "zip"
	}
	return ""
}

// Unpack checks that each file is the kind its name declares and opens the
// zips, within the limits; it returns the PDF and XML files to read.
func Unpack(files []Source, lim Limits) ([]Source, error) {
	var out []Source
	var unzipped int64
	for _, f := range files {
		if err := sniff(f); err != nil {
			return nil, err
		}
		if Kind(f.Name) != "zip" {
			out = append(out, f)
			if len(out) > lim.Files {
				return nil, &Problem{File: f.Name, Reason: fmt.Sprintf("plus de %d factures dans un même envoi", lim.Files)}
			}
			continue
		}
		zr, err := zip.NewReader(bytes.NewReader(f.Data), int64(len(f.Data)))
		if err != nil {
			return nil, &Problem{File: f.Name, Reason: "archive zip illisible : " + err.Error()}
		}
		for _, e := range zr.File {
			name := f.Name + "/" + e.Name
			if bad := recouvra.PrintableField("file", e.Name, recouvra.OneLine); bad != nil {
				// The name is echoed in refusals and kept on the record.
				return nil, &Problem{File: f.Name, Reason: "nom d'entrée illisible dans l'archive : " + bad[0].Message}
			}
			if e.FileInfo().IsDir() || strings.HasPrefix(e.Name, "__MACOSX/") || strings.HasPrefix(path.Base(e.Name), "._") {
				continue // folders and the Finder's metadata
			}
			switch Kind(e.Name) {
			case "pdf", "xml":
			case "zip":
				return nil, &Problem{File: name, Reason: "une archive dans l'archive n'est pas acceptée"}
			default:
				return nil, &Problem{File: name, Reason: "seuls des fichiers .pdf (Factur-X) et .xml (CII, UBL) sont acceptés dans l'archive"}
			}
			if len(out)+1 > lim.Files {
				return nil, &Problem{File: name, Reason: fmt.Sprintf("plus de %d factures dans un même envoi", lim.Files)}
			}
			// The sizes the archive declares may lie: the reads are bounded.
			rc, err := e.Open()
			if err != nil {
				return nil, &Problem{File: name, Reason: "entrée illisible : " + err.Error()}
			}
			data, err := io.ReadAll(io.LimitReader(rc, lim.FileBytes+1))
			_ = rc.Close()
			if err != nil {
				return nil, &Problem{File: name, Reason: "entrée illisible : " + err.Error()}
			}
			if int64(len(data)) > lim.FileBytes {
				return nil, &Problem{File: name, Reason: fmt.Sprintf("entrée de plus de %d octets une fois décompressée", lim.FileBytes)}
			}
			if unzipped += int64(len(data)); unzipped > lim.Unzipped {
				return nil, &Problem{File: f.Name, Reason: fmt.Sprintf("l'archive dépasse %d octets une fois décompressée", lim.Unzipped)}
			}
			src := Source{Name: name, Data: data}
			if err := sniff(src); err != nil {
				return nil, err
			}
			out = append(out, src)
		}
	}
	if len(out) == 0 {
		return nil, &Problem{File: "file", Reason: "aucune facture à lire (fichiers .pdf, .xml ou .zip attendus)"}
	}
	return out, nil
}

// sniff refuses a file whose content is not the kind its name declares.
func sniff(f Source) error {
	head := f.Data
	if len(head) > 512 {
		head = head[:512]
	}
	switch Kind(f.Name) {
	case "pdf":
		if !bytes.HasPrefix(f.Data, []byte("%PDF-")) {
			return &Problem{File: f.Name, Reason: "le fichier s'appelle .pdf mais n'est pas un PDF"}
		}
	case "zip":
		if !bytes.HasPrefix(f.Data, []byte("PK\x03\x04")) {
			return &Problem{File: f.Name, Reason: "le fichier s'appelle .zip mais n'est pas une archive zip"}
		}
	case "xml":
		if !looksLikeXML(head) {
			return &Problem{File: f.Name, Reason: "le fichier s'appelle .xml mais n'est pas du XML"}
		}
	default:
		return &Problem{File: f.Name, Reason: "type de fichier refusé : envoyez une facture Factur-X (.pdf), CII ou UBL (.xml), ou une archive .zip de celles-ci"}
	}
	return nil
}

// looksLikeXML: after an optional UTF-8 byte-order mark and white space,
// the first character opens a tag.
func looksLikeXML(b []byte) bool {
	b = bytes.TrimPrefix(b, []byte("\xEF\xBB\xBF"))
	b = bytes.TrimLeft(b, " \t\r\n")
	return len(b) > 1 && b[0] == '<' && (b[1] == '?' || b[1] == '!' || isNameStart(b[1]))
}

func isNameStart(c byte) bool {
	return c == '_' || c == ':' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c >= 0x80
}

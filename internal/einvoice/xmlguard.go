package einvoice

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
)

// maxDepth bounds the nesting of elements: a CII invoice reaches about
// ten levels, a UBL one a dozen.
const maxDepth = 64

// Namespaces of the invoice roots this package reads.
const (
	nsCII        = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
	nsUBLInvoice = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
	nsUBLCredit  = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
)

// checkXML refuses what an invoice never holds and a parser could be
// made to choke on: a document type declaration (the only place where
// entities, internal as in "billion laughs" or external, are declared —
// CII and UBL have none), a document over the size limit, nesting beyond
// maxDepth, or XML that is not well formed (the line named). It returns
// the root element's namespace and local name.
func checkXML(file string, data []byte, max int64) (ns, root string, err error) {
	if int64(len(data)) > max {
		return "", "", &Problem{File: file, Reason: fmt.Sprintf("XML de plus de %d octets", max)}
	}
	if bytes.Contains(data, []byte("<!DOCTYPE")) || bytes.Contains(data, []byte("<!ENTITY")) {
		return "", "", &Problem{File: file, Element: "DOCTYPE", Reason: "déclaration de type de document ou d'entités refusée (une facture CII ou UBL n'en a pas ; protection contre les bombes XML et les entités externes)"}
	}
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = true
	depth := 0
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				return "", "", &Problem{File: file, Element: fmt.Sprintf("ligne %d", se.Line), Reason: "XML mal formé : " + se.Msg}
			}
			return "", "", &Problem{File: file, Reason: "XML illisible : " + err.Error()}
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				if root != "" {
					return "", "", &Problem{File: file, Reason: "XML mal formé : plusieurs éléments racines"}
				}
				ns, root = t.Name.Space, t.Name.Local
			}
			if depth++; depth > maxDepth {
				line, _ := dec.InputPos()
				return "", "", &Problem{File: file, Element: fmt.Sprintf("ligne %d", line), Reason: fmt.Sprintf("éléments imbriqués sur plus de %d niveaux", maxDepth)}
			}
		case xml.EndElement:
			depth--
		case xml.Directive:
			return "", "", &Problem{File: file, Element: "DOCTYPE", Reason: "directive XML refusée"}
		}
	}
	if root == "" {
		return "", "", &Problem{File: file, Reason: "XML sans élément racine"}
	}
	return ns, root, nil
}

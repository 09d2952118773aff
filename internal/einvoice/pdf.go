package einvoice

import (
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
)

// Why a small reader rather than a PDF library: a Factur-X PDF carries its
// invoice as one embedded file stream (PDF/A-3 "associated file",
// factur-x.xml), and that stream is all this package needs. A stream is
// never inside an object stream (ISO 32000-1 §7.5.7), so a scan of the
// file's top-level objects finds it whatever the cross-reference form; we
// decode only FlateDecode (what Factur-X writers use) and bound what the
// inflation may produce. pdfcpu would bring a large dependency, a
// configuration directory it creates in the user's home, and no limit on
// what a hostile stream inflates to.

var (
	objHeader   = regexp.MustCompile(`(\d+)\s+(\d+)\s+obj\b`)
	lengthKey   = regexp.MustCompile(`/Length\s+(\d+)(?:\s+(\d+)\s+R)?`)
	embeddedKey = regexp.MustCompile(`/Type\s*/EmbeddedFile\b|/Subtype\s*/(?:text|application)#2[Ff]xml\b`)
	filterKey   = regexp.MustCompile(`/Filter\s*(\[[^\]]*\]|/[A-Za-z0-9]+)`)
	encryptKey  = regexp.MustCompile(`/Encrypt\s`)
)

// errNoStream says that an object has no stream.
var errNoStream = errors.New("no stream")

// pdfObject is a top-level object: its number, its dictionary's text and
// its stream's raw bytes (nil without a stream).
type pdfObject struct {
	num    int
	dict   []byte
	stream []byte
}

// embeddedXML returns the contents of the PDF's embedded files that are
// XML, each inflated to at most max bytes. A later revision of an object
// (incremental update) replaces an earlier one.
func embeddedXML(pdf []byte, max int64) ([][]byte, error) {
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		return nil, errors.New("le fichier ne commence pas par %PDF- : ce n'est pas un PDF")
	}
	if encryptKey.Match(pdf) {
		return nil, errors.New("PDF chiffré : une facture Factur-X ne l'est jamais (PDF/A-3)")
	}
	latest := map[int]pdfObject{}
	ints := &intObjects{pdf: pdf}
	order := []int{}
	for pos := 0; pos < len(pdf); {
		loc := objHeader.FindSubmatchIndex(pdf[pos:])
		if loc == nil {
			break
		}
		start := pos + loc[1]
		num, _ := strconv.Atoi(string(pdf[pos+loc[2] : pos+loc[3]]))
		obj, end, err := readObject(pdf, start, ints)
		if err != nil {
			pos = start // not a dictionary object: go on after its header
			continue
		}
		obj.num = num
		if _, seen := latest[num]; !seen {
			order = append(order, num)
		}
		latest[num] = obj
		pos = end
	}
	var out [][]byte
	for _, num := range order {
		obj := latest[num]
		if obj.stream == nil || !embeddedKey.Match(obj.dict) {
			continue
		}
		data, err := decodeStream(pdf, obj, max)
		if err != nil {
			return nil, fmt.Errorf("fichier joint (objet %d) : %w", num, err)
		}
		if looksLikeXML(data) {
			out = append(out, data)
		}
	}
	return out, nil
}

// readObject reads the dictionary that starts at or after start and the
// stream that follows it, if any; it returns where the object ends.
func readObject(pdf []byte, start int, ints *intObjects) (pdfObject, int, error) {
	i := skipSpace(pdf, start)
	if !bytes.HasPrefix(pdf[i:], []byte("<<")) {
		return pdfObject{}, 0, errNoStream
	}
	end, err := dictEnd(pdf, i)
	if err != nil {
		return pdfObject{}, 0, err
	}
	obj := pdfObject{dict: pdf[i:end]}
	j := skipSpace(pdf, end)
	if !bytes.HasPrefix(pdf[j:], []byte("stream")) {
		return obj, end, nil
	}
	j += len("stream")
	// The keyword is followed by CRLF or LF (§7.3.8.1).
	if bytes.HasPrefix(pdf[j:], []byte("\r\n")) {
		j += 2
	} else if j < len(pdf) && (pdf[j] == '\n' || pdf[j] == '\r') {
		j++
	}
	length := streamLength(obj.dict, ints)
	if length >= 0 && j+length <= len(pdf) {
		k := skipSpace(pdf, j+length)
		if bytes.HasPrefix(pdf[k:], []byte("endstream")) {
			obj.stream = pdf[j : j+length]
			return obj, k + len("endstream"), nil
		}
	}
	// A wrong or unresolvable /Length: the data ends before the next
	// endstream, less the end-of-line that precedes it.
	k := bytes.Index(pdf[j:], []byte("endstream"))
	if k < 0 {
		return pdfObject{}, 0, errors.New("flux sans endstream")
	}
	data := pdf[j : j+k]
	data = bytes.TrimSuffix(data, []byte("\n"))
	data = bytes.TrimSuffix(data, []byte("\r"))
	obj.stream = data
	return obj, j + k + len("endstream"), nil
}

// intObjects finds the objects that are a bare integer ("5 0 obj 1234
// endobj"), where writers put a stream's /Length written after it. They
// are collected in one pass over the file, the first time one is needed.
type intObjects struct {
	pdf  []byte
	byID map[string]int
}

var intObject = regexp.MustCompile(`(\d+)\s+(\d+)\s+obj\s*(\d+)\s*endobj`)

func (o *intObjects) get(num, gen string) (int, bool) {
	if o.byID == nil {
		o.byID = map[string]int{}
		for _, m := range intObject.FindAllSubmatch(o.pdf, -1) {
			if v, err := strconv.Atoi(string(m[3])); err == nil {
				o.byID[string(m[1])+" "+string(m[2])] = v // a later revision wins
			}
		}
	}
	v, ok := o.byID[num+" "+gen]
	return v, ok
}

// streamLength reads /Length, direct or as a reference to an integer
// object; -1 when it cannot be read.
func streamLength(dict []byte, ints *intObjects) int {
	m := lengthKey.FindSubmatch(dict)
	if m == nil {
		return -1
	}
	n, err := strconv.Atoi(string(m[1]))
	if err != nil {
		return -1
	}
	if m[2] == nil {
		return n
	}
	if v, ok := ints.get(string(m[1]), string(m[2])); ok {
		return v
	}
	return -1
}

// dictEnd finds the end of the dictionary starting at i ("<<"), skipping
// strings, hex strings and comments, which may hold ">>".
func dictEnd(pdf []byte, i int) (int, error) {
	depth := 0
	for i < len(pdf) {
		switch c := pdf[i]; {
		case c == '<' && i+1 < len(pdf) && pdf[i+1] == '<':
			depth++
			i += 2
		case c == '>' && i+1 < len(pdf) && pdf[i+1] == '>':
			depth--
			i += 2
			if depth == 0 {
				return i, nil
			}
		case c == '<': // hex string
			k := bytes.IndexByte(pdf[i:], '>')
			if k < 0 {
				return 0, errors.New("chaîne hexadécimale non terminée")
			}
			i += k + 1
		case c == '(': // literal string, balanced parentheses, backslash escapes
			level := 0
		str:
			for ; i < len(pdf); i++ {
				switch pdf[i] {
				case '\\':
					i++
				case '(':
					level++
				case ')':
					if level--; level == 0 {
						break str
					}
				}
			}
			i++
		case c == '%':
			for i < len(pdf) && pdf[i] != '\n' && pdf[i] != '\r' {
				i++
			}
		default:
			i++
		}
		if depth > 64 {
			return 0, errors.New("dictionnaires trop imbriqués")
		}
	}
	return 0, errors.New("dictionnaire non terminé")
}

func skipSpace(pdf []byte, i int) int {
	for i < len(pdf) {
		switch pdf[i] {
		case ' ', '\t', '\r', '\n', '\f', 0:
			i++
		default:
			return i
		}
	}
	return i
}

// decodeStream undoes the stream's filter: none or FlateDecode (alone),
// inflating at most max bytes.
func decodeStream(pdf []byte, obj pdfObject, max int64) ([]byte, error) {
	m := filterKey.FindSubmatch(obj.dict)
	if m == nil {
		if int64(len(obj.stream)) > max {
			return nil, fmt.Errorf("plus de %d octets", max)
		}
		return obj.stream, nil
	}
	filter := string(bytes.Trim(m[1], "[] \r\n\t"))
	if filter != "/FlateDecode" {
		return nil, fmt.Errorf("filtre %s non pris en charge (seul FlateDecode l'est)", filter)
	}
	if bytes.Contains(obj.dict, []byte("/Predictor")) {
		return nil, errors.New("prédicteur FlateDecode non pris en charge")
	}
	zr, err := zlib.NewReader(bytes.NewReader(obj.stream))
	if err != nil {
		return nil, fmt.Errorf("flux FlateDecode illisible : %v", err)
	}
	defer zr.Close()
	data, err := io.ReadAll(io.LimitReader(zr, max+1))
	if err != nil {
		return nil, fmt.Errorf("flux FlateDecode illisible : %v", err)
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("le fichier joint décompressé dépasse %d octets", max)
	}
	return data, nil
}

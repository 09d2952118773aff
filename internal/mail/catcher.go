package mail

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html/template"
	"io"
	"mime"
	"net"
	"net/http"
	netmail "net/mail"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/emersion/go-smtp"
)

// Caught is one message the catcher received, as it came over the wire.
type Caught struct {
	N        int
	From     string
	To       []string
	Raw      []byte
	Received time.Time
}

// Header reads one header of the message.
func (c Caught) Header(name string) string {
	m, err := netmail.ReadMessage(bytes.NewReader(c.Raw))
	if err != nil {
		return ""
	}
	dec := new(mimeWordDecoder)
	return dec.decode(m.Header.Get(name))
}

// Catcher is a local SMTP server that keeps every message it accepts (in
// memory, and as .eml files in Dir when set) and lists them on a small web
// page: the mail catcher `recouvra serve` starts when no SMTP server is
// configured, and the SMTP server of the tests.
type Catcher struct {
	// Dir, when set, receives each message as NNNN.eml.
	Dir string
	// Refuse, when set, may refuse a recipient with an SMTP reply (tests:
	// 550 for good, 451 for now).
	Refuse func(rcpt string) *smtp.SMTPError

	mu       sync.Mutex
	messages []Caught
	arrived  chan struct{}
	server   *smtp.Server
	ln       net.Listener
	web      *http.Server
	webLn    net.Listener
}

// StartCatcher listens for SMTP on smtpAddr (host:port, port 0 for any).
func StartCatcher(smtpAddr string, c *Catcher) (*Catcher, error) {
	if c == nil {
		c = &Catcher{}
	}
	c.arrived = make(chan struct{}, 1)
	if c.Dir != "" {
		if err := os.MkdirAll(c.Dir, 0o700); err != nil {
			return nil, err
		}
	}
	ln, err := net.Listen("tcp", smtpAddr)
	if err != nil {
		return nil, err
	}
	s := smtp.NewServer(backend{c})
	s.Domain = "localhost"
	s.ReadTimeout, s.WriteTimeout = time.Minute, time.Minute
	s.MaxMessageBytes = 50 << 20
	s.AllowInsecureAuth = true
	c.server, c.ln = s, ln
	go func() { _ = s.Serve(ln) }()
	return c, nil
}

// Addr is where the catcher's SMTP server listens.
func (c *Catcher) Addr() string { return c.ln.Addr().String() }

// URL is the smtp:// URL that sends to the catcher.
func (c *Catcher) URL() string { return "smtp://" + c.Addr() }

// Settings send to the catcher.
func (c *Catcher) Settings() Settings {
	host, port, _ := net.SplitHostPort(c.Addr())
	n, _ := strconv.Atoi(port)
	return Settings{Host: host, Port: n}
}

// Messages returns what the catcher has received, oldest first.
func (c *Catcher) Messages() []Caught {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Caught(nil), c.messages...)
}

// Wait returns once at least n messages have arrived, or ctx ends.
func (c *Catcher) Wait(ctx context.Context, n int) ([]Caught, error) {
	for {
		if m := c.Messages(); len(m) >= n {
			return m, nil
		}
		select {
		case <-c.arrived:
		case <-ctx.Done():
			return c.Messages(), fmt.Errorf("%d message(s) caught, waited for %d: %w", len(c.Messages()), n, ctx.Err())
		}
	}
}

// ServeWeb serves the page listing the messages on addr.
func (c *Catcher) ServeWeb(addr string) (string, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", err
	}
	c.webLn = ln
	c.web = &http.Server{Handler: c, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = c.web.Serve(ln) }()
	return "http://" + ln.Addr().String() + "/", nil
}

// Close stops the catcher.
func (c *Catcher) Close() error {
	var errs []error
	if c.web != nil {
		errs = append(errs, c.web.Close())
	}
	if c.server != nil {
		errs = append(errs, c.server.Close())
	}
	return errors.Join(errs...)
}

func (c *Catcher) keep(from string, to []string, raw []byte) error {
	c.mu.Lock()
	n := len(c.messages) + 1
	c.messages = append(c.messages, Caught{N: n, From: from, To: to, Raw: raw, Received: time.Now().UTC()})
	c.mu.Unlock()
	select {
	case c.arrived <- struct{}{}:
	default:
	}
	if c.Dir != "" {
		return os.WriteFile(filepath.Join(c.Dir, fmt.Sprintf("%04d.eml", n)), raw, 0o600)
	}
	return nil
}

var page = template.Must(template.New("mail").Parse(`<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><title>Recouvra — courriels envoyés</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem}table{border-collapse:collapse}td,th{border-bottom:1px solid #ccc;padding:.3rem .6rem;text-align:left}</style></head>
<body><h1>Courriels envoyés ({{len .}})</h1>
<p>Le serveur SMTP local de Recouvra garde ici chaque courriel ; rien ne part vers l'extérieur.</p>
<table><thead><tr><th>#</th><th>Reçu</th><th>De</th><th>À</th><th>Objet</th><th>Message-ID</th><th></th></tr></thead><tbody>
{{range .}}<tr><td>{{.N}}</td><td>{{.Received.Format "2006-01-02 15:04:05"}}</td><td>{{.Header "From"}}</td><td>{{.Header "To"}}</td><td>{{.Header "Subject"}}</td><td>{{.Header "Message-Id"}}</td><td><a href="/messages/{{.N}}.eml">.eml</a></td></tr>
{{end}}</tbody></table></body></html>
`))

// ServeHTTP lists the messages (/) and gives each one's source
// (/messages/N.eml, to open in a mail program).
func (c *Catcher) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	msgs := c.Messages()
	if r.URL.Path == "/" {
		for i, j := 0, len(msgs)-1; i < j; i, j = i+1, j-1 {
			msgs[i], msgs[j] = msgs[j], msgs[i]
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = page.Execute(w, msgs)
		return
	}
	var n int
	if _, err := fmt.Sscanf(r.URL.Path, "/messages/%d.eml", &n); err == nil && n >= 1 && n <= len(msgs) {
		w.Header().Set("Content-Type", "message/rfc822")
		w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=\"%04d.eml\"", n))
		_, _ = w.Write(msgs[n-1].Raw)
		return
	}
	http.NotFound(w, r)
}

type backend struct{ c *Catcher }

func (b backend) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{c: b.c}, nil }

type session struct {
	c    *Catcher
	from string
	to   []string
}

func (s *session) Reset()        { s.from, s.to = "", nil }
func (s *session) Logout() error { return nil }
func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	s.from = from
	return nil
}
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if s.c.Refuse != nil {
		if e := s.c.Refuse(to); e != nil {
			return e
		}
	}
	s.to = append(s.to, to)
	return nil
}
func (s *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	return s.c.keep(s.from, s.to, raw)
}

// mimeWordDecoder decodes RFC 2047 words in headers (accented subjects).
type mimeWordDecoder struct{}

func (mimeWordDecoder) decode(s string) string {
	d := new(mimeDecoder)
	out, err := d.DecodeHeader(s)
	if err != nil {
		return s
	}
	return out
}

type mimeDecoder = mime.WordDecoder

// Package webhook is the HTTP adapter of webhooks to creditors' systems:
// it sends a signed delivery once (app.WebhookSender) and protects the
// agency's network from server-side request forgery. A URL's host is
// resolved and refused when any of its addresses is private, loopback,
// link-local, unique-local, multicast, unspecified or otherwise not public
// — at registration (CheckURL) and again at each delivery, where the
// dialer checks the very address it connects to (so a name that resolves
// differently the second time, DNS rebinding, gains nothing). Redirects
// are not followed. AllowPrivate lifts the address rule (development,
// tests: RECOUVRA_WEBHOOK_ALLOW_PRIVATE).
package webhook

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// Sender posts deliveries over HTTP(S).
type Sender struct {
	allowPrivate bool
	resolver     *net.Resolver
	client       *http.Client
}

// Timeout bounds one delivery, from dialling to the answer's headers.
const Timeout = 15 * time.Second

// New builds a sender; allowPrivate admits any address.
func New(allowPrivate bool) *Sender {
	s := &Sender{allowPrivate: allowPrivate, resolver: net.DefaultResolver}
	dialer := &net.Dialer{Timeout: 10 * time.Second, Control: s.control}
	transport := &http.Transport{
		Proxy:                 nil, // never through a proxy: the address checked is the one dialled
		DialContext:           dialer.DialContext,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: Timeout,
		MaxIdleConnsPerHost:   8,
		IdleConnTimeout:       90 * time.Second,
		ForceAttemptHTTP2:     true,
	}
	s.client = &http.Client{Transport: transport, Timeout: Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return s
}

var _ app.WebhookSender = (*Sender)(nil)

// notPublic lists the ranges net/netip's predicates leave out.
var notPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),   // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),    // documentation
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"), // documentation
	netip.MustParsePrefix("203.0.113.0/24"),  // documentation
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, and broadcast
	netip.MustParsePrefix("64:ff9b::/96"),    // NAT64: may reach any IPv4 address
	netip.MustParsePrefix("64:ff9b:1::/48"),  // local NAT64
	netip.MustParsePrefix("2001:db8::/32"),   // documentation
	netip.MustParsePrefix("2002::/16"),       // 6to4: embeds any IPv4 address
	netip.MustParsePrefix("2001::/32"),       // Teredo: embeds any IPv4 address
}

// Refused says why ip may not be reached, or "" when it may: private
// (RFC 1918, unique-local fc00::/7), loopback, link-local (169.254/16 —
// cloud metadata —, fe80::/10), multicast, unspecified, and the reserved
// and translation ranges above. IPv4-mapped IPv6 is judged as IPv4.
func Refused(ip netip.Addr) string {
	ip = ip.Unmap()
	switch {
	case !ip.IsValid():
		return "adresse invalide"
	case ip.IsUnspecified():
		return "adresse non spécifiée"
	case ip.IsLoopback():
		return "adresse de bouclage (loopback)"
	case ip.IsPrivate():
		return "adresse privée"
	case ip.IsLinkLocalUnicast(), ip.IsLinkLocalMulticast():
		return "adresse lien-local"
	case ip.IsMulticast(), ip.IsInterfaceLocalMulticast():
		return "adresse multicast"
	}
	for _, p := range notPublic {
		if p.Contains(ip) {
			return "adresse réservée ou non publique"
		}
	}
	return ""
}

// errRefused is a dial the address rule stopped.
type errRefused struct {
	ip     netip.Addr
	reason string
}

func (e *errRefused) Error() string {
	return fmt.Sprintf("connexion refusée vers %s : %s", e.ip, e.reason)
}

// control runs once the address to dial is known: it refuses a forbidden
// one, whatever name led to it.
func (s *Sender) control(_, address string, _ syscall.RawConn) error {
	if s.allowPrivate {
		return nil
	}
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("adresse %q illisible", address)
	}
	if why := Refused(ap.Addr()); why != "" {
		return &errRefused{ip: ap.Addr(), reason: why}
	}
	return nil
}

func invalidURL(code, msg string) error {
	return recouvra.Invalid("Adresse du point de réception refusée.", recouvra.FieldError{Field: "url", Code: code, Message: msg})
}

// CheckURL resolves the URL's host and refuses it when it does not resolve
// or when any address it resolves to may not be reached.
func (s *Sender) CheckURL(ctx context.Context, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Hostname() == "" {
		return invalidURL("invalid", "URL absolue attendue, par exemple https://erp.example.fr/recouvra/webhooks.")
	}
	if u.Scheme != "https" && !(s.allowPrivate && u.Scheme == "http") {
		return invalidURL("not_https", "Seules les adresses https:// sont acceptées.")
	}
	if s.allowPrivate {
		return nil
	}
	host := u.Hostname()
	if ip, err := netip.ParseAddr(host); err == nil {
		if why := Refused(ip); why != "" {
			return invalidURL("private_address", fmt.Sprintf("%s est une %s : seules les adresses publiques d'Internet reçoivent des webhooks.", ip, why))
		}
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	ips, err := s.resolver.LookupNetIP(ctx, "ip", host)
	if err != nil || len(ips) == 0 {
		return invalidURL("unresolvable", fmt.Sprintf("Le nom %s ne se résout pas (DNS) : vérifiez l'adresse.", host))
	}
	for _, ip := range ips {
		if why := Refused(ip); why != "" {
			return invalidURL("private_address", fmt.Sprintf("%s se résout vers %s, une %s : seules les adresses publiques d'Internet reçoivent des webhooks.", host, ip.Unmap(), why))
		}
	}
	return nil
}

// Post sends body to rawURL once and reports the answer: its status, the
// time to its headers, and its first kilobyte.
func (s *Sender) Post(ctx context.Context, rawURL string, headers map[string]string, body []byte) app.WebhookResult {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, rawURL, strings.NewReader(string(body)))
	if err != nil {
		return app.WebhookResult{Err: "requête impossible : " + err.Error()}
	}
	if u := req.URL; u.Scheme != "https" && !(s.allowPrivate && u.Scheme == "http") {
		return app.WebhookResult{Err: "seules les adresses https:// sont acceptées"}
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	start := time.Now()
	resp, err := s.client.Do(req)
	latency := time.Since(start)
	if err != nil {
		var refused *errRefused
		if errors.As(err, &refused) {
			return app.WebhookResult{Latency: latency, Err: refused.Error()}
		}
		return app.WebhookResult{Latency: latency, Err: cut(err.Error(), 500)}
	}
	defer resp.Body.Close()
	head, _ := io.ReadAll(io.LimitReader(resp.Body, recouvra.WebhookExcerptBytes))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // lets the connection be reused
	return app.WebhookResult{Status: resp.StatusCode, Latency: latency, Excerpt: excerpt(head)}
}

// excerpt is b as valid UTF-8 within the 1 KB limit.
func excerpt(b []byte) string {
	s := strings.ToValidUTF8(string(b), "\uFFFD")
	return cut(s, recouvra.WebhookExcerptBytes)
}

// cut shortens s to at most n bytes without splitting a character.
func cut(s string, n int) string {
	for len(s) > n {
		_, size := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-size]
	}
	return s
}

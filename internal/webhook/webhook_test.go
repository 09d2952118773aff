package webhook

import (
	"context"
	"net/netip"
	"testing"
)

func TestRefused(t *testing.T) {
	t.Parallel()
	for addr, refused := range map[string]bool{
		"127.0.0.1": true, "127.8.9.10": true, "10.0.0.1": true, "172.16.5.4": true, "192.168.1.1": true,
		"169.254.169.254": true, "0.0.0.0": true, "100.64.0.1": true, "224.0.0.1": true, "255.255.255.255": true,
		"::1": true, "::": true, "fe80::1": true, "fd12:3456::1": true, "ff02::1": true, "::ffff:10.0.0.1": true,
		"::ffff:127.0.0.1": true, "64:ff9b::a00:1": true, "2002:a00:1::": true,
		"93.184.216.34": false, "2a00:1450:4007:80a::200e": false, "8.8.8.8": false, "::ffff:8.8.8.8": false,
	} {
		if got := Refused(netip.MustParseAddr(addr)) != ""; got != refused {
			t.Errorf("%s: refused %v, want %v", addr, got, refused)
		}
	}
}

// TestCheckURLResolvesNames: a name is judged by the addresses it
// resolves to (localhost: loopback), and a name that does not resolve is
// refused too.
func TestCheckURLResolvesNames(t *testing.T) {
	t.Parallel()
	s := New(false)
	if err := s.CheckURL(context.Background(), "https://localhost:8443/hooks"); err == nil {
		t.Error("localhost accepted")
	}
	if err := s.CheckURL(context.Background(), "https://nothing-here.invalid/hooks"); err == nil {
		t.Error("an unresolvable name accepted")
	}
	if err := s.CheckURL(context.Background(), "https://93.184.216.34/hooks"); err != nil {
		t.Errorf("a public address refused: %v", err)
	}
	if err := New(true).CheckURL(context.Background(), "http://127.0.0.1:8080/hooks"); err != nil {
		t.Errorf("allowed private refused: %v", err)
	}
}

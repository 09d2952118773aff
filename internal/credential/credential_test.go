package credential_test

import (
	"strings"
	"testing"

	"github.com/recouvra/recouvra/internal/credential"
)

// cheap keeps the tests fast; the format and logic are the same.
var cheap = credential.Params{Memory: 64, Time: 1, Threads: 1}

func TestHashAndVerify(t *testing.T) {
	h, err := cheap.Hash("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("unexpected format %q", h)
	}
	if ok, err := credential.Verify("correct horse battery staple", h); err != nil || !ok {
		t.Fatalf("right password: %v %v", ok, err)
	}
	if ok, _ := credential.Verify("correct horse battery stapl", h); ok {
		t.Fatal("wrong password accepted")
	}
	h2, _ := cheap.Hash("correct horse battery staple")
	if h == h2 {
		t.Fatal("two hashes of one password must differ (salt)")
	}
}

func TestVerifyUsesTheParamsInTheHash(t *testing.T) {
	h, _ := credential.DefaultParams.Hash("a long enough password")
	if ok, err := credential.Verify("a long enough password", h); err != nil || !ok {
		t.Fatalf("%v %v", ok, err)
	}
}

func TestMalformedHashes(t *testing.T) {
	for _, h := range []string{"", "plain", "$argon2i$v=19$m=64,t=1,p=1$c2FsdA$a2V5", "$argon2id$v=18$m=64,t=1,p=1$c2FsdA$a2V5",
		"$argon2id$v=19$m=64,t=0,p=1$c2FsdA$a2V5", "$argon2id$v=19$m=64,t=1,p=1$!!$a2V5", "$argon2id$v=19$m=64,t=1,p=1$c2FsdA$"} {
		if _, err := credential.Verify("x", h); err == nil {
			t.Errorf("%q: want an error", h)
		}
	}
}

func TestTokens(t *testing.T) {
	a, ha, err := credential.NewToken(credential.SessionPrefix)
	if err != nil {
		t.Fatal(err)
	}
	b, _, _ := credential.NewToken(credential.SessionPrefix)
	if a == b || !strings.HasPrefix(a, "rcv_s_") || len(a) != len("rcv_s_")+43 {
		t.Fatalf("tokens %q %q", a, b)
	}
	if string(credential.HashToken(a)) != string(ha) || len(ha) != 32 {
		t.Fatal("HashToken must reproduce the stored hash")
	}
}

package recouvra_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/recouvra/recouvra/internal/recouvra"
)

func TestErrorCodeThroughWrapping(t *testing.T) {
	base := recouvra.Errorf(recouvra.ECodeNotFound, "Dossier introuvable.")
	wrapped := fmt.Errorf("load case: %w", base)
	if got := recouvra.ErrorCode(wrapped); got != recouvra.ECodeNotFound {
		t.Fatalf("code = %q", got)
	}
	if got := recouvra.ErrorMessage(wrapped); got != "Dossier introuvable." {
		t.Fatalf("message = %q", got)
	}
	if got := recouvra.ErrorCode(errors.New("boom")); got != recouvra.ECodeInternal {
		t.Fatalf("plain errors must be internal, got %q", got)
	}
	if got := recouvra.ErrorMessage(errors.New("pq: secret table")); got == "pq: secret table" {
		t.Fatal("internal error text must not leak")
	}
	if recouvra.ErrorCode(nil) != "" {
		t.Fatal("nil has no code")
	}
}

func TestInvalidCarriesFields(t *testing.T) {
	err := recouvra.Invalid("Données invalides.", recouvra.FieldError{Field: "body.email", Code: "required", Message: "obligatoire"})
	if err.Code != recouvra.ECodeInvalid || len(err.Fields) != 1 {
		t.Fatalf("%+v", err)
	}
	if err.Error() != "validation: Données invalides.; body.email required" {
		t.Fatalf("Error() = %q", err.Error())
	}
}

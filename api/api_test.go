package api_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/recouvra/recouvra/api"
)

func TestSpecIsValidOpenAPI(t *testing.T) {
	if _, err := api.Load(context.Background(), api.Spec); err != nil {
		t.Fatal(err)
	}
}

// TestGeneratedCodeIsCurrent regenerates the server code from the spec and
// fails when the committed file differs: edit the spec, then `make generate`.
func TestGeneratedCodeIsCurrent(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	// The same configuration, writing to a temporary file instead.
	conf, err := os.ReadFile(filepath.Join(root, "api/oapi-codegen.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	out := filepath.Join(tmp, "api.gen.go")
	outLine := regexp.MustCompile(`(?m)^output:.*$`)
	if !outLine.Match(conf) {
		t.Fatal("api/oapi-codegen.yaml has no output: line")
	}
	conf = outLine.ReplaceAll(conf, []byte("output: "+out))
	confPath := filepath.Join(tmp, "oapi-codegen.yaml")
	if err := os.WriteFile(confPath, conf, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "tool", "oapi-codegen", "-config", confPath, "api/openapi.yaml")
	cmd.Dir = root
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("oapi-codegen: %v\n%s", err, msg)
	}
	fresh, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	committed, err := os.ReadFile(filepath.Join(root, "internal/httpapi/oapi/api.gen.go"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(fresh, committed) {
		t.Fatal("internal/httpapi/oapi/api.gen.go is stale: run `make generate` and commit the result")
	}
}

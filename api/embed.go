// Package api holds Recouvra's HTTP contract, api/openapi.yaml. The server
// interfaces in internal/httpapi/oapi are generated from it (see
// oapi-codegen.yaml); the running server validates requests against it and
// tests validate responses against it.
package api

import (
	"context"
	"crypto/sha256"
	_ "embed"
	"fmt"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
)

// Spec is the OpenAPI document, served at GET /api/openapi.yaml.
//
//go:embed openapi.yaml
var Spec []byte

// Load parses and validates an OpenAPI document (normally Spec). A process
// does it once per distinct document and shares the result: parsing and
// validating the contract takes seconds (several under the race detector),
// and every server and every test client needs it. The document is only
// read after loading (routers, request and response validation), so one
// copy serves them all; callers must not modify it.
func Load(ctx context.Context, data []byte) (*openapi3.T, error) {
	e, _ := loaded.LoadOrStore(sha256.Sum256(data), &loading{})
	l := e.(*loading)
	l.once.Do(func() { l.doc, l.err = load(context.WithoutCancel(ctx), data) })
	return l.doc, l.err
}

// loaded maps a document's SHA-256 to its one loading.
var loaded sync.Map

type loading struct {
	once sync.Once
	doc  *openapi3.T
	err  error
}

func load(ctx context.Context, data []byte) (*openapi3.T, error) {
	loader := openapi3.NewLoader()
	loader.Context = ctx
	doc, err := loader.LoadFromData(data)
	if err != nil {
		return nil, fmt.Errorf("load openapi spec: %w", err)
	}
	if err := doc.Validate(ctx); err != nil {
		return nil, fmt.Errorf("openapi spec is invalid: %w", err)
	}
	return doc, nil
}

// Package api holds Recouvra's HTTP contract, api/openapi.yaml. The server
// interfaces in internal/httpapi/oapi are generated from it (see
// oapi-codegen.yaml); the running server validates requests against it and
// tests validate responses against it.
package api

import (
	"context"
	_ "embed"
	"fmt"

	"github.com/getkin/kin-openapi/openapi3"
)

// Spec is the OpenAPI document, served at GET /api/openapi.yaml.
//
//go:embed openapi.yaml
var Spec []byte

// Load parses and validates an OpenAPI document (normally Spec).
func Load(ctx context.Context, data []byte) (*openapi3.T, error) {
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

# Recouvra — the two commands that matter are `make run` and `make test`.
GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)
BIN     := bin/recouvra

.PHONY: run build test vet fmt-check generate postgres-server pdf-tools bench bench-documents clean

## run: build, start the private PostgreSQL, migrate, load the demo agency and serve on http://127.0.0.1:8080
run: postgres-server build
	./$(BIN) demo
	./$(BIN) serve

## build: the single static binary in bin/
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/recouvra

## test: every check CI runs
test: postgres-server pdf-tools vet fmt-check
	$(GO) test -race -count=1 -timeout 10m ./...

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

## bench: the case-lifecycle performance figures on 1,000,000 cases (several minutes)
bench: postgres-server
	$(GO) test -run '^$$' -bench BenchmarkMillionCases -benchtime 2000x -timeout 30m ./internal/server/

## bench-documents: letters per second on one core against bare fpdf, and a 10,000-letter batch's peak memory
bench-documents: postgres-server
	$(GO) test -run '^$$' -bench BenchmarkLetters -benchtime 300x -cpu 1 -timeout 30m ./internal/server/

## generate: regenerate the server code from api/openapi.yaml
generate:
	$(GO) tool oapi-codegen -config api/oapi-codegen.yaml api/openapi.yaml

## postgres-server: make sure PostgreSQL server binaries exist (installs them with apt where it can)
postgres-server:
	@scripts/ensure-postgres.sh

## pdf-tools: make sure pdftotext exists (the document tests read PDFs back)
pdf-tools:
	@scripts/ensure-poppler.sh

clean:
	rm -rf bin

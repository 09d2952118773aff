# Recouvra — the two commands that matter are `make run` and `make test`.
GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)
BIN     := bin/recouvra

.PHONY: run build web web-deps web-test lint-api browser test fuzz vet fmt-check generate postgres-server pdf-tools bench bench-documents bench-bank bench-live bench-reference bench-import bench-webhooks bench-strategies clean

## run: build (web app included), start the private PostgreSQL, migrate, load the demo agency and serve on http://127.0.0.1:8080
run: postgres-server web build
	./$(BIN) demo
	./$(BIN) serve

## build: the single static binary in bin/
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/recouvra

## test: every check CI runs (the web app is built first: the end-to-end tests drive it in Chromium)
test: postgres-server pdf-tools browser vet fmt-check lint-api web-test web
	$(GO) test -race -count=1 -timeout 20m ./...
	$(GO) test -run '^$$' -fuzz '^FuzzGate$$' -fuzztime 20s -fuzzminimizetime 5s ./internal/server/

## fuzz: fuzz the contract gate for longer (random bodies, queries and headers on every operation; any 5xx fails)
fuzz: postgres-server
	$(GO) test -run '^$$' -fuzz '^FuzzGate$$' -fuzztime 5m -fuzzminimizetime 10s ./internal/server/

## web: build the web app into web/dist/app, which the binary embeds (needs Node.js and npm)
web: web-deps
	cd web && npm run build

## web-test: type-check the web app and run its unit tests
web-test: web-deps
	cd web && npx tsc --noEmit && npm test

## lint-api: lint the contract (api/openapi.yaml) with Spectral, its OpenAPI rules and the OWASP API Security ruleset (api/.spectral.yaml); any error fails
lint-api: web-deps
	cd web && npx spectral lint ../api/openapi.yaml --ruleset ../api/.spectral.yaml --fail-severity error

# npm ci when the lock file is newer than the installed packages.
web-deps: web/node_modules/.package-lock.json
web/node_modules/.package-lock.json: web/package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "Node.js and npm are needed for the web app: apt-get install nodejs npm"; exit 1; }
	cd web && npm ci --no-audit --no-fund
	@touch $@

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

## bench-live: the live event stream with 5,000 and 20,000 subscribers over 500 creditors: commit-to-client latency, memory per connection, CPU, drops
bench-live: postgres-server
	$(GO) test -run '^$$' -bench BenchmarkLiveStream -benchtime 1x -timeout 30m ./internal/server/

## bench-reference: the hot paths (a case, case lists, queue, claim-next, a 20-claim statement, a payment) through the API beside a minimal net/http + pgx handler doing the same database work, on 200,000 cases: p50/p99, requests/s at 16 and 64 clients, ratio (about 4 minutes on a quiet machine)
bench-reference: postgres-server
	$(GO) test -run '^$$' -bench BenchmarkReference -benchtime 300x -timeout 40m ./internal/server/

## bench-strategies: the strategy engine's nightly pass on 1,000,000 cases (selection and planning) against the fair reference (the same rows by one INSERT … SELECT each into tables with the same indexes and constraints), letters and e-mails per second, peak RSS, queue claim p99 while it runs
bench-strategies: postgres-server
	$(GO) test -run '^$$' -bench BenchmarkStrategies -benchtime 1x -timeout 60m ./internal/server/

## bench-bank: import and match a generated 100,000-entry camt.053 (entries/s, share booked, peak RSS) against a raw COPY of the same entries
bench-bank: postgres-server
	$(GO) test -run '^$$' -bench BenchmarkBankImport -benchtime 1x -timeout 90m ./internal/server/

## bench-import: place a generated 1,000,000-row CSV into a fresh database (rows/s, peak RSS) against psql \copy of the same rows' results
bench-import: postgres-server
	$(GO) test -run '^$$' -bench BenchmarkPlacementImport -benchtime 1x -timeout 90m ./internal/server/

## bench-webhooks: deliveries per second to a local receiver and commit-to-delivery p50/p99
bench-webhooks: postgres-server
	$(GO) test -run '^$$' -bench BenchmarkWebhookDeliveries -benchtime 1x -timeout 30m ./internal/server/

## generate: regenerate the server code and the web app's API types from api/openapi.yaml
generate:
	$(GO) tool oapi-codegen -config api/oapi-codegen.yaml api/openapi.yaml
	@if [ -d web/node_modules ]; then cd web && npm run --silent generate; fi

## postgres-server: make sure PostgreSQL server binaries exist (installs them with apt where it can)
postgres-server:
	@scripts/ensure-postgres.sh

## browser: make sure Chromium exists (the end-to-end tests drive it)
browser:
	@scripts/ensure-chromium.sh

## pdf-tools: make sure pdftotext exists (the document tests read PDFs back)
pdf-tools:
	@scripts/ensure-poppler.sh

clean:
	rm -rf bin web/dist/app web/node_modules

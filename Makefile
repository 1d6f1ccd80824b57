# markwatch — two commands for a new user: `make run` and `make test`.
# Both install what they need (Go modules, the pinned Meilisearch binary).

GO        ?= go
BIN       := bin/markwatch
MEILI     := .tools/meilisearch
PKGS      := ./...

.PHONY: run test test-short bench build deps meilisearch chromium fonts postgres fuzz vet fmt lint clean eval

# The first build on a fresh clone compiles every dependency (the SQLite
# driver alone is large): say so, since go build prints nothing meanwhile.
build: deps
	@[ -x $(BIN) ] || echo "==> building $(BIN): the first build compiles every dependency, about 1-2 minutes on 2 cores; later builds take seconds"
	$(GO) build -o $(BIN) ./cmd/markwatch

deps:
	@command -v $(GO) >/dev/null || { echo "make: Go 1.26 is required (https://go.dev/dl/)"; exit 1; }
	@GOPROXY=off $(GO) mod download >/dev/null 2>&1 || echo "==> downloading Go modules (first time only, about 150 MB, up to a minute)..."
	$(GO) mod download

chromium:
	./deploy/scripts/install-chromium.sh

## fonts: CJK fonts (case packets), pdftotext and openssl (their tests).
fonts:
	./deploy/scripts/install-fonts.sh

## postgres: Debian's PostgreSQL server (initdb, postgres), which tests run throwaway clusters of
## (internal/pgtest); prints the directory holding it.
postgres:
	./deploy/scripts/postgres.sh

meilisearch: $(MEILI)
$(MEILI): deploy/scripts/install-meilisearch.sh
	@echo "==> installing the pinned Meilisearch 1.21.0 into .tools/ (linux/amd64; first time only)"
	./deploy/scripts/install-meilisearch.sh
	@# touch only a binary the script installed: an empty file would shadow one on PATH
	@[ ! -e $(MEILI) ] || touch $(MEILI)

## run: start the daemon on its embedded defaults with the local demo marketplace.
run: build meilisearch
	@echo "==> starting markwatch with the demo marketplace; the first crawl takes about a minute, then it prints where to look"
	./$(BIN) serve --demo

## test: every test, with the race detector, including integration tests on a real Meilisearch and PostgreSQL.
# -race needs cgo; the pure-Go build elsewhere does not.
test: deps meilisearch chromium fonts postgres
	@echo "==> running every test with -race: compiling them takes a few minutes the first time, the run itself 10-20 minutes on 2 cores"
	CGO_ENABLED=1 CI=$${CI:-1} $(GO) test -race -count=1 -timeout 20m $(PKGS)
	@echo "==> the store's tests again, on PostgreSQL (one shared suite, docs/DISTRIBUTED.md)"
	CGO_ENABLED=1 CI=$${CI:-1} MARKWATCH_TEST_STORE=postgres $(GO) test -race -count=1 -timeout 10m ./internal/store/
	@echo "==> the browser test's screenshots: $${MARKWATCH_SCREENSHOT_DIR:-$(CURDIR)/bin/screenshots}"

test-short: deps
	CGO_ENABLED=1 $(GO) test -race -short -count=1 $(PKGS)

## bench: matcher, crawler, pipeline (with and without evidence capture), evidence, search,
## store (PostgreSQL beside SQLite), migrate-store and worker-process benchmarks with their
## baselines and ratios.
# Each benchmark measures its baseline in the same run and reports the ratio.
bench: deps meilisearch postgres
	$(GO) test -run '^$$' -bench . -benchmem ./internal/match/ ./internal/imagesig/ ./internal/crawl/ ./internal/app/ ./internal/store/ ./internal/pipeline/ ./internal/evidence/ ./internal/index/ ./internal/storecopy/ ./internal/distributedtest/

## fuzz: every Fuzz target in the module (found by go test -list), each for FUZZTIME of real
## fuzzing (default 10s) after its corpus is replayed, minimisation off; prints each target's
## executions and fails on a crasher or a target under FUZZ_MIN_EXECS (default 500).
## Not part of CI's budget: `make test` runs every seed corpus. E.g. make fuzz FUZZTIME=1m FUZZ_RUN=FuzzSet
fuzz: deps
	GO=$(GO) ./deploy/scripts/fuzz.sh

## eval: precision and recall on the labelled sets; rewrites README.md's quality table.
eval: build
	./$(BIN) eval --registry internal/evaluate/testdata/registry.yaml --cases internal/evaluate/testdata/dev.jsonl
	./$(BIN) eval --registry internal/evaluate/testdata/real/registry.yaml --cases internal/evaluate/testdata/real/cases.jsonl
	MARKWATCH_UPDATE_README=1 $(GO) test -count=1 -run '^TestREADMEQualityTable$$' ./internal/evaluate/

vet:
	$(GO) vet $(PKGS)

## lint: formatting, go vet, staticcheck (pinned, installed under .tools/, not in go.mod;
## checks in staticcheck.conf) and the architecture's import rules (CI runs it).
STATICCHECK_VERSION := v0.8.2
STATICCHECK := .tools/staticcheck-$(STATICCHECK_VERSION)/staticcheck
$(STATICCHECK):
	GOBIN=$(CURDIR)/$(dir $(STATICCHECK)) $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

lint: deps $(STATICCHECK)
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)
	$(STATICCHECK) $(PKGS)
	$(GO) test -count=1 -run '^TestImportRules$$' ./internal/app/

fmt:
	gofmt -w $$(git ls-files '*.go')

clean:
	rm -rf bin data

# The two commands a new user needs: `make run` and `make test`. Both find PostgreSQL on their
# own (DATABASE_URL, else 127.0.0.1:5432, else a private cluster started under .data/).

GO ?= go
# The race detector needs cgo and a C compiler; without them the tests still run, unraced.
RACE := $(shell [ "$$($(GO) env CGO_ENABLED)" = 1 ] && command -v gcc >/dev/null 2>&1 && echo -race)
CONTRACT := ../shared/contract/check-contract
# The schema: schema.graphqls (the roots and shared types) and each area's file in graph/schema/
SCHEMA := schema.graphqls $(wildcard graph/schema/*.graphqls)

.PHONY: run test bench loadtest build generate check db-stop assets client httpaudit schemalint screenshots pgbouncer

## run: build, migrate and serve at http://localhost:8080 (the web app; the playground at /playground)
run: assets
	$(GO) run .

## test: vet, then every test against a real PostgreSQL, each package on a fresh database:
## the server's packages, the end-to-end tests (e2e/, a module of its own), then the web app's
## browser tests (`npm test` in web/: Playwright specs in Debian's Chromium, against the real
## server that e2e/webfixture starts). Without npm or Chromium those are skipped, but with CI set
## they fail.
test: assets httpaudit schemalint pgbouncer
	$(GO) vet ./...
	cd e2e && $(GO) vet ./...
	$(GO) test $(RACE) -count=1 ./...
	cd e2e && $(GO) test $(RACE) -count=1 ./...
	@if [ -n "$$CI" ] || { command -v npm >/dev/null 2>&1 && [ -x "$${CHROMIUM:-/usr/bin/chromium}" ]; }; then \
	  cd web && npm test; \
	else echo "make test: the web app's browser tests need npm and Chromium (apt-get install chromium): skipped"; fi

## pgbouncer: Debian's PgBouncer for e2e/pgbouncer_test.go, installed where missing (as root with
## apt-get); elsewhere that test is skipped, but with CI set it fails
pgbouncer:
	@[ -x "$${PGBOUNCER:-/usr/sbin/pgbouncer}" ] || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends pgbouncer >/dev/null; } ; } || \
	  echo "make test: the PgBouncer test needs pgbouncer (apt-get install pgbouncer): skipped"

## screenshots: the web specs, saving the pages they visit at 1280×800 and 390×844 into screenshots/ (not committed)
screenshots: assets
	rm -rf screenshots && mkdir -p screenshots
	cd web && WEB_SCREENSHOTS="$(CURDIR)/screenshots" npm test
	@echo "screenshots in screenshots/: $$(ls screenshots | wc -l) files"

## bench: (the graph benchmarks include the live fan-out: 1,000 subscribers of one project, the
## delay from a mutation's answer to each delivery and statements per change; and the memory of
## 10,000 idle subscribers, in the hub alone and over real WebSocket and SSE connections) the bulk-invite benchmarks (10,000 rows through the GraphQL handler), peak heap and RSS
## included, each against a COPY of the same rows into a table shaped like invites (x-copy);
## then a 10,000-row bulk invite with webhooks off, on without an endpoint, and with one
## endpoint: the call's time and statements, and the time until a receiver has every post
## and then the delay from a commit to a live subscriber (p50, p99 over 1,000 changes) and what the
## live trigger adds to 10,000 invites inserted at once, and the commits/s of 10 writers whose
## trigger publishes with pg_notify against a row in live_changes (x-notify); and the times that tests bound by work
## instead (a refusal by each query limit, a 5 MiB CSV of commas alone and eight at once, a
## request cut at its deadline); and createInvite by 10 callers on one project beside a raw
## transaction writing the same rows at 10 connections (x-raw: their ratio)
bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 5x ./graph/ ./internal/invitecsv/
	$(GO) test -run '^$$' -bench BulkInvite_Webhooks -benchtime 1x ./internal/webhooks/
	$(GO) test -run '^$$' -bench CommitToSubscriber -benchtime 1000x ./internal/live/
	$(GO) test -run '^$$' -bench Insert10000Invites -benchtime 5x ./internal/live/
	$(GO) test -run '^$$' -bench Publish_10Writers -benchtime 4000x ./internal/live/
	$(GO) test -run '^$$' -bench CreateInvite_OneProject -benchtime 2000x ./internal/invites/

## loadtest (e2e/loadtest): seeds the database invites_loadtest (dropped and made afresh), serves it with the
## real server binary and PostGraphile 4.14.1 (npm, pinned in e2e/loadtest/postgraphile/), and
## prints req/s, p50 and p99 per scenario at 10 and 50 connections (a few minutes; loopback
## only). Options: make loadtest LOADTEST_FLAGS='-server-env DB_MAX_IDLE_CONNS=2 -duration 8s'
loadtest:
	@if command -v npm >/dev/null 2>&1; then \
	  cd e2e/loadtest/postgraphile && { [ -f node_modules/.package-lock.json ] && [ ! package-lock.json -nt node_modules/.package-lock.json ] || npm ci --no-audit --no-fund; }; \
	  else echo "npm is not installed: the load test runs without PostGraphile"; fi
	cd e2e && $(GO) run ./loadtest $$(command -v npm >/dev/null 2>&1 || echo -postgraphile=false) $(LOADTEST_FLAGS)

## build: the server binary in bin/invites
build: assets
	$(GO) build -o bin/invites .

## assets: GraphiQL and React from npm (pinned in playground/package-lock.json), copied into
## internal/playground/assets/ to be embedded, so the playground needs no CDN; and the web app
## (web/, npm packages pinned in web/package-lock.json) built with Vite into internal/webapp/dist/
## (it compiles ../client/src, whose graphql-ws resolves in client/node_modules: installed first)
assets:
	./playground/build.sh
	./web/build.sh

## httpaudit: graphql-http (pinned in e2e/httpaudit/package-lock.json), whose GraphQL-over-HTTP
## audit e2e/graphql_over_http_audit_test.go runs against the real server
httpaudit:
	./e2e/httpaudit/install.sh

## schemalint: ESLint and graphql-eslint (pinned in e2e/schemalint/package-lock.json), whose
## recommended and Relay schema rules e2e/schema_lint_test.go runs over the schema
schemalint:
	./e2e/schemalint/install.sh

## client: regenerate the typed client (client/src/generated/) from the schema and
## client/operations, build the package (client/dist/), type-check it with its examples (urql,
## Apollo Client 3 and 4, Relay, graphql-request), test it, and install its tarball into a fresh
## Vite app and into node (needs node 20+ and npm; quick when nothing changed)
client:
	bash client/check.sh

## generate: regenerate gqlgen's code from the schema, and bring e2e/go.mod to the server's
## dependencies (after `go get MODULE@VERSION`, this is the whole upgrade)
generate:
	$(GO) generate ./...
	$(GO) mod tidy
	cd e2e && $(GO) mod tidy

## check: formatting, vet, and the API contract (where ../shared is beside this checkout)
check:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	cd e2e && $(GO) vet ./...
	@cd e2e && $(GO) mod tidy -diff >/dev/null || { echo "e2e/go.mod is not tidy: run make generate"; exit 1; }
	@if [ -x $(CONTRACT) ]; then $(CONTRACT) $(SCHEMA); else echo "no $(CONTRACT): contract not checked"; fi

## db-stop: stop the private PostgreSQL under .data/, if one runs
db-stop:
	$(GO) run ./internal/pglocal/dbstop

#!/bin/sh
# Installs graphql-http as pinned in package-lock.json, for the GraphQL-over-HTTP audit
# (e2e/graphql_over_http_audit_test.go). make test runs this; npm ci runs only when the lock changed.
set -eu
cd "$(dirname "$0")"
if ! command -v npm >/dev/null 2>&1; then
	echo "e2e/httpaudit/install.sh: npm is not installed: the GraphQL-over-HTTP audit will be skipped" >&2
	exit 0
fi
stamp=node_modules/.package-lock.json
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ] || [ package.json -nt "$stamp" ]; then
	npm ci --no-audit --no-fund
fi

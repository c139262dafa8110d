#!/bin/sh
# Installs ESLint and graphql-eslint as pinned in package-lock.json, for the schema lint
# (e2e/schema_lint_test.go, eslint.config.mjs). make test runs this; npm ci runs only when the
# lock changed.
#
# The pins: @graphql-eslint/eslint-plugin 4.4.1 (the newest; it supports Node 18 and up) and
# ESLint 10 (Node 20.19 and up). package.json's overrides hold three of the plugin's transitive
# packages (through graphql-config) at their last releases for Node 20, since the newer ones ask
# for Node 22.15: @whatwg-node/promise-helpers 1.3.2 (2.x only drops a deprecated function),
# @whatwg-node/disposablestack 0.0.6 (0.1.0 changes only its engines and that dependency), and
# @graphql-tools/url-loader 9.1.10 (loads schemas from URLs, which the lint never does).
set -eu
cd "$(dirname "$0")"
if ! command -v npm >/dev/null 2>&1; then
	echo "e2e/schemalint/install.sh: npm is not installed: the schema lint will be skipped" >&2
	exit 0
fi
stamp=node_modules/.package-lock.json
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ] || [ package.json -nt "$stamp" ]; then
	npm ci --no-audit --no-fund --engine-strict
fi

#!/usr/bin/env bash
# Installs the pinned packages (install.sh), regenerates src/generated/ from the schema
# (../schema.graphqls and ../graph/schema/*.graphqls) and operations/ (validating every document
# against the schema, and failing when a root field has no operation), and type-checks src/,
# example/ and test/ with tsc --noEmit --strict: the examples use urql's and Apollo Client's
# types. `make client` runs it.
set -euo pipefail
cd "$(dirname "$0")"

./install.sh

# codegen reports every step even with --errors-only; show its output only when it fails.
if ! out=$(npm run --silent generate 2>&1); then
  echo "$out" >&2
  exit 1
fi
npm run --silent typecheck
echo "client: generated src/generated/ and type-checked src/, example/ (urql, Apollo Client) and test/"

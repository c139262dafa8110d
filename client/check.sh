#!/usr/bin/env bash
# Installs the pinned packages (only when package-lock.json changed since the last install),
# regenerates src/generated/ from ../schema.graphqls and operations/ (validating every document
# against the schema), and type-checks src/ and example/ with tsc --strict. `make client` runs it.
set -euo pipefail
cd "$(dirname "$0")"

command -v npm >/dev/null 2>&1 || { echo "client: needs node (20 or later) and npm" >&2; exit 1; }

# npm ci deletes node_modules and installs again; skip it while the lock file is unchanged.
stamp=node_modules/.package-lock.sha256
want=$(sha256sum package.json package-lock.json | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  # --loglevel=error: some of codegen's dependencies ask for node 22 but run on 20, and say so.
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
fi

# codegen reports every step even with --errors-only; show its output only when it fails.
if ! out=$(npm run --silent generate 2>&1); then
  echo "$out" >&2
  exit 1
fi
npm run --silent typecheck
echo "client: generated src/generated/ and type-checked"

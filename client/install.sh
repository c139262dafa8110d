#!/usr/bin/env bash
# Installs the pinned packages with npm ci when node_modules is missing or package.json or
# package-lock.json changed since the last install. check.sh (make client), the live test
# (e2e/typed_client_test.go) and make assets (web/ compiles ../client/src) run it, so a fresh
# clone needs nothing installed by hand.
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

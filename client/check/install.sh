#!/usr/bin/env bash
# Proves that the package installs as a user gets it (check.sh runs this after the build): packs
# it with npm pack, installs the tarball into a fresh Vite + TypeScript app (app/) in a temporary
# folder beside only the peer dependencies an app brings (README's install line), type-checks
# and builds the app, then imports the documents and helpers from plain node, as an ES module
# and with require(). Needs only the npm registry (or npm's cache).
set -euo pipefail
cd "$(dirname "$0")/.."

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The versions that make client tests with: the client's own pins.
pin() { node -p "require('./package.json').devDependencies['$1']"; }
peers=("@urql/core@$(pin @urql/core)" "graphql@$(pin graphql)" "graphql-ws@$(pin graphql-ws)")
sse="graphql-sse@$(pin graphql-sse)"

tarball=$(npm pack --ignore-scripts --loglevel=error --pack-destination "$tmp" | tail -n 1)
unexpected=$(tar -tzf "$tmp/$tarball" | grep -Ev '^package/(package\.json|README\.md|LICENSE|dist/(esm|cjs)/.+|dist/schema\.graphql)$' || true)
if [ -n "$unexpected" ]; then
  echo "client: npm pack ships files it should not:" >&2
  echo "$unexpected" >&2
  exit 1
fi

cp -R check/app/. "$tmp/app"
cd "$tmp/app"
# --legacy-peer-deps: npm adds no peer dependency of its own accord, so the named ones must do.
npm install --no-audit --no-fund --silent --legacy-peer-deps "../$tarball" "${peers[@]}"
npx --no-install tsc -p tsconfig.json
npx --no-install vite build --logLevel warn

# Plain node: the root needs no graphql-sse; '@invites/client/sse' does.
node --input-type=module -e "
import assert from 'node:assert/strict';
import { createClient, errorCode, MeDocument, websocket } from '@invites/client';
assert.equal(MeDocument.kind, 'Document');
assert.equal(errorCode({ graphQLErrors: [{ message: 'no', extensions: { code: 'FORBIDDEN' } }] }), 'FORBIDDEN');
createClient({ url: 'http://localhost:8080/graphql', subscriptions: websocket() }); // node 20: no WebSocket needed until a subscription
"
npm install --no-audit --no-fund --silent --legacy-peer-deps "$sse"
node --input-type=module -e "
import { createClient } from '@invites/client';
import { sse } from '@invites/client/sse';
createClient({ url: 'http://localhost:8080/graphql', subscriptions: sse() });
"
node -e "
const assert = require('node:assert/strict');
const { createClient, errorField, MeDocument } = require('@invites/client');
const { sse } = require('@invites/client/sse');
assert.equal(MeDocument.kind, 'Document');
assert.equal(errorField({ errors: [{ message: 'no', extensions: { code: 'BAD_USER_INPUT', field: 'name' } }] }), 'name');
createClient({ url: 'http://localhost:8080/graphql', subscriptions: sse() });
assert.ok(require('node:fs').existsSync('node_modules/@invites/client/dist/schema.graphql'));
"
echo "client: $tarball installs into a fresh Vite + TypeScript app (type-checked, built) and into node (import and require)"

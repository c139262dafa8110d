#!/usr/bin/env bash
# make client: installs the pinned packages (install.sh); regenerates src/generated/ from the
# server's schema and operations/ (validating every document against the schema, and failing
# when a root field has no operation); builds the package into dist/ (build.sh); checks that
# README.md's TypeScript is example/'s files (check/readme.mjs) and type-checks src/, example/
# (urql, Apollo Client 3 and 4, Relay through relay-compiler, graphql-request) and test/; runs
# the error readers' tests against each client's own error objects; and installs the packed
# tarball into a fresh Vite app and into node (check/install.sh). When nothing it reads changed
# since its last success, it stops after the install check.
set -euo pipefail
cd "$(dirname "$0")"

./install.sh

# Everything the steps below read; node_modules is install.sh's business.
inputs() {
  {
    node --version
    { find ../schema.graphqls ../graph/schema codegen.ts codegen operations src example test check \
        README.md LICENSE package.json package-lock.json tsconfig*.json build.sh check.sh install.sh \
        -type f -not -path '*/__generated__/*' -not -path 'test/dist/*' 2>/dev/null || true; } |
      LC_ALL=C sort | xargs sha256sum
  } | sha256sum | cut -d' ' -f1
}
stamp=node_modules/.check.sha256
if [ -f dist/esm/index.js ] && [ "$(cat "$stamp" 2>/dev/null)" = "$(inputs)" ]; then
  echo "client: nothing changed since the last check (rm $PWD/$stamp to run it again)"
  exit 0
fi
rm -f "$stamp"

# quiet runs a step whose output is only worth reading when it fails (codegen reports every
# step even with --errors-only; relay-compiler and node --test report every success).
quiet() {
  local out
  if ! out=$("$@" 2>&1); then
    echo "$out" >&2
    exit 1
  fi
}

quiet npm run --silent generate
npm run --silent build
(cd example && quiet ../node_modules/.bin/relay-compiler)
node check/readme.mjs
npx --no-install tsc -p tsconfig.json
npx --no-install tsc -p example/tsconfig.json
npx --no-install tsc -p example/tsconfig.apollo4.json
rm -rf test/dist
npx --no-install tsc -p test/tsconfig.json
quiet node --test test/dist/errors.test.js
bash check/install.sh

inputs > "$stamp"
echo "client: generated src/generated/, built dist/, type-checked src/, example/ (urql, Apollo Client 3 and 4, Relay, graphql-request) and test/, read each client's errors"

#!/usr/bin/env bash
# Builds the package into dist/ (npm run build; npm pack runs it as prepack): ES modules and
# CommonJS, each with its .d.ts, and the schema that relay-compiler reads.
set -euo pipefail
cd "$(dirname "$0")"

rm -rf dist
npx --no-install tsc -p tsconfig.build.json
npx --no-install tsc -p tsconfig.cjs.json
# dist/cjs's .js files are CommonJS although package.json says "type": "module".
echo '{ "type": "commonjs" }' > dist/cjs/package.json
cp src/generated/schema.graphql dist/schema.graphql

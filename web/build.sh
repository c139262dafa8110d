#!/bin/sh
# Builds the web app (web/src, with the typed client from client/src) with Vite into
# internal/webapp/dist/, where the server embeds it. make run, make build and make test run this
# through make assets; nothing it writes is committed but dist/README.md.
set -eu
cd "$(dirname "$0")"
out=../internal/webapp/dist

# Without npm the server still builds and serves the API; the app's pages then say how to
# build them (503), like the playground's.
if ! command -v npm >/dev/null 2>&1; then
	echo "web/build.sh: npm is not installed: skipping the web app (its pages will say so)" >&2
	exit 0
fi

# npm ci only when the installed tree may be stale: it deletes and reinstalls node_modules.
stamp=node_modules/.package-lock.json
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ] || [ package.json -nt "$stamp" ]; then
	# --loglevel=error: esbuild's install script is reported as not yet approved; its binary
	# comes from an optional dependency and works without it.
	npm ci --no-audit --no-fund --loglevel=error
fi

# Build again only when a source changed: the sources' hash is kept beside the build.
sum=$( (find src scripts ../client/src -type f | LC_ALL=C sort | xargs cat; cat index.html vite.config.ts tsconfig.json package-lock.json) | sha256sum | cut -d' ' -f1)
if [ -f "$out/index.html" ] && [ "$(cat "$out/.source.sha256" 2>/dev/null)" = "$sum" ]; then
	echo "web app in internal/webapp/dist/ is up to date"
	exit 0
fi
# Types, and no import circles among the app's modules (package.json's typecheck).
npm run --silent typecheck
rm -rf "$out/assets" "$out/index.html" "$out/.source.sha256"
npx --no-install vite build --logLevel warn
echo "$sum" > "$out/.source.sha256"
echo "web app built into internal/webapp/dist/"

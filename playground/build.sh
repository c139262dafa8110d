#!/bin/sh
# Copies GraphiQL and React, as pinned in package-lock.json, into internal/playground/assets/,
# where the server embeds them: the playground then needs no CDN. make run and make test run
# this; nothing it copies is committed.
set -eu
cd "$(dirname "$0")"
out=../internal/playground/assets

# Without npm the server still builds and serves the API (SPEC: make run needs only Go and
# PostgreSQL); the page at /playground then says how to build the playground.
if ! command -v npm >/dev/null 2>&1; then
	echo "playground/build.sh: npm is not installed: skipping the playground's assets (the page at /playground will say so)" >&2
	exit 0
fi

# npm ci only when the installed tree may be stale: it deletes and reinstalls node_modules,
# which takes seconds that make run should not spend every time.
stamp=node_modules/.package-lock.json
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ] || [ package.json -nt "$stamp" ]; then
	npm ci --no-audit --no-fund
fi

mkdir -p "$out"
# source in node_modules, then the name the server serves it under /playground/
while read -r src dst; do
	if [ ! -f "node_modules/$src" ]; then
		echo "playground/build.sh: node_modules/$src is missing; did a package change its layout?" >&2
		exit 1
	fi
	if ! cmp -s "node_modules/$src" "$out/$dst"; then
		cp "node_modules/$src" "$out/$dst"
	fi
done <<'FILES'
react/umd/react.production.min.js react.js
react-dom/umd/react-dom.production.min.js react-dom.js
graphiql/graphiql.min.js graphiql.js
graphiql/graphiql.min.css graphiql.css
graphiql/LICENSE graphiql.LICENSE.txt
react/LICENSE react.LICENSE.txt
react-dom/LICENSE react-dom.LICENSE.txt
FILES
echo "playground assets in internal/playground/assets/"

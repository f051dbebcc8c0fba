#!/usr/bin/env bash
# Rebuilds workspace/static/vendor/noble.js from the pinned npm packages (docs/workspace.md,
# "Vendored code"). Deterministic: the same lock file gives the same bytes, whose SHA-256
# workspace/static/vendor/SOURCE.md records. Run from anywhere; needs node and npm.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
cp "$here/package.json" "$here/package-lock.json" "$here/entry.js" "$scratch/"
cd "$scratch"
npm ci --no-audit --no-fund --ignore-scripts
./node_modules/.bin/esbuild entry.js --bundle --format=iife --target=es2020 \
  --legal-comments=inline --charset=utf8 --outfile=noble.js
cp noble.js "$repo/workspace/static/vendor/noble.js"
{
  for package in curves ciphers hashes; do
    echo "== @noble/$package $(node -p "require('./node_modules/@noble/$package/package.json').version") =="
    cat "node_modules/@noble/$package/LICENSE"
    echo
  done
} > "$repo/workspace/static/vendor/LICENSE"
sha256sum "$repo/workspace/static/vendor/noble.js"

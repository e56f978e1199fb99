#!/bin/sh
# Trunk post-build hook (Trunk.toml): writes sw.js into the built page — the service worker of
# src/web/offline/sw.js preceded by VERSION (a hash of every built file) and ASSETS (their names),
# so the page can be kept for offline use without a hand-kept list that goes stale.
set -eu
src="${TRUNK_SOURCE_DIR:-.}/src/web/offline/sw.js"
out="${TRUNK_STAGING_DIR:?run by trunk build}"
cd "$out"
files=$(find . -type f ! -name sw.js | sed 's|^\./||' | LC_ALL=C sort)
version=$(for f in $files; do printf '%s\n' "$f"; cat "$f"; done | sha256sum | cut -c1-16)
{
  printf '// Made by src/web/offline/manifest.sh at build time.\n'
  printf "const VERSION = '%s';\n" "$version"
  printf 'const ASSETS = [\n'
  for f in $files; do printf "  '%s',\n" "$f"; done
  printf '];\n\n'
  cat "$src"
} > sw.js

#!/usr/bin/env bash
# Installs the npm packages of Fovea's Node.js test helpers, from their committed package-lock.json:
#   fovea-app/src/test/node/customvision   Azure's official Custom Vision prediction client
#                                          (@azure/cognitiveservices-customvision-prediction 5.1.2), which
#                                          the Custom Vision compatibility tests drive Fovea with.
# Runs `npm ci` only when node_modules is missing or older than package-lock.json; otherwise says so and
# does nothing (no network). Needs Node.js (20 or newer) and npm: Debian packages nodejs and npm.
# Usage: scripts/install-node-test-deps.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIRS=(fovea-app/src/test/node/customvision)

say() { echo "install-node-test-deps: $*" >&2; }
die() { say "error: $*"; exit 1; }

missing=()
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ "${#missing[@]}" -gt 0 ]; then
  die "Node.js/npm not found on PATH (missing: ${missing[*]}).
  install them as root, e.g.:
    sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nodejs npm"
fi

for rel in "${DIRS[@]}"; do
  dir="$ROOT/$rel"
  [ -f "$dir/package-lock.json" ] || die "$rel/package-lock.json not found"
  # node_modules/.package-lock.json is written by npm at the end of every install: its age is the install's.
  marker="$dir/node_modules/.package-lock.json"
  if [ -f "$marker" ] && [ ! "$dir/package-lock.json" -nt "$marker" ]; then
    say "$rel: node_modules is up to date"
    continue
  fi
  say "$rel: npm ci (node $(node --version), npm $(npm --version))"
  (cd "$dir" && npm ci --no-audit --no-fund >&2) || die "npm ci failed in $rel"
  [ -f "$marker" ] || die "npm ci in $rel left no node_modules/.package-lock.json"
  touch "$marker"
done

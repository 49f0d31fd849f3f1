#!/bin/sh
# Prepares a fresh checkout: Node 22 (see node22.sh) and the locked dependencies (npm ci), once.
# Re-run after package-lock.json changes; it is a no-op when node_modules matches the lock file.
set -e
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
stamp=node_modules/.devmesh-installed
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  sh scripts/node22.sh npm ci --no-audit --no-fund
  touch "$stamp"
fi

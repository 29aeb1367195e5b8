#!/bin/sh
# Runs a command under Node 24 or newer: the system node when it is new enough, otherwise the real
# Node 24 binary that the npm package `node@24` brings, kept in .tools/ (fetched once, from the npm registry).
# On a fresh clone (or after the lockfile changed) it first installs the dependencies with `npm ci`, so that
# `npm run demo` and `npm test` are the only commands a new user needs.
set -e
root=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$major" -lt 24 ]; then
  bin="$root/.tools/node24/node_modules/node/bin"
  if [ ! -x "$bin/node" ]; then
    echo "esb: system Node is v$major; fetching Node 24 from the npm registry into .tools/node24 (once)" >&2
    mkdir -p "$root/.tools/node24"
    npm install --prefix "$root/.tools/node24" --no-save --no-package-lock --no-audit --no-fund --loglevel=error node@24 >&2
  fi
  PATH="$bin:$PATH"
  export PATH
fi
if [ -z "${ESB_NO_AUTO_INSTALL:-}" ]; then
  stamp="$root/node_modules/.package-lock.json"
  if [ ! -f "$stamp" ] || [ "$root/package-lock.json" -nt "$stamp" ]; then
    echo "esb: installing dependencies (npm ci) ..." >&2
    (cd "$root" && npm ci --no-audit --no-fund --loglevel=error) >&2
  fi
fi
exec "$@"

#!/usr/bin/env bash
# Installs what the project needs on a machine that has none of it: npm packages (from the lock
# file), the Temporal CLI dev server, the time-skipping test server, the multi-service Temporal
# server for the cluster tests and Toxiproxy for the fault tier (all cached outside the clone).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ] || [ package.json -nt node_modules/.package-lock.json ]; then
  echo "order-tracker: installing npm packages" >&2
  # `npm install` with the lock file, not `npm ci`: npm 11 leaves other platforms' optional
  # packages (@swc/core-darwin-*, …) out of the lock and then `npm ci` refuses it as out of sync.
  npm install --no-audit --no-fund >&2
fi
echo "order-tracker: Temporal CLI at $(bash scripts/get-temporal-cli.sh)" >&2
# The cluster's server (test/cluster) builds from the CLI's Go build cache, in the background while
# Maven fetches the test server; a build already under way elsewhere is waited for (its lock).
server_log="$(mktemp)"
bash scripts/get-temporal-server.sh >"$server_log" 2>&1 &
server_build=$!
echo "order-tracker: time-skipping test server at $(bash scripts/get-test-server.sh)" >&2
if ! wait "$server_build"; then
  cat "$server_log" >&2
  rm -f "$server_log"
  echo "order-tracker: building the Temporal server failed (scripts/get-temporal-server.sh)" >&2
  exit 1
fi
echo "order-tracker: Temporal server (cluster) in $(tail -n 1 "$server_log")" >&2
rm -f "$server_log"
echo "order-tracker: Toxiproxy (fault tier) at $(bash scripts/get-toxiproxy.sh)" >&2

#!/usr/bin/env bash
# Installs what `npm test` needs on a machine that has none of it: what `npm start` needs
# (ensure-dev-deps.sh: npm packages, the Temporal CLI), then the time-skipping test server, the
# multi-service Temporal server for the cluster tests and Toxiproxy for the fault tier (all cached
# outside the clone).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/ensure-dev-deps.sh
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

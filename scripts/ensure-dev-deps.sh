#!/usr/bin/env bash
# What `npm start` (order-tracker dev) needs on a machine that has none of it: the npm packages (from
# the lock file) and the Temporal CLI, whose dev server it runs. The test servers are `npm test`'s
# (ensure-deps.sh): `npm start` neither fetches the time-skipping server nor builds the cluster's.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ] || [ package.json -nt node_modules/.package-lock.json ]; then
  echo "order-tracker: installing npm packages" >&2
  # `npm install` with the lock file, not `npm ci`: npm 11 leaves other platforms' optional
  # packages (@swc/core-darwin-*, …) out of the lock and then `npm ci` refuses it as out of sync.
  npm install --no-audit --no-fund >&2
fi
echo "order-tracker: Temporal CLI at $(bash scripts/get-temporal-cli.sh)" >&2

#!/usr/bin/env bash
# Installs what the project needs on a machine that has none of it: npm packages (from the lock
# file), the Temporal CLI dev server and the time-skipping test server (both cached outside the clone).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ] || [ package.json -nt node_modules/.package-lock.json ]; then
  echo "order-tracker: installing npm packages" >&2
  # `npm install` with the lock file, not `npm ci`: npm 11 leaves other platforms' optional
  # packages (@swc/core-darwin-*, …) out of the lock and then `npm ci` refuses it as out of sync.
  npm install --no-audit --no-fund >&2
fi
echo "order-tracker: Temporal CLI at $(bash scripts/get-temporal-cli.sh)" >&2
echo "order-tracker: time-skipping test server at $(bash scripts/get-test-server.sh)" >&2

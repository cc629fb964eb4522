#!/usr/bin/env bash
# npm start: the whole stack on embedded defaults (dev server with UI, sandbox, worker, demo orders).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-dev-deps.sh
exec node bin/order-tracker.js dev "$@"

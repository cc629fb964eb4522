#!/usr/bin/env bash
# npm test: install what is missing, check types and the workflow lint rule, then every test tier
# (jest.config.js: unit, sandbox, workflow, integration, browser, cluster) in one jest on two workers.
# `npm run test:<tier>` runs one tier alone.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
bash scripts/install-chromium.sh
echo "order-tracker: type check" >&2
npx tsc --noEmit -p .
echo "order-tracker: lint" >&2
npx eslint .
npx jest --ci "$@"

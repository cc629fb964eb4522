#!/usr/bin/env bash
# Installs Debian's Prometheus when it is missing, for the alert rules' tests: `promtool check rules`
# and `promtool test rules` over deploy/prometheus/, and a real Prometheus scraping a worker and the
# ingress (test/integration/alerts.test.ts starts its own; the package's service is not used).
# Prints the directory holding `prometheus` and `promtool` on stdout; progress goes to stderr.
set -euo pipefail
say() { echo "order-tracker: $*" >&2; }
source "$(dirname "${BASH_SOURCE[0]}")/toolchain.sh"

if ! command -v promtool >/dev/null 2>&1 || ! command -v prometheus >/dev/null 2>&1; then
  apt_install prometheus "the alert rules' tests"
fi
dirname "$(command -v promtool)"

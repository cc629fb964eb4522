#!/usr/bin/env bash
# The browser test drives Debian's Chromium through playwright-core: no browser can be downloaded
# here, so it comes from the distribution's packages. Installed once; later runs find it.
set -euo pipefail
say() { echo "order-tracker: $*" >&2; }
source "$(dirname "${BASH_SOURCE[0]}")/toolchain.sh"
[ -x /usr/bin/chromium ] || apt_install chromium "the browser test"

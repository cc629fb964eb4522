#!/usr/bin/env bash
# The browser test drives Debian's Chromium through playwright-core: no browser can be downloaded
# here, so it comes from the distribution's packages. Installed once; later runs find it.
set -euo pipefail
CHROMIUM=/usr/bin/chromium
if [ -x "$CHROMIUM" ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
  echo "order-tracker: $CHROMIUM is missing; install Debian's chromium package (apt-get install chromium)" >&2
  exit 1
fi
echo "order-tracker: installing Debian's chromium for the browser test" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update >&2
apt-get install -y chromium >&2

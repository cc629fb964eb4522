#!/usr/bin/env bash
# Installs redis-server (Debian package) for the benchmark's BullMQ contender.
# The bench starts its own redis-server on a free loopback port; nothing here starts a service.
set -euo pipefail
if command -v redis-server >/dev/null 2>&1; then
  echo "redis-server already installed: $(redis-server --version)"
  exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y redis-server
redis-server --version

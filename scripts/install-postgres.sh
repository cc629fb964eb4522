#!/usr/bin/env bash
# Installs Debian's PostgreSQL server when it is missing, for the ledger's PostgreSQL runs (the crash
# test starts a throwaway cluster of its own from these binaries; nothing here starts a server).
# Prints the directory of initdb/pg_ctl on stdout; progress and errors go to stderr.
set -euo pipefail

find_bin_dir() {
  # The newest installed major version (e.g. /usr/lib/postgresql/15/bin).
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | while read -r dir; do
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && [ -x "$dir/postgres" ]; then echo "$dir"; fi
  done | tail -n 1
}

bin_dir="$(find_bin_dir)"
if [ -n "$bin_dir" ]; then
  echo "$bin_dir"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "order-tracker: PostgreSQL is not installed and installing it needs root (apt-get install postgresql)" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "order-tracker: PostgreSQL is not installed and there is no apt-get to install it with" >&2
  exit 1
fi

echo "order-tracker: installing PostgreSQL from Debian (apt-get install postgresql)" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update >&2
apt-get install -y postgresql >&2

bin_dir="$(find_bin_dir)"
if [ -z "$bin_dir" ]; then
  echo "order-tracker: apt-get installed postgresql but no /usr/lib/postgresql/*/bin/initdb was found" >&2
  exit 1
fi
echo "$bin_dir"

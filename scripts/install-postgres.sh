#!/usr/bin/env bash
# Installs Debian's PostgreSQL server when it is missing, for the ledger's PostgreSQL runs (the crash
# test starts a throwaway cluster of its own from these binaries; nothing here starts a server).
# Prints the directory of initdb/pg_ctl on stdout; progress and errors go to stderr.
set -euo pipefail
say() { echo "order-tracker: $*" >&2; }
source "$(dirname "${BASH_SOURCE[0]}")/toolchain.sh"

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

apt_install postgresql "the ledger's PostgreSQL runs"

bin_dir="$(find_bin_dir)"
if [ -z "$bin_dir" ]; then
  echo "order-tracker: apt-get installed postgresql but no /usr/lib/postgresql/*/bin/initdb was found" >&2
  exit 1
fi
echo "$bin_dir"

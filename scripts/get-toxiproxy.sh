#!/usr/bin/env bash
# Prints the path of an executable Toxiproxy server on stdout, and nothing else there.
# Order: $TOXIPROXY_SERVER, `toxiproxy-server` on PATH, the cached build, else build it with
# `go install` from the Go module proxy (no release binaries can be downloaded on our machines).
# The fault tier (harness/faults/) puts it between every process and what it talks to.
# v2.5.0 is the newest version the module proxy serves for github.com/Shopify/toxiproxy/v2.
set -euo pipefail

readonly TOXIPROXY_VERSION=2.5.0
source "$(dirname "${BASH_SOURCE[0]}")/toolchain.sh"
readonly INSTALL_DIR="$CACHE_ROOT/toxiproxy-$TOXIPROXY_VERSION"
readonly SERVER_BINARY="$INSTALL_DIR/toxiproxy-server"

say() { echo "get-toxiproxy: $*" >&2; }

if [[ -n "${TOXIPROXY_SERVER:-}" ]]; then
  if [[ -f "$TOXIPROXY_SERVER" && -x "$TOXIPROXY_SERVER" ]]; then
    echo "$TOXIPROXY_SERVER"
    exit 0
  fi
  say "TOXIPROXY_SERVER=$TOXIPROXY_SERVER is not an executable file"
  exit 1
fi

if on_path="$(command -v toxiproxy-server)"; then
  echo "$on_path"
  exit 0
fi

if [[ -x "$SERVER_BINARY" ]]; then
  echo "$SERVER_BINARY"
  exit 0
fi

if ! command -v go >/dev/null; then
  say "no Toxiproxy server found (TOXIPROXY_SERVER, PATH, $SERVER_BINARY) and no Go toolchain to build one"
  exit 1
fi

hold_build_lock "$INSTALL_DIR" "building Toxiproxy"

if [[ ! -x "$SERVER_BINARY" ]]; then
  say "building Toxiproxy $TOXIPROXY_VERSION with go install (a minute or two the first time)"
  # Build into a scratch directory and rename, so nobody ever runs a half-written binary.
  build_dir="$(mktemp -d "$INSTALL_DIR/.build.XXXXXX")"
  trap 'rm -rf "$build_dir"' EXIT
  GOBIN="$build_dir" go install "github.com/Shopify/toxiproxy/v2/cmd/server@v$TOXIPROXY_VERSION" >&2
  mv "$build_dir/server" "$SERVER_BINARY"
  say "built $SERVER_BINARY"
fi

echo "$SERVER_BINARY"

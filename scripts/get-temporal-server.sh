#!/usr/bin/env bash
# Prints the directory holding a real multi-service Temporal server (`temporal-server`) and its SQL
# schema tool (`temporal-sql-tool`) on stdout, and nothing else there. Progress goes to stderr.
# Order: $TEMPORAL_SERVER_DIR, the cached build, else build both from the Go module proxy.
#
# The server is go.temporal.io/server at the version the Temporal CLI (our dev server) embeds, so
# the cluster runs the same server code as the dev server. `go install pkg@version` refuses modules
# with `replace` directives, so the build runs in a throwaway module in the cache that pins exactly
# the CLI's dependency versions (its go.mod and go.sum): the build list is the CLI's, and the Go
# build cache the CLI build filled is reused for every package they share.
set -euo pipefail

readonly SERVER_VERSION=1.29.1
readonly CLI_VERSION=1.5.1
source "$(dirname "${BASH_SOURCE[0]}")/toolchain.sh"
readonly INSTALL_DIR="$CACHE_ROOT/temporal-server-$SERVER_VERSION"

say() { echo "get-temporal-server: $*" >&2; }

if [[ -n "${TEMPORAL_SERVER_DIR:-}" ]]; then
  if [[ -x "$TEMPORAL_SERVER_DIR/temporal-server" && -x "$TEMPORAL_SERVER_DIR/temporal-sql-tool" ]]; then
    echo "$TEMPORAL_SERVER_DIR"
    exit 0
  fi
  say "TEMPORAL_SERVER_DIR=$TEMPORAL_SERVER_DIR does not hold executable temporal-server and temporal-sql-tool"
  exit 1
fi

is_built() { [[ -x "$INSTALL_DIR/temporal-server" && -x "$INSTALL_DIR/temporal-sql-tool" && -d "$INSTALL_DIR/schema" ]]; }

if is_built; then
  echo "$INSTALL_DIR"
  exit 0
fi

if ! command -v go >/dev/null; then
  say "no Temporal server in $INSTALL_DIR and no Go toolchain to build one"
  exit 1
fi

hold_build_lock "$INSTALL_DIR" "building the Temporal server"

if ! is_built; then
  say "building Temporal server $SERVER_VERSION and temporal-sql-tool with go build (takes several minutes the first time)"
  build_dir="$(mktemp -d "$INSTALL_DIR/.build.XXXXXX")"
  trap 'rm -rf "$build_dir"' EXIT
  cli_dir="$(go mod download -json "github.com/temporalio/cli@v$CLI_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  if [[ ! -f "$cli_dir/go.mod" ]]; then
    say "go mod download of github.com/temporalio/cli@v$CLI_VERSION gave no go.mod (dir: '$cli_dir')"
    exit 1
  fi
  sed 's|^module .*|module order-tracker/temporal-server-build|' "$cli_dir/go.mod" >"$build_dir/go.mod"
  cp "$cli_dir/go.sum" "$build_dir/go.sum"
  chmod u+w "$build_dir/go.mod" "$build_dir/go.sum"
  if ! grep -q "go.temporal.io/server v$SERVER_VERSION\$" "$build_dir/go.mod"; then
    say "the CLI $CLI_VERSION's go.mod does not require go.temporal.io/server v$SERVER_VERSION: update SERVER_VERSION"
    exit 1
  fi
  (
    cd "$build_dir"
    GOFLAGS=-mod=mod go build -o "$build_dir/bin/" go.temporal.io/server/cmd/server go.temporal.io/server/cmd/tools/sql >&2
  )
  server_module_dir="$(cd "$build_dir" && go list -m -f '{{.Dir}}' go.temporal.io/server)"
  rm -rf "$INSTALL_DIR/schema"
  cp -r "$server_module_dir/schema" "$INSTALL_DIR/schema"
  chmod -R u+w "$INSTALL_DIR/schema"
  mv "$build_dir/bin/sql" "$INSTALL_DIR/temporal-sql-tool"
  mv "$build_dir/bin/server" "$INSTALL_DIR/temporal-server"
  say "built $INSTALL_DIR/temporal-server and $INSTALL_DIR/temporal-sql-tool"
fi

echo "$INSTALL_DIR"

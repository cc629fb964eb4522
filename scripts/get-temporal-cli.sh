#!/usr/bin/env bash
# Prints the path of an executable Temporal CLI (the dev server) on stdout, and nothing else there.
# Order: $TEMPORAL_CLI, `temporal` on PATH, the cached build, else build it with `go install`.
# There is no download of release binaries on our machines, so the CLI is built from the Go
# module proxy (see "Temporal servers" in docs/operations.md). Progress goes to stderr.
set -euo pipefail

readonly CLI_VERSION=1.5.1
source "$(dirname "${BASH_SOURCE[0]}")/toolchain.sh"
readonly INSTALL_DIR="$CACHE_ROOT/temporal-cli-$CLI_VERSION"
readonly CLI_BINARY="$INSTALL_DIR/temporal"

say() { echo "get-temporal-cli: $*" >&2; }

if [[ -n "${TEMPORAL_CLI:-}" ]]; then
  if [[ -f "$TEMPORAL_CLI" && -x "$TEMPORAL_CLI" ]]; then
    echo "$TEMPORAL_CLI"
    exit 0
  fi
  say "TEMPORAL_CLI=$TEMPORAL_CLI is not an executable file"
  exit 1
fi

if on_path="$(command -v temporal)"; then
  echo "$on_path"
  exit 0
fi

if [[ -x "$CLI_BINARY" ]]; then
  echo "$CLI_BINARY"
  exit 0
fi

if ! command -v go >/dev/null; then
  say "no Temporal CLI found (TEMPORAL_CLI, PATH, $CLI_BINARY) and no Go toolchain to build one"
  exit 1
fi

hold_build_lock "$INSTALL_DIR" "building the Temporal CLI"

if [[ ! -x "$CLI_BINARY" ]]; then
  say "building Temporal CLI $CLI_VERSION with go install (takes several minutes the first time)"
  # Build into a scratch directory and rename, so nobody ever runs a half-written binary.
  build_dir="$(mktemp -d "$INSTALL_DIR/.build.XXXXXX")"
  trap 'rm -rf "$build_dir"' EXIT
  GOBIN="$build_dir" go install "github.com/temporalio/cli/cmd/temporal@v$CLI_VERSION" >&2
  mv "$build_dir/temporal" "$CLI_BINARY"
  say "built $CLI_BINARY"
fi

echo "$CLI_BINARY"

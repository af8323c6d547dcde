#!/usr/bin/env bash
# Builds the Temporal CLI and FerretDB from the Go module proxy into a cache outside the clone,
# so every later run (and CI on the same machine) reuses them. Prints the binary paths when done.
set -euo pipefail

TEMPORAL_VERSION="${TEMPORAL_CLI_VERSION:-1.5.1}"
FERRETDB_VERSION="${FERRETDB_VERSION:-1.24.2}"
CACHE_DIR="${MAESTRO_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/maestro/tools}"

log() { echo "[setup] $*" >&2; }

need_go() {
  if ! command -v go >/dev/null 2>&1; then
    log "Go >= 1.25 is required to build $1 (or set $2 to an existing binary)"
    exit 1
  fi
}

temporal_bin() {
  if [[ -n "${TEMPORAL_CLI:-}" ]]; then echo "$TEMPORAL_CLI"; return; fi
  local dir="$CACHE_DIR/temporal-$TEMPORAL_VERSION"
  if [[ -x "$dir/temporal" ]]; then echo "$dir/temporal"; return; fi
  if command -v temporal >/dev/null 2>&1; then command -v temporal; return; fi
  need_go "the Temporal CLI" TEMPORAL_CLI
  log "building Temporal CLI v$TEMPORAL_VERSION (first run only, several minutes)…"
  mkdir -p "$dir.tmp"
  GOBIN="$dir.tmp" GOFLAGS=-mod=mod go install "github.com/temporalio/cli/cmd/temporal@v$TEMPORAL_VERSION" >&2
  rm -rf "$dir" && mv "$dir.tmp" "$dir"
  log "Temporal CLI ready: $dir/temporal"
  echo "$dir/temporal"
}

ferretdb_bin() {
  if [[ -n "${FERRETDB_BIN:-}" ]]; then echo "$FERRETDB_BIN"; return; fi
  local dir="$CACHE_DIR/ferretdb-$FERRETDB_VERSION"
  if [[ -x "$dir/ferretdb" ]]; then echo "$dir/ferretdb"; return; fi
  if command -v ferretdb >/dev/null 2>&1; then command -v ferretdb; return; fi
  need_go "FerretDB" FERRETDB_BIN
  log "building FerretDB v$FERRETDB_VERSION (first run only, several minutes)…"
  local mod src
  mod="$(go mod download -json "github.com/FerretDB/FerretDB@v$FERRETDB_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",*$/\1/p')"
  src="$(mktemp -d)"
  cp -r "$mod/." "$src/"
  chmod -R u+w "$src"
  # The module zip lacks this generated file; without it the binary panics at start.
  mkdir -p "$src/build/version"
  echo "v$FERRETDB_VERSION" > "$src/build/version/version.txt"
  mkdir -p "$dir.tmp"
  (cd "$src" && go build -o "$dir.tmp/ferretdb" ./cmd/ferretdb) >&2
  rm -rf "$src" "$dir" && mv "$dir.tmp" "$dir"
  log "FerretDB ready: $dir/ferretdb"
  echo "$dir/ferretdb"
}

case "${1:-all}" in
  temporal) temporal_bin ;;
  ferretdb) ferretdb_bin ;;
  all)
    # The two Go builds are independent: run them side by side on a cold machine.
    out="$(mktemp -d)"
    temporal_bin > "$out/temporal" & t=$!
    ferretdb_bin > "$out/ferretdb" & f=$!
    wait $t && wait $f
    cat "$out/temporal" "$out/ferretdb"
    rm -rf "$out"
    ;;
  *) echo "usage: $0 [temporal|ferretdb|all]" >&2; exit 2 ;;
esac

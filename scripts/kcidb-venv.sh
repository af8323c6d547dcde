#!/usr/bin/env bash
# Prints the path of a Python interpreter that has kcidb-io (the KCIDB schema validator) installed,
# building a virtual environment for it first when the cache has none. The venv lives outside the clone,
# keyed by the kcidb-io version, so every test run and every worktree reuses it.
set -euo pipefail
VERSION="${KCIDB_IO_VERSION:-141}"
CACHE="${MAESTRO_KCIDB_VENV_CACHE:-$HOME/.cache/maestro}"
VENV="$CACHE/kcidb-venv-$VERSION"
PY="$VENV/bin/python"
if ! "$PY" -c 'import kcidb_io' >/dev/null 2>&1; then
  mkdir -p "$CACHE"
  # Built aside and moved in one step, so a concurrent run never sees half a venv. Only bin/python is
  # used, which finds its site-packages relative to itself, so the move is safe.
  TMP="$CACHE/.kcidb-venv-$VERSION.$$"
  rm -rf "$TMP"
  python3 -m venv "$TMP" >&2
  "$TMP/bin/python" -m pip install --quiet --disable-pip-version-check "kcidb-io==$VERSION" >&2
  rm -rf "$VENV.old" && { [ ! -e "$VENV" ] || mv "$VENV" "$VENV.old"; }
  mv -T "$TMP" "$VENV" 2>/dev/null || rm -rf "$TMP"
  rm -rf "$VENV.old"
fi
echo "$PY"

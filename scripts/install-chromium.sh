#!/usr/bin/env bash
# Installs Debian's Chromium for the dashboard's browser test when it is missing (Playwright's own
# browser download cannot work on a closed network). Idempotent: does nothing when it is installed.
set -euo pipefail

CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [[ -x "$CHROMIUM" ]]; then
  echo "[chromium] $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM")"
  exit 0
fi
SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
echo "[chromium] installing Debian's chromium" >&2
$SUDO apt-get update -o DPkg::Lock::Timeout=900 >/dev/null || true
$SUDO apt-get install -y -o DPkg::Lock::Timeout=900 chromium
"$CHROMIUM" --version

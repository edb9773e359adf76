#!/usr/bin/env bash
# Make sure a Chromium for the browser tests is on this machine (Debian's package).
set -euo pipefail
chromium_path="${HUMANSEC_CHROMIUM:-/usr/bin/chromium}"
if [ -x "$chromium_path" ]; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Debian's chromium for the browser tests..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium >/dev/null
  exit 0
fi
echo "The browser tests need Chromium at $chromium_path: run 'sudo apt-get install chromium'" >&2
echo "or set HUMANSEC_CHROMIUM to a Chromium binary." >&2
exit 1

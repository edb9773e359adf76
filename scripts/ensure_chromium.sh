#!/usr/bin/env bash
# Make sure a Chromium is on this machine (Debian's package): the briefing products (PNG, PDF,
# PPTX) and the browser tests need it. With --advise, a machine where it cannot be installed
# gets the one command to run and carries on (`make setup`); without, that is an error (tests).
set -euo pipefail
chromium_path="${HUMANSEC_CHROMIUM:-/usr/bin/chromium}"
if [ -x "$chromium_path" ]; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Debian's chromium (briefing products and browser tests)..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium >/dev/null
  exit 0
fi
echo "PNG, PDF and PowerPoint products need Chromium at $chromium_path: run" >&2
echo "  sudo apt-get install chromium" >&2
echo "or set HUMANSEC_CHROMIUM to a Chromium binary. HTML and tables work without it." >&2
if [ "${1:-}" = "--advise" ]; then
  exit 0
fi
exit 1

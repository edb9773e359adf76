#!/usr/bin/env bash
# Debian's nginx (and its brotli module) for the deployment test (tests/browser/test_deploy_nginx.py)
# and for a headquarters (deploy/). Installed when root; otherwise the command is printed and the
# test says it was skipped for that reason.
set -euo pipefail
if command -v nginx >/dev/null || [ -x /usr/sbin/nginx ]; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Debian's nginx (the deployment test)..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq nginx-light libnginx-mod-http-brotli-filter >/dev/null \
    || apt-get install -y -qq nginx libnginx-mod-http-brotli-filter >/dev/null
  exit 0
fi
echo "The deployment test needs nginx: run  sudo apt-get install nginx-light libnginx-mod-http-brotli-filter" >&2

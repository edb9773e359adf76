#!/usr/bin/env bash
# Make sure PostgreSQL and PostGIS (Debian's packages) are on this machine: the PostGIS store's
# tests start a throwaway cluster with them (humansec.store.pgcluster); postgresql-postgis is
# the extension itself (only a recommendation of postgis). Installed when root;
# otherwise the command to run is printed and the PostGIS tests are skipped with that reason.
set -euo pipefail
if compgen -G "/usr/share/postgresql/*/extension/postgis.control" >/dev/null \
  && compgen -G "/usr/lib/postgresql/*/bin/pg_ctl" >/dev/null; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Debian's postgresql and postgis (PostGIS store tests)..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq postgresql postgis postgresql-postgis >/dev/null
  exit 0
fi
echo "The PostGIS store tests need PostgreSQL and PostGIS: run" >&2
echo "  sudo apt-get install postgresql postgis" >&2
exit 1

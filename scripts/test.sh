#!/usr/bin/env bash
# One command to run the whole test suite against real PostgreSQL and Redis.
# Installs what the tests need (Debian packages when run as root), starts the
# services if they are down, creates the test database, then runs pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

need_pkgs=()
# chromium + fonts: browser tests (tests/e2e) drive Debian's Chromium; never a downloaded browser.
for pkg in libzbar0 zbar-tools poppler-utils postgresql redis-server chromium fonts-dejavu-core; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need_pkgs+=("$pkg")
done
# The browser tests inject axe-core, pinned in package.json / package-lock.json.
if [ -f package.json ] && ! command -v npm >/dev/null 2>&1; then
  need_pkgs+=(npm)
fi
if [ ${#need_pkgs[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_pkgs[@]}" >/dev/null
  else
    echo "missing Debian packages: ${need_pkgs[*]} (run as root or install them)" >&2
    exit 1
  fi
fi

if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
fi
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
  for _ in $(seq 1 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 1; done
fi

./scripts/setup-venv.sh dev
if [ -f package.json ]; then
  npm ci --silent --no-audit --no-fund
fi
psql -h 127.0.0.1 -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='circularity_test'" | grep -q 1 \
  || psql -h 127.0.0.1 -U postgres -d postgres -qc "CREATE DATABASE circularity_test"

exec .venv/bin/python -m pytest "$@"

#!/usr/bin/env bash
# One command to a running demo: SQLite file, no Redis needed, demo data, gunicorn.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup-venv.sh
export FLASK_APP=wsgi
.venv/bin/flask --app wsgi seed-demo
PORT=${PORT:-8000}
echo
echo "Service: http://127.0.0.1:${PORT}/   (API: http://127.0.0.1:${PORT}/api/v1/openapi.json)"
echo "Try:     curl -H 'Authorization: Bearer <admin token above>' http://127.0.0.1:${PORT}/api/v1/kpis"
exec .venv/bin/gunicorn --workers "${WORKERS:-2}" --bind "127.0.0.1:${PORT}" --access-logfile - wsgi:app

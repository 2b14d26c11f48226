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
# Label sheets of up to 10,000 labels and inline planning runs take longer than the
# default 30 s worker timeout when no job worker runs (see docs/operations.md).
exec .venv/bin/gunicorn --workers "${WORKERS:-2}" --timeout 300 --bind "127.0.0.1:${PORT}" --access-logfile - wsgi:app

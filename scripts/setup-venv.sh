#!/usr/bin/env bash
# Create .venv and install pinned dependencies (runtime, or runtime + dev with "dev").
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
req=requirements.txt
[ "${1:-}" = "dev" ] && req=requirements-dev.txt
stamp=".venv/.installed-$(sha256sum requirements*.txt | sha256sum | cut -c1-16)-${1:-runtime}"
if [ ! -f "$stamp" ]; then
  .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
  .venv/bin/python -m pip install -q --disable-pip-version-check -r "$req"
  touch "$stamp"
fi
# The translation catalogs: the .po files are committed, the .mo files the service reads are built.
./scripts/translations.sh compile

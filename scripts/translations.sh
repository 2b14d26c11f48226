#!/usr/bin/env bash
# The translation catalogs of app/translations/ (docs/operations.md, "Languages"):
#   scripts/translations.sh extract   collect the strings from app/ into messages.pot
#   scripts/translations.sh update    extract, then merge them into every language's messages.po
#   scripts/translations.sh compile   compile the .po files into the .mo files the service reads
# setup-venv.sh runs `compile`, so `make demo` and `make test` build the .mo files of a fresh clone.
set -euo pipefail
cd "$(dirname "$0")/.."
PYBABEL=${PYBABEL:-.venv/bin/pybabel}
DIR=app/translations
case "${1:-compile}" in
  extract)
    "$PYBABEL" -q extract -F "$DIR/babel.cfg" -k _l -k lazy_gettext -k lazy_pgettext:1c,2 --no-location --sort-output \
      --project Circularity --copyright-holder "Circularity" --msgid-bugs-address "" -o "$DIR/messages.pot" app
    ;;
  update)
    "$0" extract
    # -w 120: the line width the committed catalogs are wrapped at, so an update changes only what changed
    "$PYBABEL" -q update -i "$DIR/messages.pot" -d "$DIR" --no-fuzzy-matching --ignore-obsolete -w 120
    ;;
  compile)
    "$PYBABEL" -q compile -d "$DIR"
    ;;
  *)
    echo "usage: $0 extract|update|compile" >&2
    exit 2
    ;;
esac

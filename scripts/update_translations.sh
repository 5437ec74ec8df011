#!/bin/sh
# Extract the Chinese msgids from code and templates and merge them into the English catalog.
set -eu
cd "$(dirname "$0")/.."
.venv/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location -o /tmp/compapp-messages.pot . >/dev/null 2>&1
.venv/bin/pybabel update -i /tmp/compapp-messages.pot -d compapp/translations -l en --no-fuzzy-matching >/dev/null 2>&1

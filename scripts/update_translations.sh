#!/bin/sh
# Extract the Chinese msgids from code and templates and merge them into the English catalog.
# Besides gettext's own markers: N_ (compapp.core.messages: ids kept in data, such as the
# vocabulary's names and refusals), and the message arguments of validation problems
# (contests.rules Problem/_problem, imports.reading CellProblem/cell_problem), translated
# where they are shown.
set -eu
cd "$(dirname "$0")/.."
pot="$(mktemp --suffix=.pot)"
trap 'rm -f "$pot"' EXIT
.venv/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k N_ -k Problem:2 -k _problem:2 \
  -k CellProblem:5 -k cell_problem:5 --no-location -o "$pot" . >/dev/null 2>&1
.venv/bin/pybabel update -i "$pot" -d compapp/translations -l en --no-fuzzy-matching >/dev/null 2>&1

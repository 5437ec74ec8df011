# compapp: `make run` serves the app with demo data; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
FLASK := $(BIN)/flask --app wsgi
SYSTEM_PACKAGES_RUN := fonts-wqy-microhei
SYSTEM_PACKAGES_TEST := $(SYSTEM_PACKAGES_RUN) chromium poppler-utils zbar-tools libzbar0 postgresql redis-server systemd

.PHONY: axe load run serve test test-sqlite test-postgresql lint format install system-run system-test translations db demo bench clean

run: system-run install translations db demo
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

# Production-style serving: gunicorn, production configuration (needs COMPAPP_SECRET_KEY).
serve: system-run install translations
	COMPAPP_ENV=production $(FLASK) db upgrade
	COMPAPP_ENV=production $(BIN)/gunicorn --bind 127.0.0.1:$(PORT) --workers $${WORKERS:-4} --access-logfile - 'wsgi:app'

# The SQLite pass (with the browser journeys) and the PostgreSQL pass run side by side, one
# per core; the PostgreSQL pass's output is kept in a file and shown when both have ended.
test: system-test install translations axe
	@log=$$(mktemp); \
	$(MAKE) --no-print-directory test-postgresql >"$$log" 2>&1 & pg=$$!; \
	$(MAKE) --no-print-directory test-sqlite; sqlite=$$?; \
	wait $$pg; postgresql=$$?; \
	echo "== PostgreSQL pass =="; cat "$$log"; rm -f "$$log"; \
	echo "== SQLite pass: exit $$sqlite; PostgreSQL pass: exit $$postgresql"; \
	test $$sqlite = 0 && test $$postgresql = 0

test-sqlite: axe
	$(BIN)/python -m pytest -q -p no:cacheprovider -m "not postgresql_only"

test-postgresql:
	@url=$$(scripts/pg_throwaway.sh start) || exit 1; \
	echo "PostgreSQL test server: $$url"; \
	COMPAPP_TEST_DATABASE_URL=$$url $(BIN)/python -m pytest -q -p no:cacheprovider -m "not sqlite_only" --ignore=tests/browser; \
	status=$$?; scripts/pg_throwaway.sh stop; exit $$status

lint:
	$(BIN)/ruff check compapp tests scripts benchmarks wsgi.py
	$(BIN)/ruff format --check compapp tests scripts benchmarks wsgi.py

format:
	$(BIN)/ruff format compapp tests scripts benchmarks wsgi.py

# System packages: installed with apt-get when missing (as root), otherwise named.
system-run:
	@scripts/system_packages.sh $(SYSTEM_PACKAGES_RUN)

system-test:
	@scripts/system_packages.sh $(SYSTEM_PACKAGES_TEST)

install: $(VENV)/.installed

$(VENV)/.installed: setup.cfg pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# axe-core (the accessibility checker the browser journeys inject into each page), from the
# npm registry at set-up time: nothing is fetched while the tests run.
AXE_VERSION := 4.10.3
AXE := $(VENV)/axe-core-$(AXE_VERSION)/axe.min.js
axe: $(AXE)

$(AXE):
	@command -v npm >/dev/null || scripts/system_packages.sh npm
	rm -rf $(VENV)/axe-core-tmp && mkdir -p $(VENV)/axe-core-tmp
	cd $(VENV)/axe-core-tmp && npm pack --silent axe-core@$(AXE_VERSION) >/dev/null && tar -xzf axe-core-$(AXE_VERSION).tgz package/axe.min.js
	mkdir -p $(dir $@) && mv $(VENV)/axe-core-tmp/package/axe.min.js $@ && rm -rf $(VENV)/axe-core-tmp

translations: install
	$(BIN)/pybabel compile --use-fuzzy -d compapp/translations -D messages >/dev/null

db: install
	$(FLASK) db upgrade

demo: install
	$(FLASK) seed demo --once

# Load test: gunicorn + PostgreSQL on loopback, the demo data plus a 1,000-entry contest and a
# year of lines, 50 users for 60 seconds (see README).
load: system-test install translations
	$(BIN)/python benchmarks/load_test.py --users 50 --seconds 60

bench: install translations
	$(BIN)/python benchmarks/awards_bench.py
	$(BIN)/python benchmarks/certificates_bench.py
	$(BIN)/python benchmarks/pages_bench.py

clean:
	rm -rf $(VENV) instance/compapp.sqlite compapp.egg-info

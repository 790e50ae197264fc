# Two commands do all the set-up: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
VENDOR := static/vendor

.PHONY: run test test-fast venv vendor lint check pytest messages clean-data stop help chromium test-steps

help:
	@echo "make run    - start the portal with demo data on http://127.0.0.1:8000"
	@echo "make test   - lint, migration and deploy checks, and the whole test suite"
	@echo "make test-fast - the tests without browser, Celery worker or slow ones"
	@echo "make stop   - stop the embedded PostgreSQL and Redis"

$(PY):
	$(PYTHON) -m venv $(VENV)

# Reinstall only when a requirements file changes.
$(VENV)/.installed: requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

# Front-end libraries and fonts from npm into static/vendor (git-ignored, no CDN).
$(VENDOR)/.copied: node_modules/.package-lock.json bin/vendor core/fonts.py | $(VENV)/.installed
	bin/vendor $(PY)

vendor: $(VENDOR)/.copied

run: venv vendor
	$(PY) -m khuyencong.devstack run

stop: venv
	$(PY) -m khuyencong.devstack stop

# The Debian packages the tests need, the same list as .ci/run: WeasyPrint's Pango,
# Debian's chromium for the browser tests (never Playwright's own browser download),
# pdftoppm for the PDF previews, GNU gettext for the translation check; and Java for the
# Nu HTML checker.
TEST_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 chromium poppler-utils gettext
chromium:
	@missing=""; for p in $(TEST_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq $$missing >/dev/null; \
	  else echo "Install the Debian packages:$$missing (sudo apt-get install$$missing)"; exit 1; fi; fi
	@# Java runs the Nu HTML checker (vnu-jar, from npm) in the accessibility test.
	@command -v java >/dev/null || { if [ "$$(id -u)" = 0 ]; then apt-get update -qq && \
	  apt-get install -y -qq default-jre-headless >/dev/null; else \
	  echo "Install Java (sudo apt-get install default-jre-headless)"; exit 1; fi; }

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Everything below runs against DATABASE_URL / REDIS_URL, or embedded servers when unset
# (started once for the whole run and stopped afterwards).
test: venv vendor chromium
	$(PY) -m khuyencong.devstack exec -- $(MAKE) --no-print-directory test-steps

test-steps: lint check pytest

check:
	$(PY) manage.py makemigrations --check --dry-run --settings=khuyencong.settings.test
	$(PY) manage.py makesqlmigrations --check --settings=khuyencong.settings.test
	DJANGO_SECRET_KEY=check-deploy-a-long-random-value-used-for-this-check-only-0123456789abcdef \
	    $(PY) manage.py check --deploy --fail-level WARNING --settings=khuyencong.settings.production

# The suite runs in one process per CPU (pytest-xdist), each with its own test database,
# Redis database and Celery worker; a test file stays in one process, so a module's shared
# fixture (a long PDF) is built once. At most 4 processes (each starts a Celery worker and a
# Chromium, and takes a Redis database counting down from 15); PYTEST_WORKERS=0 runs
# everything in this process.
PYTEST_WORKERS ?= $(shell n=$$(nproc 2>/dev/null || echo 2); [ $$n -gt 4 ] && n=4; echo $$n)
PYTEST := $(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadfile
pytest:
	$(PYTEST) $(PYTEST_ARGS)

# The fast part alone, for the edit-and-test loop: no browser, no real Celery worker, nothing
# marked slow. `make test` still runs everything.
test-fast: venv vendor
	$(PY) -m khuyencong.devstack exec -- $(PYTEST) -m "not browser and not celery and not slow" $(PYTEST_ARGS)

messages: venv
	$(PY) -m khuyencong.devstack exec -- $(PY) manage.py makemessages -l vi --no-location --no-obsolete -i node_modules -i .venv -i static -i .data -i artifacts
	$(PY) -m khuyencong.devstack exec -- $(PY) manage.py compilemessages -l vi -i node_modules -i .venv

clean-data: stop
	rm -rf .data

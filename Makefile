# The report's commands. `make` (= `make report`) builds the latest year's HTML and PDF;
# `make report YEAR=2021` builds another year; `make report ARGS=--force` rebuilds everything.
# Every target runs `python -m healthcheck ...` from the virtual environment in .venv.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
YEAR ?=
ARGS ?=
# Every Debian package `make system` may install (it installs the ones missing).
SYSTEM_PACKAGES := chromium poppler-utils fonts-dejavu-core default-jre-headless npm
# The W3C Nu HTML Checker the tests run (vnu.jar, from npm), pinned in package-lock.json.
NODE_STAMP := node_modules/.installed

.DEFAULT_GOAL := report
.PHONY: report test test-fast lint venv dev system checkers lock clean

report: venv system
	$(PY) -m healthcheck build $(if $(YEAR),--year $(YEAR)) $(ARGS)

# Everything: the linters, then every test tier (tests/unit, tests/pipeline, tests/book). What CI runs.
# On both cores (pytest-xdist, --tier-groups in tests/conftest.py): each book the tests build
# once (the demonstration's, the national summary's, the second council's) goes to one worker
# with every test that reads it, and each other pipeline file whole, so no book is built twice;
# the book tier runs beside the pipeline files. The 25 slowest tests are printed.
test: dev system checkers lint
	$(PY) -m pytest -q -n 2 --tier-groups --durations=25 --hypothesis-profile=ci

# The unit tier only (tests/unit/, tests/README.md): in-process, no notebooks, kernels, browsers
# or subprocesses (under a minute, on both cores with pytest-xdist).
# Only tests/unit (and new files not yet placed) are collected: importing the other tiers' modules
# (Playwright, the batch) would cost seconds for tests that are then deselected.
test-fast: dev
	$(PY) -m pytest -q -n 2 -m unit tests/unit $(wildcard tests/test_*.py)

# ruff: lint rules and formatting, as configured in pyproject.toml; deptry: every package the
# code imports is declared in requirements.in, and nothing declared there goes unused.
lint: dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/deptry .

# The virtual environment with what the report needs (requirements.txt), reinstalled only when
# it (or pyproject.toml) changes; `dev` adds the tools of the tests, linters and benchmarks.
venv: $(STAMP)

$(STAMP): requirements.txt $(wildcard pyproject.toml)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -r requirements.txt
	if [ -f pyproject.toml ]; then $(PIP) install -e . --no-deps; fi
	touch $@

dev: $(DEV_STAMP)

$(DEV_STAMP): $(STAMP) requirements-dev.txt
	$(PIP) install -r requirements.txt -r requirements-dev.txt
	touch $@

# Debian packages the build and the tests need: Chromium prints the PDF, poppler-utils checks
# it in tests, Java runs the HTML checker (vnu.jar) and npm installs it. Only the missing ones
# are installed: a Node.js from elsewhere (with its own npm) must not be replaced by Debian's.
system:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v pdftotext >/dev/null 2>&1 || missing="$$missing poppler-utils"; \
	test -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf || missing="$$missing fonts-dejavu-core"; \
	command -v java >/dev/null 2>&1 || missing="$$missing default-jre-headless"; \
	command -v npm >/dev/null 2>&1 || missing="$$missing npm"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing$$missing (needed to print and check the PDF and to check the HTML)"; \
	    apt-get update && apt-get install -y $$missing; \
	  else \
	    echo "Missing system packages:$$missing (needed to print and check the PDF and to check the HTML)." >&2; \
	    echo "Install them with:" >&2; \
	    echo "  sudo apt-get update && sudo apt-get install -y$$missing" >&2; \
	    exit 1; \
	  fi; \
	fi

# The tests' HTML checker: vnu-jar from npm, exactly as package-lock.json pins it, into
# node_modules/ (reinstalled only when package.json or the lock changes). --ignore-scripts:
# vnu-jar's install script downloads a Java runtime from outside the package registries when
# it finds none; Debian's, from `system`, is used instead.
checkers: $(NODE_STAMP)

$(NODE_STAMP): package.json package-lock.json | system
	npm ci --ignore-scripts --no-audit --no-fund
	test -f node_modules/vnu-jar/build/dist/vnu.jar
	touch $@

# Compile requirements.in and requirements-dev.in (what we choose) into requirements.txt and
# requirements-dev.txt (every version pinned; the dev lock is constrained by the runtime's).
lock:
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	test -x $(VENV)/bin/pip-compile || $(PIP) install pip-tools
	$(VENV)/bin/pip-compile --no-emit-index-url --no-emit-find-links --output-file=requirements.txt --strip-extras requirements.in
	$(VENV)/bin/pip-compile --no-emit-index-url --no-emit-find-links --output-file=requirements-dev.txt --strip-extras requirements-dev.in

clean:
	rm -rf _build .pytest_cache .ruff_cache
	find . -name __pycache__ -type d -not -path './$(VENV)/*' -prune -exec rm -rf {} +

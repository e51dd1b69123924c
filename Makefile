# The report's commands. `make` (= `make report`) builds the latest year's HTML and PDF;
# `make report YEAR=2021` builds another year; `make report ARGS=--force` rebuilds everything.
# Every target runs `python -m healthcheck ...` from the virtual environment in .venv.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
YEAR ?=
ARGS ?=
SYSTEM_PACKAGES := chromium poppler-utils fonts-dejavu-core

.DEFAULT_GOAL := report
.PHONY: report test venv system lock clean

report: venv system
	$(PY) -m healthcheck build $(if $(YEAR),--year $(YEAR)) $(ARGS)

test: venv system
	$(PY) -m pytest -q

# The virtual environment, reinstalled only when requirements.txt (or pyproject.toml) changes.
venv: $(STAMP)

$(STAMP): requirements.txt $(wildcard pyproject.toml)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -r requirements.txt
	if [ -f pyproject.toml ]; then $(PIP) install -e . --no-deps; fi
	touch $@

# Debian packages the build needs: Chromium prints the PDF, poppler-utils checks it in tests.
system:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v pdftotext >/dev/null 2>&1 || missing="$$missing poppler-utils"; \
	test -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf || missing="$$missing fonts-dejavu-core"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing$$missing (needed to print and check the PDF)"; \
	    apt-get update && apt-get install -y $(SYSTEM_PACKAGES); \
	  else \
	    echo "Missing system packages:$$missing (needed to print and check the PDF)." >&2; \
	    echo "Install them with:" >&2; \
	    echo "  sudo apt-get update && sudo apt-get install -y $(SYSTEM_PACKAGES)" >&2; \
	    exit 1; \
	  fi; \
	fi

# Compile requirements.in (what we choose) into requirements.txt (every version pinned).
lock:
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	test -x $(VENV)/bin/pip-compile || $(PIP) install pip-tools
	$(VENV)/bin/pip-compile --no-emit-index-url --no-emit-find-links --output-file=requirements.txt --strip-extras requirements.in

clean:
	rm -rf _build .pytest_cache .ruff_cache
	find . -name __pycache__ -type d -not -path './$(VENV)/*' -prune -exec rm -rf {} +

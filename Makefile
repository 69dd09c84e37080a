# Two commands set everything up on a fresh machine:
#   make demo   crawl the bundled sample portal, parse, build the archive, serve it
#   make test   run the test suite (what CI runs)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test install system-deps clean

install: $(VENV)/.installed system-deps

# Debian packages: LibreOffice (headless) reads legacy .doc/.wps attachments;
# Chromium and a CJK font run the browser test of the published site;
# redis-server runs distributed crawls (xxgk worker) and their test.
system-deps:
	scripts/install-system-deps
	scripts/install-browser
	scripts/install-redis

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

demo: install
	$(BIN)/xxgk demo

test: install
	$(BIN)/python -m pytest

clean:
	rm -rf data/xxgk.db data/archive data/sample-sites.yaml .pytest_cache

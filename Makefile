# humansec: `make run` serves the demo on http://127.0.0.1:8501; `make test` runs every check.
# Both set up what is missing first (virtual environment, Python packages, map assets).

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
RUNTIME_STAMP := $(VENV)/.runtime-installed
DEV_STAMP := $(VENV)/.dev-installed
ASSETS_STAMP := static/vendor/.built
NPM_STAMP := node_modules/.package-lock.json

.PHONY: setup setup-dev run test lint browser chromium bench clean

# The briefing officer's PNG/PDF/PPTX need Chromium at run time: installed here when root,
# else the one command to run is printed and setup carries on.
setup: $(RUNTIME_STAMP) $(ASSETS_STAMP) chromium

setup-dev: setup $(DEV_STAMP) browser

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(RUNTIME_STAMP): requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(DEV_STAMP): requirements.txt requirements-dev.txt $(RUNTIME_STAMP)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

$(NPM_STAMP): package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	touch $@

$(ASSETS_STAMP): $(NPM_STAMP) scripts/build_assets.py | $(RUNTIME_STAMP)
	$(PY) scripts/build_assets.py
	touch $@

chromium:
	@bash scripts/ensure_chromium.sh --advise

# Browser tests drive Debian's Chromium; install it when it is missing and we may.
browser:
	@bash scripts/ensure_chromium.sh

run: setup
	$(VENV)/bin/streamlit run app.py --server.address 127.0.0.1 --server.port 8501

lint: $(DEV_STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

test: setup-dev lint
	$(PY) -m pytest

bench: setup-dev
	$(PY) -m benchmarks.run

clean:
	rm -rf $(VENV) node_modules static/vendor
